import crypto from 'node:crypto';
import type pg from 'pg';

/** A random secret created once and shared through the database by every instance. */
export async function sharedSecret(pool: pg.Pool, name: string): Promise<string> {
  await pool.query(`INSERT INTO app_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [name, crypto.randomBytes(48).toString('base64url')]);
  const res = await pool.query<{ value: string }>(`SELECT value FROM app_secrets WHERE name = $1`, [name]);
  return res.rows[0]!.value;
}
