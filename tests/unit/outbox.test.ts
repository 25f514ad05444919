import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CaseView } from '../../client/src/common/cases/types.ts';
import { browserGlobals } from './browser-globals.ts';

// the server's side of POST /api/incidents/:id/:action, as the phone's api module reaches it
const step = vi.hoisted(() => vi.fn<(id: number, action: string, body: unknown, key?: string) => Promise<CaseView>>());
vi.mock('../../client/src/common/api.ts', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../client/src/common/api.ts')>()),
  api: { step },
}));

const RETRY_MS = 5000;
const USER = 7;
/** every promise callback that can run now has run (timers are fake, setImmediate is not) */
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

let env: ReturnType<typeof browserGlobals>;
let outbox: typeof import('../../client/src/officer/outbox.svelte.ts').outbox;
let ApiError: typeof import('../../client/src/common/api.ts').ApiError;

/** A fresh page: the module (and its outbox) loaded again, localStorage as the last page left it. */
async function load() {
  vi.resetModules();
  ({ outbox } = await import('../../client/src/officer/outbox.svelte.ts'));
  ({ ApiError } = await import('../../client/src/common/api.ts'));
}

const view = (id: number) => ({ id }) as CaseView;
const queue = (caseId: number, action: 'accept' | 'arrive' | 'handle' = 'accept') =>
  outbox.add({ caseId, code: `C${caseId}`, action, body: action === 'handle' ? { outcome: 'service', notes: '已处理' } : {} });
