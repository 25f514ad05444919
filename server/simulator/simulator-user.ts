import crypto from 'node:crypto';
import type { Queryable } from '../db/transaction.ts';
import type { UserRepository } from '../users/repository.ts';

/**
 * The user the simulator and the demo history act as (their steps name it in the record). Made on
 * first use with a random password nobody knows: it is never logged into.
 */
export async function simulatorUserId(users: UserRepository, db: Queryable): Promise<number> {
  const found = await users.byLogin('simulator');
  if (found) return found.id;
  const made = await users.create(db, {
    login: 'simulator',
    password: crypto.randomBytes(24).toString('base64url'),
    displayName: '模拟器 simulator',
    role: 'admin',
    districtAdcode: null,
    officerId: null,
  });
  return made.id;
}
