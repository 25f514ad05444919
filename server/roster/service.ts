import type pg from 'pg';
import { certificateProblem, certificateState } from '#shared/roster/rules.ts';
import type { OfficerAdmin, OfficerInput, OfficerPatch, SquadAdmin, SquadInput, SquadPatch, StreetResponsibility } from '#shared/roster/schemas.ts';
import { appendAudit } from '../audit/repository.ts';
import type { AuthUser } from '../auth/user.ts';
import { toWgs84 } from '../cases/service.ts';
import { type Queryable, withTransaction } from '../db/transaction.ts';
import type { EventBus } from '../events/bus.ts';
import { appendEvents } from '../events/repository.ts';
import { Problem } from '../http/problem.ts';
import type { OfficerRow, OfficerValues, RosterRepository, SquadValues } from './repository.ts';

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** A constraint the database refused, in words that say what to fix. */
function constraintProblem(err: unknown): Problem | null {
  const e = err as { code?: string; constraint?: string; detail?: string };
  if (e.code === '23505' && e.constraint?.includes('name')) return new Problem(409, '中队名称已存在 a squad of that name exists: choose another name');
  if (e.code === '23505' && e.constraint?.includes('certificate')) return new Problem(409, '执法证号已登记 that certificate number belongs to another officer');
  if (e.code === '23503' && e.constraint?.includes('squad')) return new Problem(400, '没有这个中队 unknown squadId: pick one of GET /api/admin/squads');
  if (e.code === '23503' && e.constraint?.includes('district')) return new Problem(400, '没有这个区 unknown districtAdcode: import the district first');
  return null;
}

const officerView = (o: OfficerRow): OfficerAdmin => ({ ...o, certificate: certificateState(o) });

/**
 * The roster (编制) an administrator keeps: squads with district, base and phone; officers with kind,
 * certificate and expiry, equipment and phone. Each change is one transaction with its audit row and
 * a `roster.updated` event, so every console's map and squad board follow at once.
 */
export class RosterService {
  constructor(
    private readonly pool: pg.Pool,
    private readonly repo: RosterRepository,
    private readonly bus: EventBus,
  ) {}

  squads(district: string | null): Promise<SquadAdmin[]> {
    return this.repo.squads(district);
  }

  async officers(filter: { district: string | null; squadId: number | null }): Promise<OfficerAdmin[]> {
    return (await this.repo.officers(filter)).map(officerView);
  }

  async createSquad(actor: AuthUser, input: SquadInput): Promise<SquadAdmin> {
    const id = await this.change(actor, async (db) => {
      const v = await this.squadValues(db, { ...input, phone: input.phone ?? null });
      const id = await this.repo.insertSquad(db, v);
      return {
        action: 'squad.create',
        target: `squads/${id}`,
        before: null,
        after: v,
        event: { squadId: id, officerId: null },
        district: v.districtAdcode,
        id,
      };
    });
    return (await this.repo.squad(id))!;
  }

  async updateSquad(actor: AuthUser, id: number, patch: SquadPatch): Promise<SquadAdmin> {
    await this.change(actor, async (db) => {
      const before = await this.repo.lockSquad(db, id);
      if (!before) throw new Problem(404, `没有中队 no squad ${id}`);
      const moved = patch.lon !== undefined || patch.lat !== undefined;
      if (moved && (patch.lon === undefined || patch.lat === undefined)) throw new Problem(400, 'a new base needs both lon and lat');
      const old = { name: before.name, districtAdcode: before.districtAdcode, lon: before.lon, lat: before.lat, phone: before.phone };
      const v =
        moved || patch.districtAdcode !== undefined
          ? await this.squadValues(db, { ...old, crs: 'wgs84', ...patch })
          : { ...old, ...patch, phone: patch.phone !== undefined ? patch.phone : old.phone };
      if (v.districtAdcode !== before.districtAdcode && before.cells > 0) {
        throw new Problem(
          409,
          `该中队负责 ${before.cells} 个网格 the squad is responsible for ${before.cells} grid cells of its district: hand them to another squad before moving it to another district`,
        );
      }
      await this.repo.updateSquad(db, id, v);
      return { action: 'squad.update', target: `squads/${id}`, before: old, after: v, event: { squadId: id, officerId: null }, district: v.districtAdcode, id };
    });
    return (await this.repo.squad(id))!;
  }

  streets(district: string | null): Promise<StreetResponsibility[]> {
    return this.repo.streets(district);
  }

