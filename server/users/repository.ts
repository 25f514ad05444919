import argon2 from 'argon2';
import type pg from 'pg';
import type { Role } from '../../shared/roles.ts';
import type { AuthUser } from '../auth/user.ts';

interface UserRow extends AuthUser {
  passwordHash: string;
  displayName: string;
  disabled: boolean;
}

const COLUMNS = `id, login, role, district_adcode AS "districtAdcode", officer_id AS "officerId",
  password_hash AS "passwordHash", display_name AS "displayName", disabled_at IS NOT NULL AS disabled`;

export class UserRepository {
  constructor(private readonly pool: pg.Pool) {}

  /** The user if the password is right and the account enabled; null otherwise (no hint which). */
  async verify(login: string, password: string): Promise<(AuthUser & { displayName: string }) | null> {
    const res = await this.pool.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE login = $1`, [login]);
    const row = res.rows[0];
    if (!row || row.disabled) {
      // Same work as a real check, so timing does not tell which logins exist.
      await argon2.verify('$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$2m5V2N3sW0D1G0y9hU2n2o4p4oC8W1kq3d0mB8hJrXk', password).catch(() => false);
      return null;
    }
    if (!(await argon2.verify(row.passwordHash, password))) return null;
    const { passwordHash: _h, disabled: _d, ...user } = row;
    return user;
  }

  async create(input: { login: string; password: string; displayName: string; role: Role; districtAdcode: string | null; officerId: number | null }) {
    const res = await this.pool.query<UserRow>(
      `INSERT INTO users (login, password_hash, display_name, role, district_adcode, officer_id)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
      [input.login, await argon2.hash(input.password), input.displayName, input.role, input.districtAdcode, input.officerId],
    );
    const { passwordHash: _h, ...user } = res.rows[0]!;
    return user;
  }

  async list() {
    const res = await this.pool.query<UserRow>(`SELECT ${COLUMNS} FROM users ORDER BY id`);
    return res.rows.map(({ passwordHash: _h, ...u }) => u);
  }
}
