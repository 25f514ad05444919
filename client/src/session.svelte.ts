// Who is logged in: the token from POST /api/auth/login, remembered in localStorage. The server also
// sets an HTTP-only cookie, so same-origin requests (and <img src="/api/evidence/…">) are
// authenticated even without the header; the header is sent as well.
import type { LoginResponse, SessionUser } from './cases/types.ts';

const STORAGE_KEY = 'zhihui.session';

interface Stored {
  token: string;
  expiresAt: string;
  user: SessionUser;
}

export const session = $state({
  token: null as string | null,
  expiresAt: null as string | null,
  user: null as SessionUser | null,
  /** why the last session ended, shown on the login form (e.g. expired) */
  notice: null as string | null,
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
  session.user = s.user;
}

export function setSession(r: LoginResponse): void {
  session.token = r.token;
  session.expiresAt = r.expiresAt;
  session.user = r.user;
  session.notice = null;
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify({ token: r.token, expiresAt: r.expiresAt, user: r.user } satisfies Stored));
  } catch {
    /* private mode: the session lasts for this page only */
  }
}

export function clearSession(notice: string | null = null): void {
  session.token = null;
  session.expiresAt = null;
  session.user = null;
  session.notice = notice;
  try {
    localStorage.removeItem(STORAGE_KEY);
  } catch {
    /* storage unavailable */
  }
}

export function authHeaders(): Record<string, string> {
  return session.token ? { authorization: `Bearer ${session.token}` } : {};
}

export const isConsoleRole = (u: SessionUser | null): boolean =>
  !!u && (u.role === 'dispatcher' || u.role === 'supervisor' || u.role === 'admin' || u.role === 'leader');
