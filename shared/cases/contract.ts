// The wire contract of the case loop: what the API answers and the live feed carries. The server
// builds these shapes and the console and officer phone read them; TypeBox schemas that validate
// and document them are in schemas.ts.
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
  outcome?: Outcome;
  notes?: string;
  evidenceIds?: number[];
  extendBy?: number;
  lon?: number;
  lat?: number;
}

/** One entry of the event log (执法全过程记录), as the feed and GET /api/events carry it. */
export interface LiveEvent {
  seq: number;
  incidentId: number | null;
  type: string;
  actorUserId: number | null;
  payload: Record<string, unknown>;
  occurredAt: string;
  position: [number, number] | null;
  districtAdcode: string | null;
  officerIds: number[];
}

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

export interface Candidate {
  officerId: number;
  name: string;
  kind: 'officer' | 'auxiliary';
  certified: boolean;
  squadId: number;
  squadName: string;
  dutyStatus: string;
  meters: number;
  positionAt: string;
  responsibleSquad: boolean;
}
