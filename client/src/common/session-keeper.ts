// Keeps a session alive on screens that run around the clock: past half its life the token is
// renewed (POST /api/auth/refresh), checked every few minutes, when the page comes back into view
// and at once (a remembered session). A 401 there ends the session (api.ts: login form with a notice);
// a network failure waits for the next check.
import { api } from './api.ts';
import { session, tokenDueForRefresh } from './session.svelte.ts';

const CHECK_EVERY_MS = 10 * 60_000;

let inFlight: Promise<void> | null = null;

/** Renew the token if it is past half its life (one request at a time). */
export function refreshIfDue(): Promise<void> {
  if (inFlight || !tokenDueForRefresh()) return inFlight ?? Promise.resolve();
  inFlight = api
    .refresh()
    .then(
      () => {},
      (err: unknown) => {
        if (session.token) console.warn('[zhihui] token refresh failed, will retry', err);
      },
    )
    .finally(() => (inFlight = null));
  return inFlight;
}

/** Start checking; answers the function that stops it. */
export function keepSessionFresh(): () => void {
  const check = () => void refreshIfDue();
  const onVisible = () => {
    if (document.visibilityState === 'visible') check();
  };
  check();
  const timer = setInterval(check, CHECK_EVERY_MS);
  document.addEventListener('visibilitychange', onVisible);
  return () => {
    clearInterval(timer);
    document.removeEventListener('visibilitychange', onVisible);
  };
}

declare global {
  interface Window {
    /** for browser tests: renew the token now if it is due */
    __zhihuiSession?: { refreshIfDue(): Promise<void>; refreshNow(): Promise<unknown> };
  }
}
window.__zhihuiSession = { refreshIfDue, refreshNow: () => api.refresh() };
