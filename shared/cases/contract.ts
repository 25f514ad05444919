// The wire contract of the case loop: what the API answers and the live feed carries. The server
// builds these shapes and the console and officer phone read them; TypeBox schemas that validate
// and document them are in schemas.ts.
import type { CaseEvent } from './events.ts';
import type { CaseAction } from './state-machine.ts';
import type { CaseState, Outcome, Source } from './states.ts';
import type { TimeType } from '../categories/time-types.ts';

export interface CaseOfficer {
  officerId: number;
  name: string;
  kind: 'officer' | 'auxiliary';
  /** pending | accepted | declined | done | timed_out | cancelled */
  dispatchState: string;
}

export interface Evidence {
  id: number;
  mime: string;
  bytes: number;
  sha256: string;
}

export interface IncidentView {
  id: number;
  code: string;
  state: CaseState;
  category: { code: string; nameZh: string; nameEn: string; timeLimit: number; timeType: TimeType; enforcement: boolean };
  source: Source;
  sourceRef: string | null;
  description: string;
  lon: number;
  lat: number;
  address: string | null;
  gridCode: string | null;
  districtAdcode: string | null;
  districtName: string | null;
  streetCode: string | null;
  streetName: string | null;
  keyAreas: { id: number; name: string }[];
  priority: number;
  deadline: string | null;
  overdue: boolean;
  reportedAt: string;
  registeredAt: string | null;
  dispatchedAt: string | null;
  acceptedAt: string | null;
  onSceneAt: string | null;
  handledAt: string | null;
  closedAt: string | null;
  outcome: Outcome | null;
  feedbackNotes: string | null;
  stateReason: string | null;
  reworkCount: number;
  extendedCount: number;
  /** when the case was escalated (督办), by hand or by the overdue clock; null if never */
  escalatedAt: string | null;
  /** the case this one was merged into (it is then voided), or null */
  mergedInto: { id: number; code: string } | null;
  officers: CaseOfficer[];
  evidence: Evidence[];
  allowedSteps?: CaseAction[];
}

export interface IntakeRequest {
  category: string;
  source: Source;
  description: string;
  lon: number;
  lat: number;
  crs?: 'wgs84' | 'gcj02' | 'bd09';
  address?: string;
  reporterName?: string;
  reporterContact?: string;
  register?: boolean;
}

export interface IntakeResponse {
  incident: IncidentView;
  possibleDuplicates: { id: number; code: string; meters: number }[];
  replayed: boolean;
}

export interface StepRequest {
  reason?: string;
  officerIds?: number[];
  /** merge: the case this one duplicates */
  intoId?: number;
  outcome?: Outcome;
  notes?: string;
  evidenceIds?: number[];
  extendBy?: number;
  lon?: number;
  lat?: number;
}

/** POST /api/incidents/:id/merge — void this case (reported or registered) into the open case it duplicates. */
export interface MergeRequest {
  intoId: number;
  reason?: string;
}

/** POST /api/incidents/:id/escalate — 督办 by hand, once per case; the state does not change. */
export interface EscalateRequest {
  reason: string;
}

/** POST /api/incidents/:id/reassign — cancel the live dispatches (dispatched or accepted) and send these officers instead. */
export interface ReassignRequest {
  officerIds: number[];
  reason: string;
}

/** An open case of the same category within 50 m and 24 h (重复案件). */
export interface DuplicateCase {
  id: number;
  code: string;
  state: CaseState;
  /** distance from the point asked about, metres (spheroid) */
  meters: number;
  reportedAt: string;
  description: string;
  category: { code: string; nameZh: string; nameEn: string };
}

/** Where a point would be located on intake: the same lookup intake does. */
export interface PlacePreview {
  districtAdcode: string;
  districtName: string | null;
  streetCode: string | null;
  streetName: string | null;
  gridCode: string | null;
  keyAreas: { id: number; name: string }[];
}

/** GET /api/incidents/duplicates?lon=&lat=&crs=&categoryCode= */
export interface DuplicatesPreview {
  /** the point in WGS84, as intake would store it */
  lon: number;
  lat: number;
  /** null: outside every district served (intake would refuse it with 422) */
  location: PlacePreview | null;
  duplicates: DuplicateCase[];
}

export type DutyStatus = 'off_duty' | 'available' | 'busy';

/** Counts by duty status; busy = on a case. */
export interface DutyCounts {
  available: number;
  busy: number;
  offDuty: number;
}

export interface BoardMember {
  id: number;
  name: string;
  kind: 'officer' | 'auxiliary';
  /** holds a valid enforcement certificate (执法证) */
  certified: boolean;
  dutyStatus: DutyStatus;
  /** seconds since the last position fix; null if none */
  positionAgeSeconds: number | null;
  /** the case of their live (pending or accepted) dispatch, if any */
  currentCase: { id: number; code: string; state: CaseState; dispatchState: 'pending' | 'accepted'; category: { code: string; nameZh: string; nameEn: string } } | null;
}

export interface BoardSquad {
  id: number;
  name: string;
  districtAdcode: string;
  members: BoardMember[];
}

export interface BoardDistrict {
  adcode: string;
  name: string;
  officers: DutyCounts;
  auxiliaries: DutyCounts;
  squads: BoardSquad[];
}

/** GET /api/squads/board — squads (中队) and their people, by district, in the user's scope. */
export interface SquadBoard {
  generatedAt: string;
  districts: BoardDistrict[];
}

/** One entry of the event log (执法全过程记录), as the feed and GET /api/events carry it: see events.ts. */
export type LiveEvent = CaseEvent;

export interface EventsPage {
  events: LiveEvent[];
  more: boolean;
}

export interface PositionUpdate {
  officerId: number;
  lon: number;
  lat: number;
  at: string;
  dutyStatus: string;
  districtAdcode: string;
}

/** A recommended officer: the schema in schemas.ts is the contract. */
export type { Candidate } from './schemas.ts';
