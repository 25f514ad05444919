// Every event of the log (执法全过程记录) and the live feed, with its payload: the writer, the socket
// layer and the clients' reducers share these types, so an event written with the wrong payload, or
// read as one it is not, fails `tsc`. The wire shape is LiveEvent (contract.ts) with `type` and
// `payload` taken together from this union.
import type { Role } from '../roles.ts';
import type { CaseState, Outcome, Source } from './states.ts';

type DutyStatus = 'off_duty' | 'available' | 'busy';

/** A step of the loop: the case's code and the states it went between. */
type Step<T = object> = { code: string; from: CaseState; to: CaseState } & T;

/** A photo as the evidence upload stored it. */
type StoredPhoto = { id: number; sha256: string; mime: string; bytes: number };

export type EventPayloads = {
  'incident.reported': {
    code: string; category: string; source: Source; sourceRef: string | null; priority: number;
    gridCode: string | null; keyAreaIds: number[]; duplicates: string[];
  };
  'incident.registered': Step;
  'incident.voided': Step<{ reason: string }>;
  'incident.dispatched': Step<{ officerIds: number[]; reason: string | null }>;
  'incident.reworked': Step<{ officerIds: number[]; reason: string | null }>;
  'incident.accepted': Step<{ officerId: number | null }>;
  'incident.declined': Step<{ officerId: number | null; reason: string }>;
  'incident.arrived': Step<{ officerId: number | null }>;
  'incident.handled': Step<{ officerId: number | null; outcome: Outcome; notes: string | null; evidenceIds: number[] }>;
  'incident.closed': Step;
  'incident.suspended': Step<{ reason: string }>;
  'incident.resumed': Step;
  'incident.extended': Step<{ reason: string; extendBy: number; deadline: string }>;
  'incident.merged': Step<{ intoId: number; intoCode: string; reason: string | null }>;
  'incident.reassigned': Step<{ officerIds: number[]; previousOfficerIds: number[]; reason: string }>;
  'incident.evidence_added': { code: string; evidence: StoredPhoto[] };
  /** by the overdue clock */
  'incident.overdue': { code: string; state: string; deadline: string };
  /** 督办: by the overdue clock (with `incident.overdue`), or by hand (`manual`, with who did it) */
  'incident.escalated':
    | { code: string; to: 'leader'; reason: string }
    | { code: string; state: CaseState; to: 'leader'; manual: true; reason: string; by: { userId: number; login: string; role: Role } };
  /** a dispatch not accepted in time went back to the queue */
  'incident.dispatch_timed_out': { code: string; from: string; to: string; officerIds: number[]; alert: true; timeoutSeconds: number };
  /** an officer went on or off duty (上岗/下岗) */
  'officer.duty': { officerId: number | null; from: string; to: DutyStatus };
};

export type EventType = keyof EventPayloads;

export const EVENT_TYPES = [
  'incident.reported', 'incident.registered', 'incident.voided', 'incident.dispatched', 'incident.reworked', 'incident.accepted',
  'incident.declined', 'incident.arrived', 'incident.handled', 'incident.closed', 'incident.suspended', 'incident.resumed',
  'incident.extended', 'incident.merged', 'incident.reassigned', 'incident.evidence_added', 'incident.overdue', 'incident.escalated',
  'incident.dispatch_timed_out', 'officer.duty',
] as const satisfies readonly EventType[];
// every type listed once: a type added above and not here fails here
type Missing = Exclude<EventType, (typeof EVENT_TYPES)[number]>;
const _allListed: Missing extends never ? true : Missing = true;
void _allListed;

/** `type` and `payload` of one event, discriminated by `type`. */
export type TypedPayload = { [K in EventType]: { type: K; payload: EventPayloads[K] } }[EventType];

/** One event of the log as stored and carried: the columns around its typed payload. */
export type CaseEvent = TypedPayload & {
  seq: number;
  incidentId: number | null;
  actorUserId: number | null;
  occurredAt: string;
  position: [number, number] | null;
  districtAdcode: string | null;
  officerIds: number[];
};

/** An event to append (the log gives it its seq and time). */
export type NewCaseEvent = TypedPayload & {
  incidentId: number | null;
  actorUserId: number | null;
  position?: [number, number] | null;
  districtAdcode: string | null;
  officerIds?: number[];
};

type AnyPayload = EventPayloads[EventType];
type AllKeys<U> = U extends unknown ? keyof U : never;
type FieldOf<U, K extends PropertyKey> = U extends unknown ? (K extends keyof U ? U[K] : never) : never;
/**
 * Every field some event's payload carries, each optional and typed as any event carries it: for a
 * reader that shows whatever an event says (the case record) rather than acting on one type.
 */
export type PayloadFields = { [K in AllKeys<AnyPayload>]?: FieldOf<AnyPayload, K> };

/** The event narrowed to one type, for a reader that handles it. */
export type EventOf<K extends EventType> = Extract<CaseEvent, { type: K }>;