  /**
   * 属地责任: the squad answers for every current cell of these streets of its district from now on
   * (the cells' next versions keep it); the recommendation puts its officers first for cases there.
   */
  async assignStreets(actor: AuthUser, id: number, streets: string[]): Promise<SquadAdmin> {
    await this.change(actor, async (db) => {
      const squad = await this.repo.lockSquad(db, id);
      if (!squad) throw new Problem(404, `没有中队 no squad ${id}`);
      const outside = await this.repo.streetsOutside(db, squad.districtAdcode, streets);
      if (outside.length) {
        throw new Problem(
          400,
          `街道不在${squad.districtName} streets ${outside.join(', ')} are not streets of district ${squad.districtAdcode}: pick from GET /api/admin/streets?district=${squad.districtAdcode}`,
        );
      }
      const done = await this.repo.assignStreets(db, id, streets);
      return {
        action: 'squad.assign_cells',
        target: `squads/${id}`,
        before: { cellsBySquad: done.from },
        after: { streets, cells: done.cells },
        event: { squadId: id, officerId: null },
        district: squad.districtAdcode,
        id,
      };
    });
    return (await this.repo.squad(id))!;
  }

  async createOfficer(actor: AuthUser, input: OfficerInput): Promise<OfficerAdmin> {
    const id = await this.change(actor, async (db) => {
      const v = this.officerValues({ certificateNo: null, certificateExpires: null, equipment: [], phone: null, ...input });
      const id = await this.repo.insertOfficer(db, v);
      const district = (await this.repo.officer(id, db))!.districtAdcode;
      return { action: 'officer.create', target: `officers/${id}`, before: null, after: v, event: { squadId: v.squadId, officerId: id }, district, id };
    });
    return officerView((await this.repo.officer(id))!);
  }

  async updateOfficer(actor: AuthUser, id: number, patch: OfficerPatch): Promise<OfficerAdmin> {
    await this.change(actor, async (db) => {
      const before = await this.repo.lockOfficer(db, id);
      if (!before) throw new Problem(404, `没有队员 no officer ${id}`);
      const old: OfficerValues = {
        name: before.name,
        squadId: before.squadId,
        kind: before.kind,
        certificateNo: before.certificateNo,
        certificateExpires: before.certificateExpires,
        equipment: before.equipment,
        phone: before.phone,
      };
      // an auxiliary made an officer brings a certificate; an officer made an auxiliary leaves theirs
      const dropsCertificate = patch.kind === 'auxiliary' && patch.certificateNo === undefined && patch.certificateExpires === undefined;
      const v = this.officerValues({ ...old, ...(dropsCertificate ? { certificateNo: null, certificateExpires: null } : {}), ...patch });
      if (v.squadId !== before.squadId && before.dutyStatus === 'busy') {
        throw new Problem(409, '该队员正在处置案件 the officer is on a case: move them to another squad once it is finished or handed back');
      }
      await this.repo.updateOfficer(db, id, v);
      return {
        action: 'officer.update',
        target: `officers/${id}`,
        before: old,
        after: v,
        event: { squadId: v.squadId, officerId: id },
        district: before.districtAdcode,
        id,
      };
    });
    return officerView((await this.repo.officer(id))!);
  }

  /** A squad's values checked: the district exists and its base lies inside it (converted to WGS84 first). */
  private async squadValues(db: Queryable, s: SquadInput & { phone: string | null }): Promise<SquadValues> {
    const [lon, lat] = toWgs84(s.lon, s.lat, s.crs ?? 'wgs84').map(round6) as [number, number];
    const fit = await this.repo.baseFits(db, s.districtAdcode, lon, lat);
    if (fit.district === null) throw new Problem(400, `没有这个区 unknown districtAdcode ${s.districtAdcode}: import the district first (底图数据)`);
    if (!fit.covers)
      throw new Problem(
        422,
        `驻地不在${fit.district}内 the base (${lon}, ${lat} WGS84) is outside district ${s.districtAdcode}: check the point and its coordinate system (crs)`,
      );
    return { name: s.name.trim(), districtAdcode: s.districtAdcode, lon, lat, phone: s.phone ?? null };
  }

  private officerValues(o: OfficerValues): OfficerValues {
    const v = { ...o, name: o.name.trim(), equipment: [...new Set(o.equipment.map((e) => e.trim()).filter(Boolean))] };
    const problem = certificateProblem(v);
    if (problem) throw new Problem(400, problem);
    return v;
  }

  /** One change: the rows, the audit entry and the live event in one transaction; the event published after. */
  private async change(
    actor: AuthUser,
    work: (db: Queryable) => Promise<{
      action: string;
      target: string;
      before: unknown;
      after: unknown;
      event: { squadId: number | null; officerId: number | null };
      district: string;
      id: number;
    }>,
  ): Promise<number> {
    let id = 0;
    try {
      const events = await withTransaction(this.pool, async (db) => {
        const c = await work(db);
        id = c.id;
        await appendAudit(db, { userId: actor.id > 0 ? actor.id : null, action: c.action, target: c.target, before: c.before, after: c.after });
        return appendEvents(db, [
          { incidentId: null, type: 'roster.updated', actorUserId: actor.id > 0 ? actor.id : null, districtAdcode: c.district, payload: c.event },
        ]);
      });
      this.bus.publish(events);
      return id;
    } catch (err) {
      throw constraintProblem(err) ?? err;
    }
  }
}
