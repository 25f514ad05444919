import type pg from 'pg';
import { listDistrict } from '#shared/auth/permissions.ts';
import { INSPECTION_RULES, type InspectionResult, inspectionCycleDays } from '#shared/buildings/inspection-cycle.ts';
import type { InspectionTask } from '#shared/buildings/schemas.ts';
import type { AuthUser } from '../../auth/user.ts';
import { withTransaction } from '../../db/transaction.ts';
import type { EventBus } from '../../events/bus.ts';
import { appendEvents, type EventRow, type NewEvent } from '../../events/repository.ts';
import { Problem } from '../../http/problem.ts';
import type { CaseService } from '../../cases/service.ts';
import type { InspectionRepository } from './repository.ts';

/** Buildings looked at per sweep at most; the rest are found by the next one. */
const SWEEP_BATCH = 2_000;
const SHORTEST_CYCLE = Math.min(...INSPECTION_RULES.map((r) => r.everyDays));

function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export interface InspectionRecord {
  result: InspectionResult;
  note?: string;
  evidenceIds: number[];
  lon?: number;
  lat?: number;
}

/**
 * 存量违建巡查: stock buildings come due on their cycle (shared/buildings/inspection-cycle.ts) as tasks
 * for the squad of their grid cell; an officer records what they found with a photo, and an
 * extension (加建) opens a case through the normal intake.
 */
export class InspectionService {
  constructor(
    private readonly pool: pg.Pool,
    private readonly repo: InspectionRepository,
    private readonly cases: CaseService,
    private readonly bus: EventBus,
  ) {}

  /**
   * Creates the due tasks and their events in one transaction. Safe under several instances: the
   * unique partial index on due tasks lets only one insert per building win, and only the winners'
   * events are appended. Returns the events (published after the commit).
   */
  async sweep(): Promise<EventRow[]> {
    const events = await withTransaction(this.pool, async (db) => {
      if (!(await this.repo.trySweepLock(db))) return [];
      const today = await this.repo.today(db);
      const candidates = await this.repo.sweepCandidates(db, SHORTEST_CYCLE, SWEEP_BATCH);
      const due = candidates.flatMap((b) => {
        const cycle = inspectionCycleDays(b);
        if (cycle === null) return [];
        const dueOn = addDays(b.since, cycle);
        return dueOn <= today ? [{ b, cycle, dueOn }] : [];
      });
      const created = await this.repo.insertDue(
        db,
        due.map((d) => ({ buildingId: d.b.id, squadId: d.b.squadId, dueOn: d.dueOn })),
      );
      const byBuilding = new Map(due.map((d) => [d.b.id, d]));
      const news: NewEvent[] = created.map(({ id, buildingId }) => {
        const { b, cycle, dueOn } = byBuilding.get(buildingId)!;
        return {
          incidentId: null,
          buildingId,
          type: 'building.inspection_due',
          actorUserId: null,
          districtAdcode: b.districtAdcode,
          position: [b.lon, b.lat],
          payload: { code: b.code, inspectionId: id, squadId: b.squadId, dueOn, cycleDays: cycle },
        };
      });
      return appendEvents(db, news);
    });
    this.bus.publish(events);
    return events;
  }

  /** The due tasks of the officer's squad, overdue first. */
  async mine(user: AuthUser): Promise<InspectionTask[]> {
    if (user.officerId === null) throw new Problem(403, 'only an officer has patrol tasks of their squad; use GET /api/buildings/inspections');
    const squadId = await this.repo.squadOfOfficer(user.officerId);
    if (squadId === null) return [];
    return this.repo.tasks({ squadId, limit: 200 });
  }

  /** Tasks of a district (or all, city-wide), within the user's scope. */
  async list(user: AuthUser, q: { district?: string; state?: 'due' | 'done' | 'cancelled'; limit?: number }): Promise<InspectionTask[]> {
    const scope = listDistrict(user, q.district ?? null);
    if (!scope.ok) throw new Problem(403, scope.message);
    return this.repo.tasks({ district: scope.district, state: q.state ?? 'due', limit: q.limit ?? 200 });
  }

