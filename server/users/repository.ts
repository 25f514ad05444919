import argon2 from 'argon2';
import type pg from 'pg';
import type { Role } from '#shared/roles.ts';
import type { Queryable } from '../db/transaction.ts';
import type { AuthUser } from '../auth/user.ts';

export interface UserRecord extends AuthUser {
  displayName: string;
  disabled: boolean;
  activeSessions: number;
}

interface UserRow extends UserRecord {
  passwordHash: string;
}

const COLUMNS = `u.id, u.login, u.role, u.district_adcode AS "districtAdcode", u.officer_id AS "officerId",
  u.password_hash AS "passwordHash", u.display_name AS "displayName", u.disabled_at IS NOT NULL AS disabled,
  (SELECT count(*)::int FROM user_sessions s WHERE s.user_id = u.id AND s.revoked_at IS NULL AND s.expires_at > now()) AS "activeSessions"`;

// A hash of a password nobody has: a missing or disabled login costs the same argon2 work as a real one.
const DUMMY_HASH = '$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$2m5V2N3sW0D1G0y9hU2n2o4p4oC8W1kq3d0mB8hJrXk';

const strip = ({ passwordHash: _h, ...u }: UserRow): UserRecord => u;

export type UserPatch = Partial<{ displayName: string; role: Role; districtAdcode: string | null; officerId: number | null; disabled: boolean }>;

export class UserRepository {
  constructor(private readonly pool: pg.Pool) {}

  /** The user if the password is right and the account enabled; null otherwise (no hint which). */
  async verify(login: string, password: string): Promise<UserRecord | null> {
    const row = (await this.pool.query<UserRow>(`SELECT ${COLUMNS} FROM users u WHERE u.login = $1`, [login])).rows[0];
    if (!row || row.disabled) {
      await argon2.verify(DUMMY_HASH, password).catch(() => false);
      return null;
    }
    return (await argon2.verify(row.passwordHash, password)) ? strip(row) : null;
  }

  async passwordMatches(id: number, password: string): Promise<boolean> {
    const row = (await this.pool.query<{ hash: string }>(`SELECT password_hash AS hash FROM users WHERE id = $1`, [id])).rows[0];
    return row ? argon2.verify(row.hash, password) : false;
  }

  async create(
    db: Queryable,
    input: {
      login: string;
      password: string;
      displayName: string;
      role: Role;
      districtAdcode: string | null;
      officerId: number | null;
    },
  ): Promise<UserRecord> {
    const res = await db.query<{ id: number }>(
      `INSERT INTO users (login, password_hash, display_name, role, district_adcode, officer_id)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [input.login, await argon2.hash(input.password), input.displayName, input.role, input.districtAdcode, input.officerId],
    );
    return (await this.get(res.rows[0]!.id, db))!;
  }

  async get(id: number, db: Queryable = this.pool): Promise<UserRecord | null> {
    const row = (await db.query<UserRow>(`SELECT ${COLUMNS} FROM users u WHERE u.id = $1`, [id])).rows[0];
    return row ? strip(row) : null;
  }

  async byLogin(login: string): Promise<UserRecord | null> {
    const row = (await this.pool.query<UserRow>(`SELECT ${COLUMNS} FROM users u WHERE u.login = $1`, [login])).rows[0];
    return row ? strip(row) : null;
  }

  async list(): Promise<UserRecord[]> {
    return (await this.pool.query<UserRow>(`SELECT ${COLUMNS} FROM users u ORDER BY u.id`)).rows.map(strip);
  }

  /** Locks the user row (and every admin row, so two admins cannot disable each other at once). */
  async lockForChange(db: Queryable, id: number): Promise<UserRecord | null> {
    await db.query(`SELECT id FROM users WHERE role = 'admin' OR id = $1 ORDER BY id FOR UPDATE`, [id]);
    return this.get(id, db);
  }

  async enabledAdminsOtherThan(db: Queryable, id: number): Promise<number> {
    const res = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND disabled_at IS NULL AND id <> $1`, [id]);
    return res.rows[0]!.n;
  }

  async update(
    db: Queryable,
    id: number,
    next: { displayName: string; role: Role; districtAdcode: string | null; officerId: number | null; disabled: boolean },
  ): Promise<void> {
    await db.query(
      `
      UPDATE users SET display_name = $2, role = $3, district_adcode = $4, officer_id = $5,
        disabled_at = CASE WHEN $6 THEN coalesce(disabled_at, now()) END, updated_at = now()
      WHERE id = $1`,
      [id, next.displayName, next.role, next.districtAdcode, next.officerId, next.disabled],
    );
  }

  async setPassword(id: number, password: string, db: Queryable = this.pool): Promise<void> {
    await db.query(`UPDATE users SET password_hash = $2, password_changed_at = now(), updated_at = now() WHERE id = $1`, [id, await argon2.hash(password)]);
  }
}
