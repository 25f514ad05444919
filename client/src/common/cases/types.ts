// The case (案件) part of the server's JSON contract, as the console and the officer phone read it:
// the shapes live in shared/cases/contract.ts, one definition for server and client.
import type { CaseAction } from '#shared/cases/state-machine.ts';
import type { CaseState, Outcome, Source } from '#shared/cases/states.ts';
import type { Role } from '#shared/roles.ts';

export type { CaseAction, CaseState, Outcome, Role, Source };

export interface SessionUser {
  id: number;
  login: string;
  displayName: string;
  role: Role;
  districtAdcode: string | null;
  officerId: number | null;
}

export interface LoginResponse {
  token: string;
  expiresAt: string;
  user: SessionUser;
}

export type {
  CaseOfficer,
  Candidate,
  EventsPage,
  Evidence,
  CaseView,
  IntakeRequest,
  IntakeResponse,
  LiveEvent,
  PositionUpdate,
  StepRequest,
} from '#shared/cases/contract.ts';

export type LiveStatus = 'off' | 'connecting' | 'live' | 'catching-up';
