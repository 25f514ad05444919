import type pg from 'pg';
import type { SquadBoard } from '#shared/cases/contract.ts';
import type { AuthUser } from '../auth/user.ts';
import { withTransaction } from '../db/transaction.ts';
import type { EventBus } from '../events/bus.ts';
import { appendEvents } from '../events/repository.ts';
import { Problem } from '../http/problem.ts';
import type { DutyStatus, WorkforceRepository } from './repository.ts';

/** Squads and their people: the map layers, the squad board, and an officer's own record and duty. */
export class WorkforceService {
  constructor(
    private readonly pool: pg.Pool,
    private readonly repo: WorkforceRepository,
    private readonly bus: EventBus,
  ) {}

  squads(district: string | null): Promise<string> {
    return this.repo.squads(district);
  }

  board(district: string | null): Promise<SquadBoard> {
    return this.repo.board(district);
  }

  officers(filter: { district: string | null; status: DutyStatus | null }): Promise<string> {
    return this.repo.officers(filter);
  }

  async self(officerId: number) {
    const me = await this.repo.self(officerId);
    if (!me) throw new Problem(404, 'your officer record is gone; ask an administrator');
    return me;
  }

  /**
   * An officer goes on duty (available) or off duty. Busy is the dispatches' to set and clear: an
   * officer on a case finishes or hands it back first. The change and its event are one transaction.
   */
  async setDuty(user: AuthUser, status: 'available' | 'off_duty'): Promise<void> {
    const officerId = user.officerId!;
    const events = await withTransaction(this.pool, async (db) => {
      const cur = (await this.repo.lockDuty(db, officerId))!;
      if (cur.dutyStatus === 'busy') throw new Problem(409, 'you are on a case: finish or hand it back before changing duty');
      if (cur.dutyStatus === status) return [];
      await this.repo.setDuty(db, officerId, status);
      return appendEvents(db, [
        {
          incidentId: null,
          type: 'officer.duty',
          actorUserId: user.id,
          districtAdcode: cur.districtAdcode,
          officerIds: [officerId],
          payload: { officerId, from: cur.dutyStatus, to: status },
        },
      ]);
    });
    this.bus.publish(events);
  }

  /** Whether an officer is on duty (available or busy): their live room carries their dispatches only then. */
  async onDuty(officerId: number): Promise<boolean> {
    return (await this.repo.dutyStatus(officerId)) !== 'off_duty';
  }
}
