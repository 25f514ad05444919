import gcoord from 'gcoord';
import type pg from 'pg';
import { listDistrict, seesDistrict } from '#shared/auth/permissions.ts';
import { newBuildingAlarm } from '#shared/buildings/alarm.ts';
import { footprintProblem, footprintSizeProblem } from '#shared/buildings/footprint.ts';
import type { BuildingCreateBody, BuildingDetail, BuildingList, BuildingStepBody, BuildingSummary } from '#shared/buildings/schemas.ts';
import {
  allowedBuildingSteps,
  type BuildingAction,
  type BuildingStage,
  checkBuildingStep,
  DEFAULT_RECTIFY_WORKING_DAYS,
  demolitionProblem,
  STAGE_LIMIT_WORKING_DAYS,
} from '#shared/buildings/stage-machine.ts';
import type { EventPayloads } from '#shared/cases/events.ts';
import type { Role } from '#shared/roles.ts';
import { computeDeadline } from '#shared/time/deadlines.ts';
import type { AuthUser } from '../auth/user.ts';
import { locate } from '../cases/repository.ts';
import type { CaseService } from '../cases/service.ts';
import { type Queryable, withTransaction } from '../db/transaction.ts';
import type { EventBus } from '../events/bus.ts';
import { appendEvents, type EventRow } from '../events/repository.ts';
import { serverCalendar } from '../holidays/service.ts';
import {
  buildingRecord,
  codeTaken,
  constructionCategory,
  evidenceOfBuilding,
  footprintFacts,
  insertBuilding,
  insertDemolition,
  listBuildings,
  type LockedBuilding,
  lockBuilding,
  markBuildingEscalated,
  nextBuildingCode,
  openCaseWithTask,
  setDemolitionSeq,
  updateStage,
  zeroGrowthDistrict,
} from './repository.ts';

/** An error the caller can fix: the route answers it with `status`, the message and (409) the steps allowed now. */
export class BuildingError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409 | 422,
    message: string,
    readonly allowed?: BuildingAction[],
  ) {
    super(message);
  }
}

/** Who takes a step: a user, or the server acting for one (a case's close). */
export interface BuildingActor {
  userId: number | null;
  role: Role;
}

type BuildingEventType = Extract<keyof EventPayloads, `building.${string}`>;

