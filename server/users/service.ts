import { passwordProblem } from '#shared/auth/password-policy.ts';
import { officerLinkProblem, type Role } from '#shared/roles.ts';
import type { AuthService } from '../auth/service.ts';
import type { AuthUser } from '../auth/user.ts';
import { appendAudit } from '../audit/repository.ts';
import { withTransaction } from '../db/transaction.ts';
import { Problem } from '../http/problem.ts';
import type pg from 'pg';
import type { UserPatch, UserRecord, UserRepository } from './repository.ts';

export interface NewUser {
  login: string;
  password: string;
  displayName: string;
  role: Role;
  districtAdcode: string | null;
  officerId: number | null;
}

/** The server's own shell (npm run user) acts as user 0, which no row is: the log records it as no user. */
const actorId = (actor: AuthUser): number | null => (actor.id > 0 ? actor.id : null);

/** What the log keeps of a user: who they are and what they may do (never a hash, never a session). */
const audited = (u: Pick<UserRecord, 'login' | 'displayName' | 'role' | 'districtAdcode' | 'officerId' | 'disabled'>) => ({
  login: u.login,
  displayName: u.displayName,
  role: u.role,
  districtAdcode: u.districtAdcode,
  officerId: u.officerId,
  disabled: u.disabled,
});

function constraintProblem(err: unknown, login: string): Problem | null {
  const e = err as { code?: string; constraint?: string };
  if (e.code === '23505') return new Problem(409, e.constraint?.includes('officer') ? 'that officer already has a user' : `login ${login} is taken`);
  if (e.code === '23503') return new Problem(400, e.constraint?.includes('district') ? 'unknown districtAdcode' : 'unknown officerId');
  return null;
}

/**
 * The user lifecycle an administrator runs: create, change role, district or linked officer, disable
 * and enable, reset a password. Whatever changes what a user may do ends their sessions at once.
 */
export class UserService {
  constructor(
    private readonly pool: pg.Pool,
    private readonly users: UserRepository,
    private readonly auth: AuthService,
  ) {}

  list(): Promise<UserRecord[]> {
    return this.users.list();
  }

  async create(actor: AuthUser, input: NewUser): Promise<UserRecord> {
    const link = officerLinkProblem(input.role, input.officerId);
    if (link) throw new Problem(400, link);
    const weak = passwordProblem(input.password, input);
    if (weak) throw new Problem(400, `password: ${weak}`);
    try {
      return await withTransaction(this.pool, async (db) => {
        const user = await this.users.create(db, input);
        await appendAudit(db, { userId: actorId(actor), action: 'user.create', target: `users/${user.id}`, before: null, after: audited(user) });
        return user;
      });
    } catch (err) {
      throw constraintProblem(err, input.login) ?? err;
    }
  }

  async update(actor: AuthUser, id: number, patch: UserPatch): Promise<UserRecord> {
    const { before, after } = await withTransaction(this.pool, async (db) => {
      const before = await this.users.lockForChange(db, id);
      if (!before) throw new Problem(404, `no user ${id}`);
      const next = {
        displayName: patch.displayName ?? before.displayName,
        role: patch.role ?? before.role,
        districtAdcode: patch.districtAdcode !== undefined ? patch.districtAdcode : before.districtAdcode,
        // an officer's link goes when the role does, unless the patch names one
        officerId: patch.officerId !== undefined ? patch.officerId : patch.role && patch.role !== 'officer' ? null : before.officerId,
        disabled: patch.disabled ?? before.disabled,
      };
      const link = officerLinkProblem(next.role, next.officerId);
      if (link) throw new Problem(400, link);
      const stillAdmin = next.role === 'admin' && !next.disabled;
      if (before.role === 'admin' && !before.disabled && !stillAdmin && (await this.users.enabledAdminsOtherThan(db, id)) === 0) {
        throw new Problem(409, 'this is the last enabled admin: make another admin first');
      }
      if (actor.id === id && next.disabled) throw new Problem(409, 'you cannot disable yourself; ask another admin');
      try {
        await this.users.update(db, id, next);
      } catch (err) {
        throw constraintProblem(err, before.login) ?? err;
      }
      await appendAudit(db, {
        userId: actorId(actor),
        action: 'user.update',
        target: `users/${id}`,
        before: audited(before),
        after: audited({ ...before, ...next }),
      });
      return { before, after: next };
    });
    const rightsChanged =
      before.role !== after.role ||
      before.districtAdcode !== after.districtAdcode ||
      before.officerId !== after.officerId ||
      (!before.disabled && after.disabled);
    if (rightsChanged) await this.auth.endUserSessions(id, after.disabled ? 'disabled' : 'rights changed');
    return (await this.users.get(id))!;
  }

  async resetPassword(actor: AuthUser, id: number, password: string): Promise<UserRecord> {
    const user = await this.users.get(id);
    if (!user) throw new Problem(404, `no user ${id}`);
    const weak = passwordProblem(password, user);
    if (weak) throw new Problem(400, `password: ${weak}`);
    await withTransaction(this.pool, async (db) => {
      await this.users.setPassword(id, password, db);
      // the password itself is never written anywhere but its hash
      await appendAudit(db, { userId: actorId(actor), action: 'user.password_reset', target: `users/${id}`, before: null, after: { login: user.login } });
    });
    await this.auth.endUserSessions(id, 'password reset');
    return (await this.users.get(id))!;
  }

  async endSessions(id: number): Promise<number> {
    if (!(await this.users.get(id))) throw new Problem(404, `no user ${id}`);
    return this.auth.endUserSessions(id, 'signed out by an admin');
  }
}
