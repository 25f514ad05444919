import type { DatabaseMode } from '../db/database.ts';
import { DEMO_SEED_NAME } from '../seed/demo-city.ts';
import type { HealthRepository } from './repository.ts';

export type ReplicaStatus = { status: 'up' | 'down'; lagSeconds: number | null; lagBytes: number | null };

/** Readiness: the database's mode and versions, migrations, the demo seed and the read replica's lag. */
export class HealthService {
  private readonly started = Date.now();

  constructor(
    private readonly repo: HealthRepository,
    private readonly mode: DatabaseMode,
  ) {}

  uptimeSeconds(): number {
    return Math.floor((Date.now() - this.started) / 1000);
  }

  async readiness() {
    const v = await this.repo.versions(DEMO_SEED_NAME);
    const m = await this.repo.migrations();
    return {
      status: 'ok' as const,
      database: { mode: this.mode, postgres: v.pg, postgis: v.postgis },
      migrations: { applied: m.applied.length, pending: m.pending.length, latest: m.latest },
      demo: { seeded: v.seeded },
      ...(this.repo.replica ? { replica: await this.replicaStatus() } : {}),
    };
  }

  /** The primary's WAL position first, then how far the replica has replayed: it can only look further behind than it is, never ahead. */
  private async replicaStatus(): Promise<ReplicaStatus> {
    const head = await this.repo.walHead();
    try {
      const r = await this.repo.replayBehind(this.repo.replica!, head);
      // on an idle primary the last replayed transaction may be old: caught up is 0 s, not its age
      const lagSeconds = r.bytes === null ? null : r.bytes === 0 ? 0 : r.seconds === null ? null : Math.max(0, r.seconds);
      return { status: 'up', lagSeconds, lagBytes: r.bytes };
    } catch {
      return { status: 'down', lagSeconds: null, lagBytes: null };
    }
  }
}
