import { createHash } from 'node:crypto';
import gcoord from 'gcoord';
import type pg from 'pg';
import { seesDistrict } from '#shared/auth/permissions.ts';
import { allowedSteps, type CaseAction, checkStep, mayTake, mergedReason, mergeTargetProblem, reassignProblem } from '#shared/cases/state-machine.ts';
import { mayReportAs, sourcesForRole } from '#shared/cases/sources.ts';
import type { CaseState } from '#shared/cases/states.ts';
import type { DuplicatesPreview, StepRequest } from '#shared/cases/contract.ts';
import type { EventPayloads, EventType } from '#shared/cases/events.ts';
import type { CRS_VALUES, IntakeBody } from '#shared/cases/schemas.ts';
import { computeDeadline } from '#shared/time/deadlines.ts';
import { isCertified } from '#shared/workforce.ts';
import type { AuthUser } from '../auth/user.ts';
import {
  acceptDispatch,
  type Candidate,
  createDispatches,
  finishDispatches,
  lastHandlers,
  liveDispatches,
  lockOfficers,
  recommend,
  responsibleSquad,
} from '../dispatch/repository.ts';
import { type Queryable, withTransaction } from '../db/transaction.ts';
import type { EventBus } from '../events/bus.ts';
import { appendAndCommit, appendEvents, type EventRow, incidentEvents, type NewEvent } from '../events/repository.ts';
import { categoryById, type CategoryRow } from '../categories/repository.ts';
import { CategoryService } from '../categories/service.ts';
import { serverCalendar } from '../holidays/service.ts';
import { nearestLandmark } from '../geocode/service.ts';
import { BUILDING_MATCH_TOLERANCE_M } from '#shared/buildings/alarm.ts';
import { demolitionProblem } from '#shared/buildings/stage-machine.ts';
import { applyBuildingStep, appendBuildingEvent, BuildingError, registerBuilding } from '../buildings/service.ts';
import {
  caseBuilding,
  escalateCaseForBuilding,
  handledDemolishedArea,
  linkCase,
  lockBuilding,
  nearestOpenBuilding,
  openCaseWithTask,
} from '../buildings/repository.ts';
import {
  addRework,
  caseVisible,
  districtName,
  type DuplicateCase,
  duplicatesNear,
  evidenceOfCase,
  extendDeadline,
  findByIdempotencyKey,
  findStepRequest,
  gridCellOf,
  insertNewCase,
  insertStepRequest,
  type CaseRow,
  type CaseView,
  locate,
  lockIdempotencyKey,
  lockCase,
  lockCasesInOrder,
  markEscalated,
  markMerged,
  possibleDuplicates,
  setState,
  viewCases,
} from './repository.ts';

export type Crs = (typeof CRS_VALUES)[number];

/** An error the caller can fix: the route answers it with `status` and the message. */
export class CaseError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409 | 422,
    message: string,
    readonly allowed?: CaseAction[],
  ) {
    super(message);
  }
}

/** A case opened for a building's field step (POST /api/buildings/:id/field-case): the building and the task. */
export interface BuildingLink {
  buildingId: number;
  task: 'verify' | 'demolish' | 'inspect';
}

/** The priority a case gets when the building it found is escalated (新增违建零容忍): it goes to the top of the queue. */
const ESCALATED_BUILDING_PRIORITY = 90;

/** A report as POST /api/incidents takes it (the schema is the contract). */
export type IntakeInput = IntakeBody;

export function toWgs84(lon: number, lat: number, crs: Crs): [number, number] {
  if (crs === 'wgs84') return [lon, lat];
  const [x, y] = gcoord.transform([lon, lat], crs === 'gcj02' ? gcoord.GCJ02 : gcoord.BD09, gcoord.WGS84) as [number, number];
  return [x, y];
}

export type StepInput = StepRequest;

/** Events of a step that moves a case between states (their payload starts with code, from, to). */
type StepEventType = { [K in EventType]: EventPayloads[K] extends { code: string; from: CaseState; to: CaseState } ? K : never }[EventType];
type StepExtra<K extends StepEventType> = Omit<EventPayloads[K], 'code' | 'from' | 'to'>;

