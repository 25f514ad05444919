// Fetch and map errors as the page shows them (the console's error list) and as tests read them
// (`window.__zhihui.errors`). Shared because the live client, used by every screen, reports here.
import { hook } from './test-hook.ts';

export interface ShownError {
  at: Date;
  message: string;
  count: number;
}

const MAX_HOOK_ERRORS = 200;
const MAX_SHOWN_ERRORS = 6;

export const shownErrors: ShownError[] = $state([]);

export function reportError(err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  console.error('[zhihui]', err);
  if (hook.errors.length < MAX_HOOK_ERRORS) hook.errors.push(message);
  // the same message again (a refresh that keeps failing) bumps a counter instead of a new line
  const same = shownErrors.find((e) => e.message === message);
  if (same) {
    same.count += 1;
    same.at = new Date();
    return;
  }
  shownErrors.push({ at: new Date(), message, count: 1 });
  if (shownErrors.length > MAX_SHOWN_ERRORS) shownErrors.shift();
}

export function dismissErrors(): void {
  shownErrors.length = 0;
}
