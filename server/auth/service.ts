import { EventEmitter } from 'node:events';
import { passwordProblem } from '#shared/auth/password-policy.ts';
import { Problem } from '../http/problem.ts';
import type { UserRecord, UserRepository } from '../users/repository.ts';
import type { LiveSession, SessionRepository } from './repository.ts';
import type { AuthUser, TokenClaims } from './user.ts';

export const TOKEN_TTL_SECONDS = 12 * 3600;

export interface AuthSettings {
  tokenTtlSeconds: number;
  /** failed logins in a row before a login name has to wait */
  freeTries: number;
  baseLockSeconds: number;
  maxLockSeconds: number;
  /** how long a session check is trusted in this process; other instances see a revocation within it */
  cacheMs: number;
}

export const DEFAULT_AUTH: AuthSettings = { tokenTtlSeconds: TOKEN_TTL_SECONDS, freeTries: 5, baseLockSeconds: 15, maxLockSeconds: 900, cacheMs: 750 };

export interface Issued {
  token: string;
  expiresAt: string;
  user: AuthUser & { displayName: string };
}

/** A session that ended: every socket of it (or of the user) is disconnected at once. */
export interface SessionsEnded {
  userId?: number;
  sid?: string;
  why: string;
}

/**
 * Logins, sessions and their end. A token is only a signed pointer to a session row: every request
 * is checked against the row (cached for `cacheMs`), so disabling a user, changing their rights,
 * resetting a password or logging out ends access at once, whatever the token's expiry says.
 */
export class AuthService {
  private readonly cache = new Map<string, { at: number; live: LiveSession | null }>();
  private readonly ended = new EventEmitter();
  private pendingLookups: Map<string, { resolve: (live: LiveSession | null) => void; reject: (err: unknown) => void }[]> | null = null;

  constructor(
    private readonly sessions: SessionRepository,
    private readonly users: UserRepository,
    private readonly sign: (claims: TokenClaims, ttlSeconds: number) => string,
    readonly settings: AuthSettings = DEFAULT_AUTH,
  ) {}

  async login(login: string, password: string, meta: { userAgent: string | null; address: string | null }): Promise<Issued> {
    const key = login.trim().toLowerCase();
    const wait = await this.sessions.lockedFor(key);
    // The same answer whether or not the login exists.
    if (wait > 0) throw this.throttled(wait);
    const user = await this.users.verify(login, password);
    if (!user) {
      await this.sessions.failed(key, this.settings.freeTries, this.settings.baseLockSeconds, this.settings.maxLockSeconds);
      throw new Problem(401, '登录名或密码错误 wrong login or password');
    }
    await this.sessions.succeeded(key);
    return this.issue(user, meta);
  }

  /** A fresh token for the same session, with its life extended: wall screens stay logged in. */
  async refresh(user: AuthUser): Promise<Issued> {
    const expiresAt = user.sid ? await this.sessions.extend(user.sid, this.settings.tokenTtlSeconds) : null;
    const record = await this.users.get(user.id);
    if (!expiresAt || !record) throw new Problem(401, '会话已结束 the session has ended; log in again');
    this.cache.delete(user.sid!);
    return this.tokenFor(record, user.sid!, expiresAt);
  }

  async logout(user: AuthUser): Promise<void> {
    if (!user.sid) return;
    await this.sessions.revoke(user.sid, 'logout');
    this.endedSession({ sid: user.sid, why: 'logout' });
  }

  /** The user a token's session belongs to now, or null when it has ended. */
  async check(claims: TokenClaims): Promise<AuthUser | null> {
    if (typeof claims.sid !== 'string' || typeof claims.exp !== 'number') return null;
    const now = Date.now();
    const hit = this.cache.get(claims.sid);
    let live = hit && now - hit.at < this.settings.cacheMs ? hit.live : undefined;
    if (live === undefined) {
      live = await this.lookup(claims.sid);
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(claims.sid, { at: now, live });
    }
    if (!live || live.expiresAt.getTime() <= now) return null;
    return live.user;
  }