/** JSON with the keys of every object sorted (and undefined members left out): equal requests, equal text. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJson(x))).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/**
 * What identifies an intake request under its Idempotency-Key: sha256 of the report's canonical JSON,
 * defaults filled in (leaving out `crs` means wgs84, leaving out `register` means false).
 */
export function intakeFingerprint(input: IntakeInput): string {
  return createHash('sha256')
    .update(canonicalJson({ ...input, crs: input.crs ?? 'wgs84', register: input.register ?? false }))
    .digest('hex');
}

export class CaseService {
  constructor(
    private readonly pool: pg.Pool,
    private readonly bus: EventBus,
    private readonly categories = new CategoryService(pool),
    /** the time deadlines count from; the demo history runs the service at past times (the database side: app_now()) */
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** A new case, located, prioritised and timed in one transaction; a retried key returns the first. */
  async intake(
    user: AuthUser,
    input: IntakeInput,
    idempotencyKey: string | null,
    building: BuildingLink | null = null,
  ): Promise<{ incident: CaseView; duplicates: DuplicateCase[]; replayed: boolean }> {
    if (!mayReportAs(user.role, input.source)) {
      throw new CaseError(422, `role ${user.role} reports with source ${sourcesForRole(user.role).join(' or ') || '(none)'}, not ${input.source}`);
    }
    if (input.register && !mayTake(user.role, 'register')) {
      throw new CaseError(403, `role ${user.role} may not register (立案) a case; leave out "register"`);
    }
    const category = await this.category(input.category);
    const key = idempotencyKey ? `${user.id}:${idempotencyKey}` : null;
    const fingerprint = key ? intakeFingerprint(input) : null;
    const [lon, lat] = toWgs84(input.lon, input.lat, input.crs ?? 'wgs84');
    let events: EventRow[] = [];
    const result = await withTransaction(this.pool, async (db) => {
      if (key) {
        // Serialise retries of one key so exactly one of them inserts.
        await lockIdempotencyKey(db, key);
        const existing = await findByIdempotencyKey(db, key);
        // a case reported before fingerprints were kept (null) is taken as the same request
        if (existing && existing.fingerprint !== null && existing.fingerprint !== fingerprint) {
          throw new CaseError(
            422,
            `Idempotency-Key ${idempotencyKey} was already used for another report (case ${existing.code}); use a new key for a new report, or resend exactly the same report`,
          );
        }
        if (existing) return { kind: 'replay' as const, id: existing.id };
      }
      const location = await locate(db, lon, lat);
      if (!location)
        throw new CaseError(
          422,
          `point ${lon.toFixed(6)},${lat.toFixed(6)} (WGS84) is outside every district this system serves; check the coordinates and their crs`,
        );
      // A district-scoped desk reports in its district only; an officer's scope is their cases, not a
      // district (a patrol sent across the line still reports what they find there).
      if (user.role !== 'officer' && !seesDistrict(user, location.districtAdcode)) {
        throw new CaseError(
          403,
          `you report for ${await districtName(db, user.districtAdcode!)} (${user.districtAdcode}) only; this point is in ${location.districtName ?? '?'} (${location.districtAdcode}): ask a city-wide dispatcher or that district to report it`,
        );
      }
      const landmark = await nearestLandmark(db, { lon, lat });
      const priority = Math.min(100, category.basePriority + location.areaBoost + location.eventBoost);
      const registered = input.register === true;
      const deadline = computeDeadline(this.now(), category.timeLimit, category.timeType, serverCalendar());
      const row = await insertNewCase(db, {
        category,
        source: input.source,
        sourceRef: input.sourceRef ?? null,
        description: input.description,
        lon,
        lat,
        address: input.address ?? null,
        location,
        landmark,
        priority,
        deadline,
        reporterName: input.reporterName ?? null,
        reporterContact: input.reporterContact ?? null,
        reportedBy: user.id,
        idempotencyKey: key,
        idempotencyFingerprint: fingerprint,
        registered,
      });
      // Only what the reporter may see: an officer their own cases, a district-scoped user their district.
      const duplicates = await duplicatesNear(db, { lon, lat, categoryId: category.id, at: null, excludeId: row.id, viewer: user });
      const base = { incidentId: row.id, actorUserId: user.id, districtAdcode: location.districtAdcode, position: [lon, lat] as [number, number] };
      const news: NewEvent[] = [
        {
          ...base,
          type: 'incident.reported',
          payload: {
            code: row.code,
            category: category.minorCode,
            source: input.source,
            sourceRef: input.sourceRef ?? null,
            priority,
            gridCode: location.gridCode,
            keyAreaIds: location.keyAreaIds,
            duplicates: duplicates.map((d) => d.code),
          },
        },
      ];
      if (registered) news.push({ ...base, type: 'incident.registered', payload: { code: row.code, from: 'reported', to: 'registered' } });
      // the append last, with its COMMIT, unless the building join below appends after it
      const final = !(building || category.construction);
      events = final ? await appendAndCommit(db, news) : await appendEvents(db, news);
      // A construction case concerns a building: joined to it (or to a new one) in this transaction, so
      // a replay of the key (answered above) never registers a second building.
      const joined =
        building || category.construction
          ? await this.joinBuilding(db, user, { id: row.id, code: row.code, lon, lat, districtAdcode: location.districtAdcode! }, building)
          : null;
      if (joined) events.push(...joined.events);
      const escalated = joined?.escalated ?? false;
      // Everything the answer shows is known here: no second read after the commit.
      const incident: CaseView = {
        id: row.id,
        code: row.code,
        state: registered ? 'registered' : 'reported',
        category: {
          code: category.minorCode,
          nameZh: category.nameZh,
          nameEn: category.nameEn,
          timeLimit: category.timeLimit,
          timeType: category.timeType,
          enforcement: category.enforcement,
        },
        source: input.source,
        sourceRef: input.sourceRef ?? null,
        description: input.description,
        lon,
        lat,
        address: input.address ?? null,
        gridCode: location.gridCode,
        districtAdcode: location.districtAdcode,
        districtName: location.districtName,
        streetCode: location.streetCode,
        streetName: location.streetName,
        communityCode: location.communityCode,
        communityName: location.communityName,
        landmark,
        keyAreas: location.keyAreas,
        priority: escalated ? Math.max(priority, ESCALATED_BUILDING_PRIORITY) : priority,
        deadline: deadline.toISOString(),
        overdue: false,
        reportedAt: row.reportedAt,
        registeredAt: row.registeredAt,
        dispatchedAt: null,
        acceptedAt: null,
        onSceneAt: null,
        handledAt: null,
        closedAt: null,
        outcome: null,
        feedbackNotes: null,
        stateReason: null,
        reworkCount: 0,
        extendedCount: 0,
        escalatedAt: escalated ? joined!.escalatedAt : null,
        mergedInto: null,
        building: joined?.building ?? null,
        officers: [],
        evidence: [],
      };
      return { kind: 'new' as const, incident, duplicates };
    });
    this.bus.publish(events);
    if (result.kind === 'replay') {
      return { incident: await this.unscopedView(result.id), duplicates: await possibleDuplicates(this.pool, result.id, user), replayed: true };
    }
    return { incident: result.incident, duplicates: result.duplicates, replayed: false };
  }

  /**
   * Joins a new case to its building. A field case names it; a construction case takes the registered
   * building (not closed) whose footprint is nearest within BUILDING_MATCH_TOLERANCE_M, or registers a
   * new one (新增, footprint to be surveyed) for the case to verify. When the new-building alarm fires,
   * the case is escalated (督办) as the escalate step marks it, so the wall shows it like an urgent case.
   */
  private async joinBuilding(
    db: Queryable,
    user: AuthUser,
    c: { id: number; code: string; lon: number; lat: number; districtAdcode: string },
    link: BuildingLink | null,
  ): Promise<{ events: EventRow[]; escalated: boolean; escalatedAt: string | null; building: NonNullable<CaseView['building']> }> {
    const events: EventRow[] = [];
    let buildingId: number;
    let task: 'verify' | 'demolish' | 'inspect' | 'report';
    let escalation: { zh: string; en: string } | null = null;
    if (link) {
      // the building's lock serialises two field cases for it: the second finds the first
      if (!(await lockBuilding(db, link.buildingId))) throw new CaseError(404, `no building ${link.buildingId}`);
      const open = await openCaseWithTask(db, link.buildingId, link.task);
      if (open) throw new CaseError(409, `case ${open.code} already carries the ${link.task} step of this building; follow it up instead of opening another`);
      buildingId = link.buildingId;
      task = link.task;
    } else {
      const near = await nearestOpenBuilding(db, c.lon, c.lat, BUILDING_MATCH_TOLERANCE_M);
      if (near !== null) {
        buildingId = near;
        task = 'report';
      } else {
        const made = await registerBuilding(
          db,
          {
            geojson: null,
            square: { lon: c.lon, lat: c.lat, side: 10 },
            kind: 'new',
            floors: 1,
            notes: `待测绘 to be surveyed: a 10 m square around the point of case ${c.code}; draw the footprint when it is verified`,
            originIncidentId: c.id,
          },
          { lon: c.lon, lat: c.lat, districtAdcode: c.districtAdcode },
          user.id,
          this.now(),
        );
        events.push(...made.events);
        buildingId = made.id;
        task = 'verify';
        escalation = made.escalation;
      }
    }
    await linkCase(db, c.id, buildingId, task);
    const b = (await lockBuilding(db, buildingId))!;
    events.push(...(await appendBuildingEvent(db, b, 'building.case_linked', { code: b.code, incidentId: c.id, caseCode: c.code, task }, user.id)));
    const building = { id: b.id, code: b.code, kind: b.kind, stage: b.stage, task, escalated: b.escalatedAt !== null };
    if (!escalation) return { events, escalated: false, escalatedAt: null, building };
    events.push(
      ...(await appendEvents(db, [
        {
          incidentId: c.id,
          actorUserId: user.id,
          districtAdcode: c.districtAdcode,
          position: [c.lon, c.lat],
          type: 'incident.escalated',
          payload: { code: c.code, to: 'leader', reason: `${escalation.zh} ${escalation.en}` },
        },
      ])),
    );
    const escalatedAt = await escalateCaseForBuilding(db, c.id, ESCALATED_BUILDING_PRIORITY);
    return { events, escalated: true, escalatedAt, building };
  }

  /**
   * Before a report is saved: where it would be located and the open cases it may duplicate (the
   * rule intake applies), within what the user may see.
   */
  async previewIntake(user: AuthUser, q: { lon: number; lat: number; crs?: Crs; categoryCode: string }): Promise<DuplicatesPreview> {
    const category = await this.category(q.categoryCode);
    const [lon, lat] = toWgs84(q.lon, q.lat, q.crs ?? 'wgs84');
    const [location, landmark] = await Promise.all([locate(this.pool, lon, lat), nearestLandmark(this.pool, { lon, lat })]);
    const duplicates = await duplicatesNear(this.pool, { lon, lat, categoryId: category.id, at: null, excludeId: null, viewer: user });
    return {
      lon,
      lat,
      duplicates,
      location: location && {
        districtAdcode: location.districtAdcode!,
        districtName: location.districtName,
        streetCode: location.streetCode,
        streetName: location.streetName,
        gridCode: location.gridCode,
        landmark,
        keyAreas: location.keyAreas,
      },
    };
  }

  private async category(code: string): Promise<CategoryRow> {
    const category = await this.categories.get(code);
    if (!category)
      throw new CaseError(400, `unknown category "${code}"; use a minor code of the current catalogue: ${(await this.categories.codes()).join(', ')}`);
    return category;
  }

  /** The cases `user` may see (GET /api/incidents): open or all, of one state, a page. */
  list(user: AuthUser, filter: { open?: boolean; state?: CaseState; limit?: number; afterId?: number }): Promise<CaseView[]> {
    return viewCases(this.pool, user, filter);
  }

  /** The record of a case (执法全过程记录), or null if `user` may not see the case. */
  async events(user: AuthUser, id: number): Promise<EventRow[] | null> {
    if (!(await this.view(user, id))) return null;
    return incidentEvents(this.pool, id);
  }

  /**
   * One step of a case. With an idempotency key, a step already taken under that key (a phone
   * resending what it queued offline) is answered with the case as it is now, and `replayed`.
   */
  async step(
    user: AuthUser,
    incidentId: number,
    action: CaseAction,
    input: StepInput,
    idempotencyKey: string | null = null,
  ): Promise<CaseView & { replayed?: boolean }> {
    const { replayed } = await this.take(user, incidentId, action, input, idempotencyKey);
    // The answer to one's own step (and to a resend of it) is the case as it is now, also when the step
    // ended one's sight of it (an officer who declined), with no steps left to take; GET answers 404 after.
    const view = (await this.view(user, incidentId)) ?? { ...(await this.unscopedView(incidentId)), allowedSteps: [] };
    return replayed ? { ...view, replayed } : view;
  }

  /** The step itself, without reading the case back: for callers that need no answer (the demo history). */
  async take(user: AuthUser, incidentId: number, action: CaseAction, input: StepInput, idempotencyKey: string | null = null): Promise<{ replayed: boolean }> {
    let events: EventRow[] = [];
    let replayed = false;
    await withTransaction(this.pool, async (db) => {
      // A merge locks both cases, in id order: a merge the other way round at the same instant waits, then finds this one voided.
      if (action === 'merge' && input.intoId) await lockCasesInOrder(db, [incidentId, input.intoId]);
      const inc = await lockCase(db, incidentId);
      // after the case lock: a resend racing the first send waits for it, then finds its key
      const prior = idempotencyKey ? await findStepRequest(db, user.id, idempotencyKey) : null;
      const resend = prior !== null && prior.incidentId === incidentId && prior.action === action;
      // a resend of the user's own step is answered even when that step took the case out of their sight (a decline)
      if (!inc || (!resend && !(await this.visible(db, user, inc)))) throw new CaseError(404, `no case ${incidentId} that you can see`);
      if (prior && !resend) {
        throw new CaseError(
          422,
          `Idempotency-Key ${idempotencyKey} was already used for ${prior.action} of case ${prior.incidentId}; use a new key for a new step`,
        );
      }
      if (resend) {
        replayed = true;
        return;
      }
      const check = checkStep(inc.state, action, user.role, { escalatedAt: inc.escalatedAt });
      if (!check.ok) throw new CaseError(check.reason === 'state' ? 409 : 403, check.message, check.allowed);
      const news = await this.apply(db, user, inc, action, check.to, input);
      if (idempotencyKey) await insertStepRequest(db, user.id, idempotencyKey, incidentId, action);
      // the append last, with its COMMIT (the log's lock held no longer than the database's work)
      if (action !== 'close') events = await appendAndCommit(db, news);
      else {
        events = await appendEvents(db, news);
        events.push(...(await this.closeBuildingStep(db, user, inc)));
      }
    });
    this.bus.publish(events);
    return { replayed };
  }

  /**
   * The close of a case carrying a building's field step takes that step, in the same transaction:
   * 核查结案 verifies a building still discovered; a demolition case records the area its handle
   * declared. The server acts for the bureau here (the role of the closer does not matter: whoever may
   * close the case has accepted the field work), so the step is checked as an administrator's.
   */
  private async closeBuildingStep(db: Queryable, user: AuthUser, inc: CaseRow): Promise<EventRow[]> {
    const link = await caseBuilding(db, inc.id);
    if (link.buildingId === null || (link.task !== 'verify' && link.task !== 'demolish')) return [];
    const b = await lockBuilding(db, link.buildingId);
    if (!b) return [];
    const actor = { userId: user.id, role: 'admin' as const };
    const opts = { now: this.now(), incidentId: inc.id };
    try {
      if (link.task === 'verify') {
        if (b.stage !== 'discovered') return [];
        return await applyBuildingStep(db, b.id, { action: 'verify', note: `核查结案 case ${inc.code}` }, actor, opts);
      }
      const area = await handledDemolishedArea(db, inc.id);
      if (area === null || (b.stage !== 'ordered' && b.stage !== 'demolished')) return [];
      return await applyBuildingStep(db, b.id, { action: 'demolish', demolishedAreaM2: area, note: `拆除结案 case ${inc.code}` }, actor, opts);
    } catch (err) {
      if (err instanceof BuildingError) throw new CaseError(err.status === 409 ? 409 : 422, `closing moves building ${b.code}: ${err.message}`);
      throw err;
    }
  }

  private async unscopedView(id: number): Promise<CaseView> {
    const [inc] = await viewCases(this.pool, { role: 'admin', districtAdcode: null, officerId: null }, { id });
    return inc!;
  }

  async view(user: AuthUser, id: number): Promise<(CaseView & { allowedSteps: CaseAction[] }) | null> {
    const [inc] = await viewCases(this.pool, user, { id });
    return inc ? { ...inc, allowedSteps: allowedSteps(inc.state, user.role, { escalatedAt: inc.escalatedAt }) } : null;
  }

  /** The case rule of the list and the view (caseVisibleSql), on a case this transaction holds. */
  private async visible(db: Queryable, user: AuthUser, inc: CaseRow): Promise<boolean> {
    return caseVisible(db, user, inc.id);
  }

  /**
   * Who to send (GET …/recommendations): the responsible squad first, then the nearest available
   * officers; a district-scoped dispatcher is offered only their district's officers.
   */
  async recommendations(user: AuthUser, id: number, limit: number): Promise<Candidate[] | null> {
    const inc = await this.view(user, id);
    if (!inc) return null;
    return recommend(
      this.pool,
      { lon: inc.lon, lat: inc.lat },
      await responsibleSquad(this.pool, await gridCellOf(this.pool, inc.id)),
      limit,
      user.districtAdcode,
    );
  }

  private async apply(db: Queryable, user: AuthUser, inc: CaseRow, action: CaseAction, to: CaseState, input: StepInput): Promise<NewEvent[]> {
    const position: [number, number] | null = input.lon !== undefined && input.lat !== undefined ? [input.lon, input.lat] : null;
    const base = { incidentId: inc.id, actorUserId: user.id, districtAdcode: inc.districtAdcode, position };
    /** A step's event: the case's code and the states it went between, then what the step adds (typed by `type`). */
    const event = <K extends StepEventType>(type: K, extra: StepExtra<K>, officerIds: number[] = [], next: CaseState = to): NewEvent =>
      // one cast, checked at every call: `extra` is exactly what a K event adds to its Step fields
      ({ ...base, officerIds, type, payload: { code: inc.code, from: inc.state, to: next, ...extra } }) as NewEvent;
    const reasonRequired = (what: string) => {
      if (!input.reason?.trim()) throw new CaseError(400, `${what} needs a "reason"`);
      return input.reason.trim();
    };
    const live = await liveDispatches(db, inc.id);
    const mine = live.find((d) => d.officerId === user.officerId);

    switch (action) {
      case 'register':
        await setState(db, inc.id, to);
        return [event('incident.registered', {})];
      case 'void': {
        const reason = reasonRequired('voiding (作废)');
        await setState(db, inc.id, to, { reason });
        return [event('incident.voided', { reason })];
      }
      case 'dispatch':
      case 'rework': {
        const reason = action === 'rework' ? reasonRequired('rework (返工)') : (input.reason ?? null);
        const officerIds = [...new Set(input.officerIds ?? (action === 'rework' ? await lastHandlers(db, inc.id) : []))];
        if (officerIds.length === 0) throw new CaseError(400, 'name the officers to send in "officerIds"');
        // a rework without officerIds goes back to whoever handled the case: no one chosen, nothing to scope
        await this.book(db, inc, officerIds, user, input.officerIds !== undefined);
        if (action === 'rework') await addRework(db, inc.id);
        await setState(db, inc.id, to, { reason });
        return [event(action === 'rework' ? 'incident.reworked' : 'incident.dispatched', { officerIds, reason }, officerIds)];
      }
      case 'accept': {
        if (!mine || mine.state !== 'pending') throw new CaseError(409, 'this case has no dispatch waiting for you to accept');
        await acceptDispatch(db, mine.id);
        await setState(db, inc.id, to);
        return [event('incident.accepted', { officerId: user.officerId }, [user.officerId!])];
      }
      case 'decline': {
        const reason = reasonRequired('declining (退单)');
        if (!mine || mine.state !== 'pending') throw new CaseError(409, 'this case has no dispatch waiting for you to decline');
        await finishDispatches(db, [mine.id], 'declined', reason);
        const rest = live.filter((d) => d.id !== mine.id);
        const next: CaseState = rest.length ? 'dispatched' : 'registered';
        if (next !== inc.state) await setState(db, inc.id, next, { reason });
        return [event('incident.declined', { officerId: user.officerId, reason }, [user.officerId!], next)];
      }
      case 'arrive': {
        if (!mine || mine.state !== 'accepted') throw new CaseError(409, 'you have not accepted this case');
        await setState(db, inc.id, to);
        return [
          event(
            'incident.arrived',
            { officerId: user.officerId },
            live.map((d) => d.officerId),
          ),
        ];
      }
      case 'handle': {
        if (!mine || mine.state !== 'accepted') throw new CaseError(409, 'you have not accepted this case');
        if (!input.outcome) throw new CaseError(400, 'handling needs an "outcome": service, management or enforcement (721 method)');
        const evidenceIds = input.evidenceIds ?? [];
        if (evidenceIds.length) {
          const found = await evidenceOfCase(db, inc.id, evidenceIds);
          if (found.length !== new Set(evidenceIds).size) throw new CaseError(400, 'evidenceIds must be photos uploaded to this case');
        }
        // A demolition case declares the m² taken down; refused now if the building has not that much left, not at close.
        const demolishedAreaM2 = input.demolishedAreaM2;
        if (demolishedAreaM2 !== undefined) {
          const link = await caseBuilding(db, inc.id);
          if (link.buildingId === null || link.task !== 'demolish')
            throw new CaseError(422, '"demolishedAreaM2" is for a demolition case (拆除) of a building only');
          const b = (await lockBuilding(db, link.buildingId))!;
          const problem = demolitionProblem(b.areaM2, b.floors, b.demolishedAreaM2, demolishedAreaM2);
          if (problem) throw new CaseError(422, problem);
        }
        const officers = await finishDispatches(
          db,
          live.map((d) => d.id),
          'done',
        );
        await setState(db, inc.id, to, { outcome: input.outcome, notes: input.notes ?? null });
        return [
          event(
            'incident.handled',
            {
              officerId: user.officerId,
              outcome: input.outcome,
              notes: input.notes ?? null,
              evidenceIds,
              ...(demolishedAreaM2 !== undefined ? { demolishedAreaM2 } : {}),
            },
            officers,
          ),
        ];
      }
      case 'close': {
        await setState(db, inc.id, to);
        return [event('incident.closed', {}, await lastHandlers(db, inc.id))];
      }
      case 'suspend': {
        const reason = reasonRequired('suspending (挂账)');
        const officers = await finishDispatches(
          db,
          live.map((d) => d.id),
          'cancelled',
          reason,
        );
        await setState(db, inc.id, to, { reason });
        return [event('incident.suspended', { reason }, officers)];
      }
      case 'resume':
        await setState(db, inc.id, to);
        return [event('incident.resumed', {})];
      case 'extend': {
        const reason = reasonRequired('an extension (延期)');
        if (!input.extendBy || input.extendBy <= 0) throw new CaseError(400, '"extendBy" must be a positive amount in the category\'s time unit');
        const category = (await categoryById(db, inc.categoryId))!;
        const from = inc.deadline ? new Date(inc.deadline) : this.now();
        const deadline = computeDeadline(from, input.extendBy, category.timeType, serverCalendar());
        await extendDeadline(db, inc.id, deadline);
        return [
          event(
            'incident.extended',
            { reason, extendBy: input.extendBy, deadline: deadline.toISOString() },
            live.map((d) => d.officerId),
          ),
        ];
      }
      case 'merge': {
        if (!input.intoId) throw new CaseError(400, 'merging (合并) needs "intoId": the id of the case this one duplicates');
        const target = await lockCase(db, input.intoId);
        if (!target || !(await this.visible(db, user, target))) throw new CaseError(404, `no case ${input.intoId} that you can see to merge into`);
        const problem = mergeTargetProblem(inc.id, target);
        if (problem) throw new CaseError(422, problem);
        const reason = input.reason?.trim() || null;
        await setState(db, inc.id, to, { reason: mergedReason(target.code, reason) });
        await markMerged(db, inc.id, target.id);
        return [event('incident.merged', { intoId: target.id, intoCode: target.code, reason })];
      }
      case 'escalate': {
        const reason = reasonRequired('escalating (督办)');
        await markEscalated(db, inc.id);
        // Like the overdue clock's escalation (to the district's leaders), marked as done by hand; the state stays.
        return [
          {
            ...base,
            officerIds: live.map((d) => d.officerId),
            type: 'incident.escalated',
            payload: { code: inc.code, state: inc.state, to: 'leader', manual: true, reason, by: { userId: user.id, login: user.login, role: user.role } },
          },
        ];
      }
      case 'reassign': {
        const reason = reasonRequired('reassigning (改派)');
        const officerIds = [...new Set(input.officerIds ?? [])];
        if (officerIds.length === 0) throw new CaseError(400, 'name the officers to send instead in "officerIds"');
        const previous = live.map((d) => d.officerId);
        const problem = reassignProblem(previous, officerIds);
        if (problem) throw new CaseError(422, problem);
        // Everyone involved, in id order, before any of them changes: no deadlock with another assignment.
        await lockOfficers(db, [...new Set([...previous, ...officerIds])]);
        await finishDispatches(
          db,
          live.map((d) => d.id),
          'cancelled',
          reason,
        );
        await this.book(db, inc, officerIds, user, true);
        await setState(db, inc.id, to, { reason });
        // Both the officers taken off and those sent get it on their phones.
        return [event('incident.reassigned', { officerIds, previousOfficerIds: previous, reason }, [...new Set([...previous, ...officerIds])])];
      }
    }
  }

  /**
   * Books officers for a case. Their rows are locked first, so of two dispatchers (or two server
   * instances) sending the same officer at the same instant one waits, then finds them busy; the
   * partial unique index on live dispatches refuses a double booking even if this check were bypassed.
   * A district-scoped user sends only officers of their district's squads (`chosen`: the user named
   * them; a rework back to the last handlers names no one).
   */
  private async book(db: Queryable, inc: CaseRow, officerIds: number[], user: AuthUser, chosen: boolean): Promise<void> {
    const officers = await lockOfficers(db, officerIds);
    const missing = officerIds.filter((id) => !officers.some((o) => o.id === id));
    if (missing.length) throw new CaseError(400, `no officer ${missing.join(', ')}`);
    const outside = chosen ? officers.filter((o) => !seesDistrict(user, o.districtAdcode)) : [];
    if (outside.length) {
      throw new CaseError(
        403,
        `you dispatch officers of ${await districtName(db, user.districtAdcode!)} (${user.districtAdcode}) only; ` +
          outside.map((o) => `${o.name} (#${o.id}) is of ${o.districtName} (${o.districtAdcode})`).join('; '),
      );
    }
    const unavailable = officers.filter((o) => o.dutyStatus !== 'available');
    if (unavailable.length) {
      throw new CaseError(409, unavailable.map((o) => `${o.name} (#${o.id}) is ${o.dutyStatus === 'busy' ? 'busy on another case' : 'off duty'}`).join('; '));
    }
    const category = (await categoryById(db, inc.categoryId))!;
    if (category.enforcement && !officers.some((o) => isCertified(o))) {
      throw new CaseError(
        422,
        'this category involves enforcement: include at least one certified officer (执法队员 with a valid 执法证); auxiliaries (协管员) may only assist',
      );
    }
    await createDispatches(db, inc.id, officerIds, user.id);
  }
}
