import { vi } from 'vitest';

/**
 * The few browser globals the client's logic touches (window events, localStorage, navigator.onLine),
 * in Node: enough to run a module of client/src, with nothing drawn.
 */
export function browserGlobals() {
  const listeners = new Map<string, (() => void)[]>();
  const stored = new Map<string, string>();
  const window = {
    addEventListener: (type: string, fn: () => void) => listeners.set(type, [...(listeners.get(type) ?? []), fn]),
    dispatch: (type: string) => listeners.get(type)?.forEach((fn) => fn()),
  };
  const localStorage = {
    getItem: (k: string) => stored.get(k) ?? null,
    setItem: (k: string, v: string) => void stored.set(k, String(v)),
    removeItem: (k: string) => void stored.delete(k),
    clear: () => stored.clear(),
  };
  const navigator = { onLine: true };
  vi.stubGlobal('window', window);
  vi.stubGlobal('localStorage', localStorage);
  vi.stubGlobal('navigator', navigator);
  vi.stubGlobal('document', { documentElement: { dataset: {} } });
  return { window, localStorage, navigator, stored };
}
