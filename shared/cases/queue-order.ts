// The order of the dispatcher's queue. The command centre's own work comes first: a case waiting to be
// registered or dispatched (TODO_STATES) is the one only the dispatcher can move, so it sits above the
// cases already in an officer's hands, whatever their priority. Then overdue cases, then priority, then
// the longest waiting, then the id, so any starting order sorts the same (the console keeps rows under
// the pointer in place itself; this is only the order rows settle into).
import { TODO_STATES, type CaseState } from './states.ts';

export interface QueueOrderFields {
  id: number;
  state: CaseState;
  overdue: boolean;
  priority: number;
  /** ISO-8601 UTC ("…Z") as the server writes it, so strings order like times */
  reportedAt: string;
}

/** 0 while the case waits for the command centre (立案/派遣), 1 once it is in the field or beyond. */
export const queueGroup = (s: CaseState): 0 | 1 => (TODO_STATES.includes(s) ? 0 : 1);

export function byQueueOrder(a: QueueOrderFields, b: QueueOrderFields): number {
  return (
    queueGroup(a.state) - queueGroup(b.state) ||
    Number(b.overdue) - Number(a.overdue) ||
    b.priority - a.priority ||
    (a.reportedAt < b.reportedAt ? -1 : a.reportedAt > b.reportedAt ? 1 : 0) ||
    a.id - b.id
  );
}
