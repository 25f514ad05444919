import type { Role } from '../roles.ts';
import { CASE_STATES, FINAL_STATES, type CaseState } from './states.ts';

/**
 * Steps of a case and who may take them. A step names where it may start and where it leads;
 * the server runs the step's side effects (dispatches, officer status) in the same transaction.
 */
export const CASE_ACTIONS = [
  'register',
  'void',
  'dispatch',
  'accept',
  'decline',
  'arrive',
  'handle',
  'close',
  'rework',
  'suspend',
  'resume',
  'extend',
  'merge',
  'escalate',
  'reassign',
] as const;
export type CaseAction = (typeof CASE_ACTIONS)[number];

export interface StepRule {
  from: readonly CaseState[];
  /** null: the state does not change (延期 only moves the deadline). */
  to: CaseState | null;
  roles: readonly Role[];
  zh: string;
  en: string;
}

/** Every state but the final ones (closed, voided). */
const OPEN_STATES: readonly CaseState[] = CASE_STATES.filter((s) => !FINAL_STATES.includes(s));

export const STEPS: Record<CaseAction, StepRule> = {
  register: { from: ['reported'], to: 'registered', roles: ['supervisor', 'dispatcher', 'admin'], zh: '立案', en: 'register' },
  void: { from: ['reported', 'registered'], to: 'voided', roles: ['supervisor', 'dispatcher', 'admin'], zh: '作废', en: 'void' },
  dispatch: { from: ['registered'], to: 'dispatched', roles: ['dispatcher', 'admin'], zh: '派遣', en: 'dispatch' },
  accept: { from: ['dispatched'], to: 'accepted', roles: ['officer'], zh: '接单', en: 'accept' },
  // Declining or an acceptance time-out returns the case to the dispatcher's queue.
  decline: { from: ['dispatched'], to: 'registered', roles: ['officer'], zh: '退单', en: 'decline' },
  arrive: { from: ['accepted'], to: 'on_scene', roles: ['officer'], zh: '到场', en: 'arrive' },
  handle: { from: ['on_scene'], to: 'handled', roles: ['officer'], zh: '处置反馈', en: 'handle' },
  close: { from: ['handled'], to: 'closed', roles: ['supervisor', 'admin'], zh: '核查结案', en: 'close' },
  rework: { from: ['handled'], to: 'dispatched', roles: ['supervisor', 'admin'], zh: '返工', en: 'rework' },
  suspend: { from: ['registered', 'dispatched', 'accepted', 'on_scene'], to: 'suspended', roles: ['supervisor', 'admin'], zh: '挂账', en: 'suspend' },
  resume: { from: ['suspended'], to: 'registered', roles: ['supervisor', 'admin'], zh: '销账恢复', en: 'resume' },
  extend: { from: ['registered', 'dispatched', 'accepted', 'on_scene'], to: null, roles: ['supervisor', 'admin'], zh: '延期', en: 'extend' },
  // A duplicate (重复案件) is voided into the open case it repeats, before anyone is sent (like 作废).
  merge: { from: ['reported', 'registered'], to: 'voided', roles: ['supervisor', 'dispatcher', 'admin'], zh: '合并', en: 'merge' },
  // 督办 by hand: the district's leaders are told; the state does not change. Once per case (the
  // overdue clock escalates too, see server/clocks/watcher.ts).
  escalate: { from: OPEN_STATES, to: null, roles: ['dispatcher', 'supervisor', 'admin'], zh: '督办', en: 'escalate' },
  // 改派: the officers sent are replaced before they are on the scene. Once there, the officer who
  // arrived handles it (首问负责制, 五定: fixed person) and the evidence is theirs; a case that cannot be
  // finished there goes back through handle → rework or suspend, not a hand-over mid-handling.
  reassign: { from: ['dispatched', 'accepted'], to: 'dispatched', roles: ['dispatcher', 'admin'], zh: '改派', en: 'reassign' },
};

/** Whether `role` may take `action` at all (in some state): e.g. who may register a case at intake. */
export const mayTake = (role: Role, action: CaseAction): boolean => STEPS[action].roles.includes(role);

/** What a step may depend on besides the state: marks the case carries. */
export interface CaseFacts {
  /** when the case was escalated (督办), by hand or by the overdue clock; null if never */
  escalatedAt?: string | null;
}

/** Why `action` cannot be taken now although the state allows it, or null. */
function blockedBy(action: CaseAction, facts: CaseFacts): string | null {
  if (action === 'escalate' && facts.escalatedAt) {
    return `this case was already escalated (督办) at ${facts.escalatedAt}; its leaders have it, a case is escalated once`;
  }
  return null;
}

export type StepCheck = { ok: true; to: CaseState } | { ok: false; reason: 'state' | 'role'; message: string; allowed: CaseAction[] };

/** Steps that `role` may take from `state` (and, given the case's `facts`, may take now). */
export function allowedSteps(state: CaseState, role: Role, facts: CaseFacts = {}): CaseAction[] {
  return CASE_ACTIONS.filter((a) => STEPS[a].from.includes(state) && STEPS[a].roles.includes(role) && blockedBy(a, facts) === null);
}

export function checkStep(state: CaseState, action: CaseAction, role: Role, facts: CaseFacts = {}): StepCheck {
  const rule = STEPS[action];
  const allowed = allowedSteps(state, role, facts);
  if (!rule.roles.includes(role)) {
    return { ok: false, reason: 'role', allowed, message: `role ${role} may not ${action} (${rule.zh}); that is for ${rule.roles.join(', ')}` };
  }
  if (!rule.from.includes(state)) {
    return {
      ok: false,
      reason: 'state',
      allowed,
      message: `cannot ${action} (${rule.zh}) a case that is ${state}; allowed now: ${allowed.length ? allowed.join(', ') : 'none for your role'}`,
    };
  }
  const blocked = blockedBy(action, facts);
  if (blocked) {
    return {
      ok: false,
      reason: 'state',
      allowed,
      message: `cannot ${action} (${rule.zh}): ${blocked}; allowed now: ${allowed.length ? allowed.join(', ') : 'none for your role'}`,
    };
  }
  return { ok: true, to: rule.to ?? state };
}

/** A case `merge` may go into, as far as the merge rule needs to know it. */
export interface MergeTarget {
  id: number;
  code: string;
  state: CaseState;
}

/** Why case `fromId` cannot be merged into `target` (a rule the caller can fix: 422), or null. */
export function mergeTargetProblem(fromId: number, target: MergeTarget): string | null {
  if (target.id === fromId) return 'a case cannot be merged into itself; name in "intoId" the case it duplicates';
  if (FINAL_STATES.includes(target.state)) {
    return `case ${target.code} is ${target.state}; merge into an open case (not closed or voided), or void this one instead`;
  }
  return null;
}

/** The state reason a merged case carries: the code of the case it went into, then the reason given. */
export function mergedReason(intoCode: string, reason: string | null): string {
  return `合并至 ${intoCode} (merged into ${intoCode})${reason ? `: ${reason}` : ''}`;
}

/** Why a reassignment from `previous` to `next` officers is no reassignment (422), or null. */
export function reassignProblem(previous: readonly number[], next: readonly number[]): string | null {
  const same = previous.length === next.length && next.every((id) => previous.includes(id));
  return same ? `officers ${next.join(', ')} are the ones already on this case; name at least one other officer in "officerIds"` : null;
}