  /**
   * Sessions asked for within one turn of the event loop are read in one statement: 2,000 phones each
   * posting a fix a second (each its own session, each past the cache) would otherwise be 2,000
   * session reads a second, each holding a pooled connection.
   */
  private lookup(sid: string): Promise<LiveSession | null> {
    if (!this.pendingLookups) {
      this.pendingLookups = new Map();
      setImmediate(() => void this.lookupBatch());
    }
    const waiting = this.pendingLookups;
    return new Promise((resolve, reject) => {
      const list = waiting.get(sid);
      if (list) list.push({ resolve, reject });
      else waiting.set(sid, [{ resolve, reject }]);
    });
  }

  private async lookupBatch(): Promise<void> {
    const batch = this.pendingLookups!;
    this.pendingLookups = null;
    try {
      const found = batch.size === 1 ? null : await this.sessions.liveMany([...batch.keys()]);
      for (const [sid, waiting] of batch) {
        const live = found ? (found.get(sid) ?? null) : await this.sessions.live(sid);
        for (const w of waiting) w.resolve(live);
      }
    } catch (err) {
      for (const waiting of batch.values()) for (const w of waiting) w.reject(err);
    }
  }

  /** Own password: the old one proves it is you; every other session of yours ends. */
  async changeOwnPassword(user: AuthUser, current: string, next: string, meta: { userAgent: string | null; address: string | null }): Promise<Issued> {
    const record = await this.users.get(user.id);
    if (!record || !(await this.users.passwordMatches(user.id, current))) throw new Problem(403, '当前密码错误 the current password is wrong');
    if (current === next) throw new Problem(400, '新密码与当前密码相同 the new password is the same as the current one');
    const problem = passwordProblem(next, record);
    if (problem) throw new Problem(400, `newPassword: ${problem}`);
    await this.users.setPassword(user.id, next);
    await this.endUserSessions(user.id, 'password changed');
    return this.issue(record, meta);
  }

  /** Ends every session of a user (disabled, rights changed, password reset) and their sockets. */
  async endUserSessions(userId: number, why: string): Promise<number> {
    const n = await this.sessions.revokeUser(userId, why);
    for (const [sid, entry] of this.cache) if (entry.live?.user.id === userId) this.cache.delete(sid);
    this.endedSession({ userId, why });
    return n;
  }

  onEnded(fn: (e: SessionsEnded) => void): () => void {
    this.ended.on('ended', fn);
    return () => this.ended.off('ended', fn);
  }

  liveOf(sids: string[]): Promise<Set<string>> {
    return this.sessions.liveOf(sids);
  }

  private endedSession(e: SessionsEnded): void {
    if (e.sid) this.cache.delete(e.sid);
    this.ended.emit('ended', e);
  }

  private async issue(user: UserRecord, meta: { userAgent: string | null; address: string | null }): Promise<Issued> {
    const session = await this.sessions.create(user.id, this.settings.tokenTtlSeconds, meta);
    return this.tokenFor(user, session.id, session.expiresAt);
  }

  private tokenFor(user: UserRecord, sid: string, expiresAt: Date): Issued {
    const ttl = Math.max(1, Math.floor((expiresAt.getTime() - Date.now()) / 1000));
    const claims: TokenClaims = { sid, id: user.id, login: user.login, role: user.role, districtAdcode: user.districtAdcode, officerId: user.officerId };
    return {
      token: this.sign(claims, ttl),
      expiresAt: expiresAt.toISOString(),
      user: { id: user.id, login: user.login, role: user.role, districtAdcode: user.districtAdcode, officerId: user.officerId, displayName: user.displayName },
    };
  }

  private throttled(seconds: number): Problem {
    return new Problem(429, `登录失败次数过多，请 ${seconds} 秒后再试 too many failed logins for this login name; try again in ${seconds} s`, {
      'retry-after': String(seconds),
    });
  }
}
