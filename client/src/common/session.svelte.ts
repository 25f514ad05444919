// Who is logged in: the token from POST /api/auth/login, remembered in localStorage. The server also
// sets an HTTP-only cookie, so same-origin requests (and <img src="/api/evidence/…">) are
// authenticated even without the header; the header is sent as well.
//
// Sessions end on the server too (logout, an administrator disabling the user or changing their
// role, a password reset): the next request answers 401 and the page goes back to the login form
// with a notice. Tokens live 12 h; past half their life they are renewed (POST /api/auth/refresh),
// so a wall screen that runs around the clock stays logged in.
import type { LoginResponse, SessionUser } from './cases/types.ts';

const STORAGE_KEY = 'zhihui.session';
/** the server's token lifetime, for a remembered session that did not record when it was issued */
const DEFAULT_TTL_MS = 12 * 3600_000;

interface Stored {
  token: string;
  expiresAt: string;
  /** when this page received the token (ms, the browser's clock) */
  issuedAt?: number;
  user: SessionUser;
}

export interface Notice {
  zh: string;
  en: string;
  /** the server's own words, when it said why */
  detail?: string;
}

export const NOTICE_ENDED: Notice = { zh: '会话已结束，请重新登录', en: 'Your session was ended; log in again' };
export const NOTICE_EXPIRED: Notice = { zh: '登录已过期，请重新登录', en: 'Your session expired; log in again' };

export const session = $state({
  token: null as string | null,
  expiresAt: null as string | null,
  issuedAt: null as number | null,
  user: null as SessionUser | null,
  /** why the last session ended, shown on the login form (e.g. ended by an administrator, expired) */
  notice: null as Notice | null,
});

function read(): Stored | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Partial<Stored>;
    if (typeof s.token !== 'string' || typeof s.expiresAt !== 'string' || !s.user || typeof s.user.role !== 'string') return null;
    if (new Date(s.expiresAt).getTime() <= Date.now()) return null;
    return s as Stored;
  } catch {
    return null;
  }
}

function write(s: Stored): void {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(s));
  } catch {
    /* private mode: the session lasts for this page only */
  }
}

/** Load a remembered, unexpired session (no request: the first authenticated call checks it). */
export function restoreSession(): void {
  const s = read();
  if (!s) {
    try {
      localStorage.removeItem(STORAGE_KEY);
    } catch {
      /* storage unavailable */
    }
    return;
  }
  session.token = s.token;
  session.expiresAt = s.expiresAt;
  session.issuedAt = typeof s.issuedAt === 'number' ? s.issuedAt : null;
  session.user = s.user;
}

/** A new token: after login, a refresh or a password change. */
export function setSession(r: LoginResponse): void {
  const issuedAt = Date.now();
  session.token = r.token;
  session.expiresAt = r.expiresAt;
  session.issuedAt = issuedAt;
  // the same user again (a refresh) keeps the object, so nothing keyed on it starts over
  if (!session.user || JSON.stringify(session.user) !== JSON.stringify(r.user)) session.user = r.user;
  session.notice = null;
  write({ token: r.token, expiresAt: r.expiresAt, issuedAt, user: r.user });
}

export function clearSession(notice: Notice | null = null): void {
  session.token = null;
  session.expiresAt = null;
  session.issuedAt = null;
  session.user = null;
  session.notice = notice;
  try {
    localStorage.removeItem(STORAGE_KEY);
  } catch {
    /* storage unavailable */
  }
}

/** The session answered 401: over (the notice says whether it expired or was ended on the server). */
export function endSession(detail?: string): void {
  const expired = session.expiresAt !== null && Date.parse(session.expiresAt) <= Date.now();
  const base = expired ? NOTICE_EXPIRED : NOTICE_ENDED;
  clearSession(detail && !expired ? { ...base, detail } : base);
}

/** Past half its life: time to ask for a new token. */
export function tokenDueForRefresh(now = Date.now()): boolean {
  if (!session.token || !session.expiresAt) return false;
  const expires = Date.parse(session.expiresAt);
  if (!Number.isFinite(expires)) return false;
  const issued = session.issuedAt ?? expires - DEFAULT_TTL_MS;
  return now >= issued + (expires - issued) / 2;
}

// A refresh or a password change replaces the token: a 401 that arrives meanwhile, for a request
// sent with the old one, is not the end of the session. Requests wait for the change to settle.
let tokenChange: Promise<unknown> | null = null;

export function trackTokenChange<T>(p: Promise<T>): Promise<T> {
  const tracked = p.finally(() => {
    if (tokenChange === tracked) tokenChange = null;
  });
  tokenChange = tracked;
  return tracked;
}

export async function tokenChangeSettled(): Promise<void> {
  while (tokenChange) {
    const t = tokenChange;
    await t.catch(() => {});
    if (tokenChange === t) tokenChange = null;
  }
}

export function authHeaders(): Record<string, string> {
  return session.token ? { authorization: `Bearer ${session.token}` } : {};
}

export const isConsoleRole = (u: SessionUser | null): boolean =>
  !!u && (u.role === 'dispatcher' || u.role === 'supervisor' || u.role === 'admin' || u.role === 'leader');

/** Who the page is working for: changes on login, logout and a different user, not on a new token. */
export const sessionKey = (u: SessionUser | null): string | null => (u ? `${u.id}:${u.role}:${u.districtAdcode ?? ''}:${u.officerId ?? ''}` : null);
