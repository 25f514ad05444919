import crypto from 'node:crypto';
import argon2 from 'argon2';
import type pg from 'pg';
import type { Role } from '#shared/roles.ts';

export interface DemoCredential {
  login: string;
  role: Role;
  password: string;
  scope: string;
}

/**
 * One user per role. Passwords are random unless a fixed demo password is configured (refused in
 * production); only their argon2 hashes are stored, and the plain ones are shown once.
 */
export async function insertDemoUsers(client: pg.PoolClient, fixedPassword: string | null): Promise<DemoCredential[]> {
  const officer = await client.query<{ id: number; name: string; district_adcode: string }>(`
    SELECT o.id, o.name, s.district_adcode FROM officers o JOIN squads s ON s.id = o.squad_id
    WHERE o.kind = 'officer' AND s.district_adcode = '510104' ORDER BY o.id LIMIT 1`);
  const linked = officer.rows[0];
  if (!linked) throw new Error('demo seed: no certified officer in 锦江区 to link the officer user to');
  const users: { login: string; role: Role; name: string; district: string | null; officerId: number | null }[] = [
    { login: 'admin', role: 'admin', name: '系统管理员', district: null, officerId: null },
    { login: 'dispatcher', role: 'dispatcher', name: '市指挥中心调度员', district: null, officerId: null },
    { login: 'supervisor', role: 'supervisor', name: '市监督中心核查员', district: null, officerId: null },
    { login: 'leader', role: 'leader', name: '锦江区领导', district: '510104', officerId: null },
    { login: 'officer', role: 'officer', name: linked.name, district: linked.district_adcode, officerId: linked.id },
  ];
  const credentials: DemoCredential[] = [];
  for (const u of users) {
    const password = fixedPassword ?? crypto.randomBytes(12).toString('base64url');
    await client.query(`INSERT INTO users (login, password_hash, display_name, role, district_adcode, officer_id) VALUES ($1, $2, $3, $4, $5, $6)`, [
      u.login,
      await argon2.hash(password),
      u.name,
      u.role,
      u.district,
      u.officerId,
    ]);
    credentials.push({ login: u.login, role: u.role, password, scope: u.district ?? 'city' });
  }
  return credentials;
}