  /**
   * The officer's record of a task: done, with the photos of the building taken on site. An extension
   * opens a case after the commit: intake runs its own transaction (locating, numbering, its events),
   * which cannot join this one; the inspection's event says a case is being opened, and the case is
   * linked to the building and the task right after.
   */
  async record(
    user: AuthUser,
    id: number,
    body: InspectionRecord,
  ): Promise<InspectionTask & { state: 'done'; result: InspectionResult; incidentId: number | null }> {
    const evidenceIds = [...new Set(body.evidenceIds)];
    // known before anything is recorded: an extension with nowhere to report it records nothing
    const category = body.result === 'extended' ? await this.repo.constructionCategory() : null;
    if (body.result === 'extended' && !category) {
      throw new Problem(422, 'the current catalogue has no construction category (私搭乱建) to report the extension under; an administrator marks one');
    }
    const done = await withTransaction(this.pool, async (db) => {
      const t = await this.repo.lockTask(db, id);
      const mySquad = user.officerId !== null ? await this.repo.squadOfOfficer(user.officerId, db) : null;
      // another squad's task does not exist for an officer (404, like a case not dispatched to them)
      if (!t || (user.role === 'officer' && t.squadId !== mySquad)) throw new Problem(404, `no inspection task ${id} of your squad`);
      if (t.state !== 'due') throw new Problem(409, `inspection task ${id} is already ${t.state}; nothing is left to record`);
      const photos = evidenceIds.length ? await this.repo.photosOfBuilding(db, t.buildingId, evidenceIds) : [];
      if (photos.length === 0 || photos.length !== evidenceIds.length) {
        throw new Problem(
          422,
          `an inspection needs at least one photo of building ${t.code} taken on site: upload it to POST /api/buildings/${t.buildingId}/evidence and send its id in "evidenceIds"` +
            (photos.length !== evidenceIds.length ? ` (not photos of this building: ${evidenceIds.filter((e) => !photos.includes(e)).join(', ')})` : ''),
        );
      }
      const note = body.note?.trim() || null;
      await this.repo.markDone(db, {
        id,
        buildingId: t.buildingId,
        result: body.result,
        note,
        officerId: user.officerId,
        userId: user.id,
        lon: body.lon,
        lat: body.lat,
        evidenceIds,
      });
      const position: [number, number] = body.lon !== undefined && body.lat !== undefined ? [body.lon, body.lat] : [t.lon, t.lat];
      const events = await appendEvents(db, [
        {
          incidentId: null,
          buildingId: t.buildingId,
          type: 'building.inspected',
          actorUserId: user.id,
          districtAdcode: t.districtAdcode,
          position,
          officerIds: user.officerId ? [user.officerId] : [],
          payload: {
            code: t.code,
            inspectionId: id,
            result: body.result,
            officerId: user.officerId,
            evidenceIds,
            note,
            opensCase: body.result === 'extended',
            // 已拆除 is what the officer saw; the desk records the demolition (area, date) as the stage step
            observationOnly: body.result === 'demolished',
          },
        },
      ]);
      return { t, events };
    });
    this.bus.publish(done.events);
    let incidentId: number | null = null;
    if (category) incidentId = await this.openExtensionCase(user, done.t, body, category);
    const [task] = await this.repo.tasks({ id, state: null, limit: 1 });
    return { ...task!, state: 'done', result: body.result, incidentId };
  }

  private async openExtensionCase(
    user: AuthUser,
    t: { id: number; buildingId: number; code: string; lon: number; lat: number },
    body: InspectionRecord,
    category: string,
  ): Promise<number> {
    // keyed by the task: one case per inspection, whoever or whatever calls intake for it again
    const { incident } = await this.cases.intake(
      user,
      {
        category,
        source: 'patrol',
        description:
          `巡查发现违建 ${t.code} 加建 (extension found on patrol of illegal building ${t.code})${body.note?.trim() ? `：${body.note.trim()}` : ''}`.slice(
            0,
            2000,
          ),
        lon: t.lon,
        lat: t.lat,
      },
      `inspection-${t.id}`,
    );
    await withTransaction(this.pool, (db) => this.repo.linkCase(db, t.id, t.buildingId, incident.id));
    return incident.id;
  }
}
