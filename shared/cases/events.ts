// Every event of the log (执法全过程记录) and the live feed, with its payload: the writer, the socket
// layer and the clients' reducers share these types, so an event written with the wrong payload, or
// read as one it is not, fails `tsc`. The wire shape is LiveEvent (contract.ts) with `type` and
// `payload` taken together from this union.
import type { EventPayloadTypes } from './event-schemas.ts';

/**
 * Each event type's payload: the Static types of the TypeBox schemas in event-schemas.ts, which the
 * API and AsyncAPI documents are made from, so the documented and the typed payloads are the same.
 */
export type EventPayloads = EventPayloadTypes;

export type EventType = keyof EventPayloads;

export const EVENT_TYPES = [
  'incident.reported',
  'incident.registered',
  'incident.voided',
  'incident.dispatched',
  'incident.reworked',
  'incident.accepted',
  'incident.declined',
  'incident.arrived',
  'incident.handled',
  'incident.closed',
  'incident.suspended',
  'incident.resumed',
  'incident.extended',
  'incident.merged',
  'incident.reassigned',
  'incident.evidence_added',
  'incident.overdue',
  'incident.escalated',
  'incident.dispatch_timed_out',
  'officer.duty',
  'map.updated',
  'roster.updated',
  'building.discovered',
  'building.verified',
  'building.filed',
  'building.ordered',
  'building.demolished',
  'building.rectified',
  'building.closed',
  'building.dismissed',
  'building.escalated',
  'building.case_linked',
  'building.inspection_due',
  'building.inspected',
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
  buildingId?: number | null;
  actorUserId: number | null;
  occurredAt: string;
  position: [number, number] | null;
  districtAdcode: string | null;
  officerIds: number[];
};

/** An event to append (the log gives it its seq and time). */
export type NewCaseEvent = TypedPayload & {
  incidentId: number | null;
  /** a building's event: the building (incidentId null, or the case that moved it) */
  buildingId?: number | null;
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