/** Today in Shanghai (the day a step is dated by), as YYYY-MM-DD. */
function shanghaiDay(at: Date): string {
  return new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

/** The due time of a stage entered at `at`: its working-day limit (shared/buildings/stage-machine.ts), or the end of the order's day. */
export function stageDue(stage: BuildingStage, at: Date, rectifyBy?: string): Date | null {
  if (stage === 'ordered' && rectifyBy) return new Date(Date.parse(`${rectifyBy}T00:00:00+08:00`) + 86_400_000);
  const limit = STAGE_LIMIT_WORKING_DAYS[stage];
  return limit === null ? null : computeDeadline(at, limit, 'working_days', serverCalendar());
}

/** Appends one event of a building to the log (incident_id null), in the caller's transaction; publish the rows after the commit. */
export async function appendBuildingEvent<K extends BuildingEventType>(
  db: Queryable,
  b: { id: number; districtAdcode: string; lon: number; lat: number },
  type: K,
  payload: EventPayloads[K],
  actorUserId: number | null,
): Promise<EventRow[]> {
  return appendEvents(db, [
    { incidentId: null, buildingId: b.id, actorUserId, districtAdcode: b.districtAdcode, position: [b.lon, b.lat], type, payload } as Parameters<
      typeof appendEvents
    >[1][number],
  ]);
}

/**
 * One stage step of a building in the caller's transaction: row lock, the stage machine, what the
 * step needs, the stage columns, a demolition's fact row, the event. Returns the events to publish.
 */
export async function applyBuildingStep(
  db: Queryable,
  buildingId: number,
  body: BuildingStepBody,
  actor: BuildingActor,
  opts: { now?: Date; incidentId?: number | null; visible?: (b: LockedBuilding) => boolean } = {},
): Promise<EventRow[]> {
  const now = opts.now ?? new Date();
  const b = await lockBuilding(db, buildingId);
  if (!b || (opts.visible && !opts.visible(b))) throw new BuildingError(404, `no building ${buildingId} that you can see`);
  const check = checkBuildingStep(b.stage, body.action, actor.role);
  if (!check.ok) throw new BuildingError(check.reason === 'state' ? 409 : 403, check.message, check.allowed);
  const today = shanghaiDay(now);
  const on = body.on ?? today;
  if (on > today) throw new BuildingError(422, `"on" ${on} is in the future; a step is dated the day it was taken (today is ${today})`);
  if (on < b.discoveredOn) throw new BuildingError(422, `"on" ${on} is before the building was discovered (${b.discoveredOn})`);
  const evidenceIds = [...new Set(body.evidenceIds ?? [])];
  if (evidenceIds.length) {
    const found = await evidenceOfBuilding(db, b.id, evidenceIds);
    const missing = evidenceIds.filter((id) => !found.includes(id));
    if (missing.length)
      throw new BuildingError(422, `evidence ${missing.join(', ')} is not of building ${b.code} or a case joined to it: upload it there first`);
  }
  const to = check.to;
  const update: Parameters<typeof updateStage>[2] = { stage: to, stageAt: now, stageDue: null };
  let reason: string | null = null;
  let rectifyBy: string | null = null;
  let demolished: number | null = null;
  switch (body.action) {
    case 'verify':
      update.verifiedOn = on;
      break;
    case 'file':
      update.filedOn = on;
      break;
    case 'order': {
      // 限期整改: the order names a date; without one, the usual limit in working days from today
      rectifyBy = body.rectifyBy ?? shanghaiDay(computeDeadline(now, DEFAULT_RECTIFY_WORKING_DAYS, 'working_days', serverCalendar()));
      if (rectifyBy <= on) throw new BuildingError(422, `"rectifyBy" ${rectifyBy} must be after the order's day ${on}: the party needs time to rectify`);
      update.orderedOn = on;
      update.rectifyBy = rectifyBy;
      break;
    }
    case 'demolish': {
      if (body.demolishedAreaM2 === undefined) throw new BuildingError(400, 'demolishing (拆除) needs "demolishedAreaM2": the m² taken down this time');
      const problem = demolitionProblem(b.areaM2, b.floors, b.demolishedAreaM2, body.demolishedAreaM2);
      if (problem) throw new BuildingError(422, problem);
      // what is left may be a centimetre short of the typed figure (demolitionProblem's slack): never record more than the floor area
      demolished = Math.min(body.demolishedAreaM2, b.areaM2 * b.floors - b.demolishedAreaM2);
      update.demolishedOn = on;
      update.demolishedAreaM2 = demolished;
      break;
    }
    case 'rectify':
      update.rectifiedOn = on;
      break;
    case 'close':
      update.closedOn = on;
      break;
    case 'dismiss': {
      if (!body.reason?.trim()) throw new BuildingError(400, 'dismissing (核查不实/不予立案) needs a "reason": why this is not an illegal building');
      reason = body.reason.trim();
      update.closedOn = on;
      break;
    }
  }
  update.stageDue = stageDue(to, now, rectifyBy ?? undefined);
  await updateStage(db, b.id, update);
  const fact = demolished !== null ? await insertDemolition(db, b, on, demolished) : null;
  const events = await appendBuildingEvent(
    db,
    b,
    body.action === 'dismiss' ? 'building.dismissed' : (`building.${to}` as 'building.verified'),
    {
      code: b.code,
      action: body.action,
      from: b.stage,
      to,
      on,
      note: body.note ?? null,
      reason,
      rectifyBy,
      demolishedAreaM2: demolished,
      demolishedTotalM2: b.demolishedAreaM2 + (demolished ?? 0),
      stageDue: update.stageDue?.toISOString() ?? null,
      evidenceIds,
      incidentId: opts.incidentId ?? null,
    },
    actor.userId,
  );
  if (fact) await setDemolitionSeq(db, fact.id, events[0]!.seq);
  return events;
}

/**
 * 新增违建零容忍 (shared/buildings/alarm.ts) on a building just registered: escalates it when the rule
 * fires. Returns the reason (for the case that found it) and the events.
 */
export async function buildingAlarm(
  db: Queryable,
  b: { id: number; code: string; kind: string; districtAdcode: string; keyAreaIds: number[]; lon: number; lat: number },
  now: Date,
  actorUserId: number | null,
  incidentId: number | null,
): Promise<{ reason: { zh: string; en: string } | null; events: EventRow[] }> {
  const year = Number(shanghaiDay(now).slice(0, 4));
  const reason = newBuildingAlarm({
    kind: b.kind,
    inKeyArea: b.keyAreaIds.length > 0,
    zeroGrowthDistrict: b.kind === 'new' && (await zeroGrowthDistrict(db, b.districtAdcode, year)),
  });
  if (!reason) return { reason: null, events: [] };
  await markBuildingEscalated(db, b.id);
  const events = await appendBuildingEvent(db, b, 'building.escalated', { code: b.code, reason: reason.zh, reasonEn: reason.en, incidentId }, actorUserId);
  return { reason, events };
}

/** A building to register, its footprint in WGS84 (GeoJSON text) or a square around a point (待测绘). */
export interface Registration {
  code?: string;
  geojson: string | null;
  square?: { lon: number; lat: number; side: number };
  kind: 'stock' | 'new';
  floors: number;
  declaredAreaM2?: number;
  use?: string;
  party?: string;
  discoveredOn?: string;
  notes?: string;
  originIncidentId?: number | null;
}

/**
 * Registers a building at a place already checked (district known): placed like a case at its point
 * on the surface, timed, its discovery event appended and the alarm rule applied. In the caller's transaction.
 */
export async function registerBuilding(
  db: Queryable,
  r: Registration,
  at: { lon: number; lat: number; districtAdcode: string },
  actorUserId: number | null,
  now: Date,
): Promise<{ id: number; code: string; escalation: { zh: string; en: string } | null; events: EventRow[] }> {
  const location = await locate(db, at.lon, at.lat);
  const code = r.code ?? (await nextBuildingCode(db, at.districtAdcode));
  if (r.code && (await codeTaken(db, r.code))) throw new BuildingError(409, `building code ${r.code} is taken; leave "code" out to be given one`);
  const due = stageDue('discovered', now);
  const keyAreaIds = location?.keyAreaIds ?? [];
  const row = await insertBuilding(db, {
    code,
    geojson: r.geojson,
    square: r.square,
    kind: r.kind,
    floors: r.floors,
    declaredAreaM2: r.declaredAreaM2 ?? null,
    use: r.use ?? null,
    party: r.party ?? null,
    districtAdcode: at.districtAdcode,
    discoveredOn: r.discoveredOn ?? null,
    gridCellId: location?.gridCellId ?? null,
    streetCode: location?.streetCode ?? null,
    keyAreaIds,
    stageAt: now,
    stageDue: due,
    originIncidentId: r.originIncidentId ?? null,
    notes: r.notes ?? null,
  });
  const b = { id: row.id, code, kind: r.kind, districtAdcode: at.districtAdcode, keyAreaIds, lon: at.lon, lat: at.lat };
  const events = await appendBuildingEvent(
    db,
    b,
    'building.discovered',
    { code, kind: r.kind, areaM2: row.areaM2, stageDue: due?.toISOString() ?? null, originIncidentId: r.originIncidentId ?? null, keyAreaIds },
    actorUserId,
  );
  const alarm = await buildingAlarm(db, b, now, actorUserId, r.originIncidentId ?? null);
  return { id: row.id, code, escalation: alarm.reason, events: [...events, ...alarm.events] };
}

/** The register as a workflow (违法建设治理): list, record, registration, stage steps, field cases. */
export class BuildingService {
  constructor(
    private readonly pool: pg.Pool,
    private readonly bus: EventBus,
    private readonly cases: CaseService,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** For the other building capabilities: a step in their transaction (publish the returned events after the commit). */
  applyStep(client: Queryable, buildingId: number, body: BuildingStepBody, actor: BuildingActor, opts?: { incidentId?: number | null }): Promise<EventRow[]> {
    return applyBuildingStep(client, buildingId, body, actor, { ...opts, now: this.now() });
  }

  appendBuildingEvent<K extends BuildingEventType>(
    client: Queryable,
    b: { id: number; districtAdcode: string; lon: number; lat: number },
    type: K,
    payload: EventPayloads[K],
    actorUserId: number | null,
  ): Promise<EventRow[]> {
    return appendBuildingEvent(client, b, type, payload, actorUserId);
  }

  async list(
    user: AuthUser,
    q: { stage?: BuildingStage; kind?: 'stock' | 'new'; overdue?: boolean; district?: string; q?: string; limit?: number; offset?: number },
  ): Promise<BuildingList> {
    const scope = listDistrict(user, q.district ?? null);
    if (!scope.ok) throw new BuildingError(403, scope.message);
    return listBuildings(this.pool, { ...q, district: scope.district });
  }

  async detail(user: AuthUser, id: number): Promise<BuildingDetail | null> {
    const { buildings } = await listBuildings(this.pool, { id, district: user.districtAdcode, limit: 1 });
    const building: BuildingSummary | undefined = buildings[0];
    if (!building) return null;
    const record = await buildingRecord(this.pool, id);
    return { building, ...record, allowedSteps: allowedBuildingSteps(building.stage, user.role) };
  }

  async create(user: AuthUser, body: BuildingCreateBody): Promise<BuildingDetail> {
    const problem = footprintProblem(body.geometry);
    if (problem) throw new BuildingError(422, problem);
    const crs = body.crs ?? 'wgs84';
    const geometry =
      crs === 'wgs84'
        ? body.geometry
        : (gcoord.transform(body.geometry as never, crs === 'gcj02' ? gcoord.GCJ02 : gcoord.BD09, gcoord.WGS84) as typeof body.geometry);
    const geojson = JSON.stringify({ type: geometry.type, coordinates: geometry.coordinates });
    const now = this.now();
    const today = shanghaiDay(now);
    if (body.discoveredOn && body.discoveredOn > today) throw new BuildingError(422, `discoveredOn ${body.discoveredOn} is in the future (today is ${today})`);
    let events: EventRow[] = [];
    const id = await withTransaction(this.pool, async (db) => {
      const facts = await footprintFacts(db, geojson);
      if (!facts.valid) throw new BuildingError(422, `the footprint is not a valid polygon: ${facts.reason}; redraw the outline without crossing edges`);
      const size = footprintSizeProblem(facts.areaM2);
      if (size) throw new BuildingError(422, size);
      if (!facts.districtAdcode) {
        throw new BuildingError(
          422,
          `the footprint (near ${facts.lon.toFixed(6)},${facts.lat.toFixed(6)} WGS84) is outside every district this system serves; check the coordinates and their crs`,
        );
      }
      if (!seesDistrict(user, facts.districtAdcode)) {
        throw new BuildingError(403, `you register buildings in district ${user.districtAdcode} only; this footprint is in ${facts.districtAdcode}`);
      }
      const made = await registerBuilding(
        db,
        { ...body, geojson, originIncidentId: null },
        { lon: facts.lon, lat: facts.lat, districtAdcode: facts.districtAdcode },
        user.id,
        now,
      );
      events = made.events;
      return made.id;
    });
    this.bus.publish(events);
    return (await this.detail(user, id))!;
  }

  async step(user: AuthUser, id: number, body: BuildingStepBody): Promise<BuildingDetail> {
    const events = await withTransaction(this.pool, (db) =>
      applyBuildingStep(db, id, body, { userId: user.id, role: user.role }, { now: this.now(), visible: (b) => seesDistrict(user, b.districtAdcode) }),
    );
    this.bus.publish(events);
    return (await this.detail(user, id))!;
  }

  /**
   * A field step (核查, 拆除, 巡查) sent out as a case through the normal intake, registered at once so
   * the dispatcher can recommend and dispatch; its close moves the building (cases/service.ts).
   */
  async fieldCase(user: AuthUser, id: number, body: { task: 'verify' | 'demolish' | 'inspect'; description?: string }) {
    const detail = await this.detail(user, id);
    if (!detail) throw new BuildingError(404, `no building ${id} that you can see`);
    const b = detail.building;
    if (body.task === 'inspect') {
      if (b.stage === 'closed') throw new BuildingError(409, `building ${b.code} is closed (销号): there is nothing to inspect`);
    } else {
      const check = checkBuildingStep(b.stage, body.task, 'admin');
      if (!check.ok)
        throw new BuildingError(409, `${check.message.replace(/; allowed now.*$/, '')}; a field case cannot be sent for it now`, detail.allowedSteps);
    }
    const category = await constructionCategory(this.pool);
    if (!category)
      throw new BuildingError(409, 'the current catalogue marks no category as construction (违法建设): an administrator marks one, e.g. 0101 私搭乱建');
    const words = { verify: '核查', demolish: '拆除', inspect: '巡查' }[body.task];
    const r = await this.cases.intake(
      user,
      {
        category,
        source: 'inspection',
        description: body.description?.trim() || `${words} 违法建设 ${b.code}${b.party ? ` (${b.party})` : ''}`,
        lon: b.lon,
        lat: b.lat,
        register: true,
      },
      null,
      { buildingId: id, task: body.task },
    );
    return r.incident;
  }
}

export { openCaseWithTask };
