// The wire contract of the case loop: what the API answers and the live feed carries. The server
// builds these shapes and the console and officer phone read them. Each is the Static type of the
// TypeBox schema in schemas.ts that the server validates and documents it with, so the two cannot
// drift; the event log's types come from events.ts (made from event-schemas.ts) and the socket's
// position batches from workforce-schemas.ts.
import type { Static } from 'typebox';
import type { CaseEvent } from './events.ts';
import type {
  DuplicateCase as DuplicateCaseSchema,
  DuplicatesPreview as DuplicatesPreviewSchema,
  EscalateBody,
  CaseView as CaseViewSchema,
  IntakeBody,
  IntakeResponse as IntakeResponseSchema,
  MergeBody,
  ReassignBody,
  SquadBoard as SquadBoardSchema,
  StepBody,
} from './schemas.ts';

export type CaseView = Static<typeof CaseViewSchema>;
export type CaseOfficer = CaseView['officers'][number];
export type Evidence = CaseView['evidence'][number];

export type IntakeRequest = Static<typeof IntakeBody>;

/** POST /api/incidents: the routes answer this shape (201 created, 200 replayed by its idempotency key). */
export type IntakeResponse = Static<typeof IntakeResponseSchema>;

/** POST /api/incidents/:id/merge — void this case (reported or registered) into the open case it duplicates. */
export type MergeRequest = Static<typeof MergeBody>;
/** POST /api/incidents/:id/escalate — 督办 by hand, once per case; the state does not change. */
export type EscalateRequest = Static<typeof EscalateBody>;
/** POST /api/incidents/:id/reassign — cancel the live dispatches (dispatched or accepted) and send these officers instead. */
export type ReassignRequest = Static<typeof ReassignBody>;

/** The body of any step: StepBody, or for merge, escalate and reassign their own bodies (whose fields they require). */
export type StepRequest = Static<typeof StepBody> & Partial<MergeRequest & EscalateRequest & ReassignRequest>;

/** An open case of the same category within 50 m and 24 h (重复案件). */
export type DuplicateCase = Static<typeof DuplicateCaseSchema>;

/** GET /api/incidents/duplicates?lon=&lat=&crs=&categoryCode= */
export type DuplicatesPreview = Static<typeof DuplicatesPreviewSchema>;
/** Where a point would be located on intake: the same lookup intake does. */
export type PlacePreview = NonNullable<DuplicatesPreview['location']>;

/** GET /api/squads/board — squads (中队) and their people, by district, in the user's scope. */
export type SquadBoard = Static<typeof SquadBoardSchema>;
export type BoardDistrict = SquadBoard['districts'][number];
export type BoardSquad = BoardDistrict['squads'][number];
export type BoardMember = BoardSquad['members'][number];
/** Counts by duty status; busy = on a case. */
export type DutyCounts = BoardDistrict['officers'];
export type DutyStatus = BoardMember['dutyStatus'];

/**
 * One entry of the event log (执法全过程记录), as the feed and GET /api/events carry it: see events.ts,
 * whose union types each event's payload (the Static types of event-schemas.ts, which EventView documents).
 */
export type LiveEvent = CaseEvent;

export interface EventsPage {
  events: LiveEvent[];
  more: boolean;
  /** the newest seq in the whole log when the page was read: how far behind the client is */
  head: number;
}

/** A batch entry of the live position feed (socket.io): the schema in workforce-schemas.ts is the contract. */
export type { PositionUpdate } from '../workforce-schemas.ts';

/** A recommended officer: the schema in schemas.ts is the contract. */
export type { Candidate } from './schemas.ts';
