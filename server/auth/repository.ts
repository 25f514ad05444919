import crypto from 'node:crypto';
import type pg from 'pg';
import type { AuthUser } from './user.ts';

export interface LiveSession {
  user: AuthUser;
  expiresAt: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Sessions (one per login) and failed-login counts. */
export class SessionRepository {
  constructor(private readonly pool: pg.Pool) {}

  async create(userId: number, ttlSeconds: number, meta: { userAgent: string | null; address: string | null }): Promise<{ id: string; expiresAt: Date }> {
    const res = await this.pool.query<{ id: string; expires_at: Date }>(
      `
      INSERT INTO user_sessions (user_id, expires_at, user_agent, address)
      VALUES ($1, now() + make_interval(secs => $2), left($3, 256), $4) RETURNING id, expires_at`,
      [userId, ttlSeconds, meta.userAgent, meta.address],
    );
    return { id: res.rows[0]!.id, expiresAt: res.rows[0]!.expires_at };
  }

  /** The session's user as they are now, if the session is live and the user enabled. */
  async live(sid: string): Promise<LiveSession | null> {
    if (!UUID.test(sid)) return null;
    const res = await this.pool.query<AuthUser & { expiresAt: Date }>(
      `
      SELECT u.id, u.login, u.role, u.district_adcode AS "districtAdcode", u.officer_id AS "officerId", s.id AS sid, s.expires_at AS "expiresAt"
      FROM user_sessions s JOIN users u ON u.id = s.user_id
      WHERE s.id = $1 AND s.revoked_at IS NULL AND s.expires_at > now() AND u.disabled_at IS NULL`,
      [sid],
    );
    const row = res.rows[0];
    if (!row) return null;
    const { expiresAt, ...user } = row;
    return { user: { ...user, districtAdcode: user.districtAdcode?.trim() ?? null }, expiresAt };
  }

  /** `live` for many sessions in one statement (the sessions asked for at the same moment). */
  async liveMany(sids: string[]): Promise<Map<string, LiveSession>> {
    const ids = sids.filter((s) => UUID.test(s));
    const out = new Map<string, LiveSession>();
    if (ids.length === 0) return out;
    const res = await this.pool.query<AuthUser & { expiresAt: Date }>({
      name: 'sessions-live-many',
      text: `
      SELECT u.id, u.login, u.role, u.district_adcode AS "districtAdcode", u.officer_id AS "officerId", s.id AS sid, s.expires_at AS "expiresAt"
      FROM user_sessions s JOIN users u ON u.id = s.user_id
      WHERE s.id = ANY($1::uuid[]) AND s.revoked_at IS NULL AND s.expires_at > now() AND u.disabled_at IS NULL`,
      values: [ids],
    });
    for (const { expiresAt, ...user } of res.rows) out.set(user.sid!, { user: { ...user, districtAdcode: user.districtAdcode?.trim() ?? null }, expiresAt });
    return out;
  }

  /** Of `sids`, those still live (one statement for every socket of an instance). */
  async liveOf(sids: string[]): Promise<Set<string>> {
    const ids = sids.filter((s) => UUID.test(s));
    if (ids.length === 0) return new Set();
    const res = await this.pool.query<{ id: string }>(
      `
      SELECT s.id FROM user_sessions s JOIN users u ON u.id = s.user_id
      WHERE s.id = ANY($1::uuid[]) AND s.revoked_at IS NULL AND s.expires_at > now() AND u.disabled_at IS NULL`,
      [ids],
    );
    return new Set(res.rows.map((r) => r.id));
  }

  async extend(sid: string, ttlSeconds: number): Promise<Date | null> {
    const res = await this.pool.query<{ expires_at: Date }>(
      `
      UPDATE user_sessions SET expires_at = now() + make_interval(secs => $2)
      WHERE id = $1 AND revoked_at IS NULL AND expires_at > now() RETURNING expires_at`,
      [sid, ttlSeconds],
    );
    return res.rows[0]?.expires_at ?? null;
  }

  async revoke(sid: string, why: string): Promise<void> {
    if (!UUID.test(sid)) return;
    await this.pool.query(`UPDATE user_sessions SET revoked_at = now(), revoked_why = $2 WHERE id = $1 AND revoked_at IS NULL`, [sid, why]);
  }

  /** Ends every session of a user but `keep`; answers how many ended. */
  async revokeUser(userId: number, why: string, keep: string | null = null): Promise<number> {
    const res = await this.pool.query(
      `
      UPDATE user_sessions SET revoked_at = now(), revoked_why = $2
      WHERE user_id = $1 AND revoked_at IS NULL AND ($3::uuid IS NULL OR id <> $3::uuid)`,
      [userId, why, keep],
    );
    return res.rowCount ?? 0;
  }

  /** Seconds until `login` may try again, or 0. */
  async lockedFor(login: string): Promise<number> {
    const res = await this.pool.query<{ s: number }>(
      `
      SELECT ceil(extract(epoch FROM locked_until - now()))::int AS s FROM login_failures WHERE login = $1 AND locked_until > now()`,
      [login],
    );
    return res.rows[0]?.s ?? 0;
  }

  /**
   * Counts a failed login; from the `freeTries`-th failure in a row the login waits, doubling each time
   * up to `maxLockSeconds`. A quiet hour forgets the count.
   */
  async failed(login: string, freeTries: number, baseLockSeconds: number, maxLockSeconds: number): Promise<void> {
    await this.pool.query(
      `
      INSERT INTO login_failures AS f (login, failures, last_at, locked_until)
      VALUES ($1, 1, now(), CASE WHEN $2 <= 1 THEN now() + make_interval(secs => $3) END)
      ON CONFLICT (login) DO UPDATE SET
        failures = CASE WHEN f.last_at < now() - interval '1 hour' THEN 1 ELSE f.failures + 1 END,
        last_at = now(),
        locked_until = CASE
          WHEN (CASE WHEN f.last_at < now() - interval '1 hour' THEN 1 ELSE f.failures + 1 END) >= $2
          THEN now() + make_interval(secs => least($4::float8, $3 * power(2, (CASE WHEN f.last_at < now() - interval '1 hour' THEN 1 ELSE f.failures + 1 END) - $2)))
        END`,
      [login, freeTries, baseLockSeconds, maxLockSeconds],
    );
  }

  async succeeded(login: string): Promise<void> {
    await this.pool.query(`DELETE FROM login_failures WHERE login = $1`, [login]);
  }
}

/** A random secret created once and shared through the database by every instance. */
export async function sharedSecret(pool: pg.Pool, name: string): Promise<string> {
  await pool.query(`INSERT INTO app_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [name, crypto.randomBytes(48).toString('base64url')]);
  const res = await pool.query<{ value: string }>(`SELECT value FROM app_secrets WHERE name = $1`, [name]);
  return res.rows[0]!.value;
}