const stored = (user = USER) => JSON.parse(env.localStorage.getItem(`zhihui.outbox.${user}`) ?? 'null') as { key: string; error?: string }[] | null;
const sentKeys = () => step.mock.calls.map((c) => c[3]);

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  env = browserGlobals();
  step.mockReset();
  await load();
  outbox.open(USER);
});
afterEach(() => {
  outbox.close();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('the officer outbox (client/src/officer/outbox.svelte.ts)', () => {
  it('sends steps in order, each once with its own idempotency key, and forgets them once the server has them', async () => {
    step.mockImplementation(async (id) => view(id));
    const sent: [number, string][] = [];
    outbox.onSent = (v, s) => sent.push([v.id, s.key]);
    const a = queue(1, 'accept');
    const b = queue(1, 'arrive');
    const c = queue(1, 'handle');
    expect(new Set([a.key, b.key, c.key]).size).toBe(3);
    await settle();
    expect(step.mock.calls.map((x) => [x[0], x[1], x[2], x[3]])).toEqual([
      [1, 'accept', {}, a.key],
      [1, 'arrive', {}, b.key],
      [1, 'handle', { outcome: 'service', notes: '已处理' }, c.key],
    ]);
    expect(sent).toEqual([
      [1, a.key],
      [1, b.key],
      [1, c.key],
    ]);
    expect(outbox.items).toEqual([]);
    expect(outbox.sentTotal).toBe(3);
    expect(stored()).toEqual([]);
  });

  it('keeps a step whose answer was lost and resends it with the same key, before the steps after it', async () => {
    step.mockRejectedValueOnce(new ApiError('/api/incidents/1/accept', null, '网络错误 network error (Failed to fetch)'));
    step.mockImplementation(async (id) => view(id));
    const a = queue(1, 'accept');
    const b = queue(2, 'accept');
    await settle();
    expect(sentKeys()).toEqual([a.key]);
    expect(outbox.items.map((i) => i.key)).toEqual([a.key, b.key]);
    expect(outbox.items[0]!.error).toMatch(/network error/);
    // the reason is kept with the step, on the phone too
    expect(stored()!.map((s) => [s.key, s.error])).toEqual([
      [a.key, outbox.items[0]!.error],
      [b.key, undefined],
    ]);

    await vi.advanceTimersByTimeAsync(RETRY_MS - 1);
    expect(step).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    await settle();
    expect(sentKeys()).toEqual([a.key, a.key, b.key]);
    expect(outbox.items).toEqual([]);
    expect(outbox.sentTotal).toBe(2);
  });

  it.each([null, 500, 502, 503, 401, 429])('retries a step answered %s (the server may take it later)', async (status) => {
    step.mockRejectedValueOnce(new ApiError('/api/incidents/1/accept', status, `HTTP ${status}`));
    step.mockImplementation(async (id) => view(id));
    const a = queue(1);
    await settle();
    expect(outbox.items.map((i) => i.key)).toEqual([a.key]);
    expect(outbox.rejected).toEqual([]);
    await vi.advanceTimersByTimeAsync(RETRY_MS);
    await settle();
    expect(sentKeys()).toEqual([a.key, a.key]);
    expect(outbox.items).toEqual([]);
  });

  it.each([400, 403, 404, 409, 422])('sets aside a step the server refused with %s, says why, and goes on with the next', async (status) => {
    step.mockRejectedValueOnce(new ApiError('/api/incidents/1/arrive', status, `HTTP ${status} case 1 was reassigned`, 'case 1 was reassigned'));
    step.mockImplementation(async (id) => view(id));
    const a = queue(1, 'arrive');
    const b = queue(2, 'accept');
    await settle();
    expect(sentKeys()).toEqual([a.key, b.key]);
    expect(outbox.rejected).toEqual([{ step: a, message: `HTTP ${status} case 1 was reassigned` }]);
    expect(outbox.items).toEqual([]);
    expect(stored()).toEqual([]);
    // never resent
    await vi.advanceTimersByTimeAsync(RETRY_MS * 3);
    expect(step).toHaveBeenCalledTimes(2);
  });

  it('waits while the phone is offline, and sends as soon as it is online again', async () => {
    step.mockImplementation(async (id) => view(id));
    env.navigator.onLine = false;
    const a = queue(1);
    await settle();
    await vi.advanceTimersByTimeAsync(RETRY_MS * 2);
    expect(step).not.toHaveBeenCalled();
    expect(stored()!.map((s) => s.key)).toEqual([a.key]);
    env.navigator.onLine = true;
    env.window.dispatch('online');
    await settle();
    expect(sentKeys()).toEqual([a.key]);
    expect(outbox.items).toEqual([]);
  });

  it('tries again now and then while offline, as a phone does not always say when the network is back', async () => {
    step.mockImplementation(async (id) => view(id));
    env.navigator.onLine = false;
    const a = queue(1);
    await settle();
    env.navigator.onLine = true; // back, with no 'online' event
    await vi.advanceTimersByTimeAsync(RETRY_MS);
    await settle();
    expect(sentKeys()).toEqual([a.key]);
  });

  it('stops between two steps when the network goes, and goes on from there', async () => {
    step.mockImplementation(async (id) => {
      env.navigator.onLine = false; // gone while the first was on its way
      return view(id);
    });
    const a = queue(1, 'accept');
    const b = queue(1, 'arrive');
    await settle();
    expect(sentKeys()).toEqual([a.key]);
    expect(outbox.items.map((i) => i.key)).toEqual([b.key]);
    step.mockImplementation(async (id) => view(id));
    env.navigator.onLine = true;
    await vi.advanceTimersByTimeAsync(RETRY_MS);
    await settle();
    expect(sentKeys()).toEqual([a.key, b.key]);
  });

  it('survives a reload: the user’s queue is read back from localStorage and sent with the same keys', async () => {
    env.navigator.onLine = false;
    const a = queue(1, 'accept');
    const b = queue(1, 'arrive');
    await settle();
    outbox.close();

    await load(); // the page reloads
    step.mockImplementation(async (id) => view(id));
    env.navigator.onLine = true;
    outbox.open(USER + 1); // another officer on this phone has nothing queued
    await settle();
    expect(outbox.items).toEqual([]);
    expect(step).not.toHaveBeenCalled();
    outbox.close();
    outbox.open(USER);
    await settle();
    expect(sentKeys()).toEqual([a.key, b.key]);
    expect(stored()).toEqual([]);
  });

  it('reads a damaged stored queue as empty, and sends nothing once closed (logged out)', async () => {
    outbox.close();
    env.localStorage.setItem(`zhihui.outbox.${USER}`, '{not json');
    outbox.open(USER);
    expect(outbox.items).toEqual([]);
    outbox.close();
    step.mockImplementation(async (id) => view(id));
    queue(1);
    await settle();
    expect(step).not.toHaveBeenCalled();
  });
});
