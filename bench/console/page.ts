// What bench/console.ts watches inside the page: first-render milestones, a requestAnimationFrame
// counter and long tasks (an init script), main-thread time (Chrome DevTools Protocol
// Performance.getMetrics), the socket.io frames the console receives and its API requests.
import type { CDPSession, Page, WebSocket } from 'playwright-core';

export interface Probe {
  /** ms from navigation start (performance.now()) when each milestone was first seen */
  milestones: { ready?: number; officers?: number; queue?: number };
  queueShown: string | null;
  officersShown: number;
  frames: number;
  /** frames MapLibre drew (its `render` events) */
  mapFrames: number;
  longTasks: number[];
}

export interface ProbeTargets {
  officers: number;
  openCases: number;
  /** stop polling after this many ms from navigation start */
  timeoutMs: number;
}

/** Runs in the page before any of its scripts (page.addInitScript): must be self-contained. */
export function installProbe(t: ProbeTargets): void {
  const w = window as unknown as {
    __zhihui?: { ready: boolean; layers: Record<string, number> };
    __zhihuiMap?: { on(type: 'render', fn: () => void): unknown };
    __bench?: Probe;
  };
  if (w.__bench) return;
  const probe: Probe = { milestones: {}, queueShown: null, officersShown: 0, frames: 0, mapFrames: 0, longTasks: [] };
  let hookedMap: unknown = null;
  w.__bench = probe;
  const frame = () => {
    probe.frames += 1;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) probe.longTasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    /* no long-task timing in this browser */
  }
  const timer = setInterval(() => {
    const now = performance.now();
    if (w.__zhihuiMap && w.__zhihuiMap !== hookedMap) {
      hookedMap = w.__zhihuiMap;
      w.__zhihuiMap.on('render', () => {
        probe.mapFrames += 1;
      });
    }
    const z = w.__zhihui;
    const m = probe.milestones;
    if (z?.ready && m.ready === undefined) m.ready = now;
    probe.officersShown = z?.layers?.officers ?? 0;
    if (probe.officersShown >= t.officers && m.officers === undefined) m.officers = now;
    const text = document.querySelector('[data-testid="queue-open"]')?.textContent ?? null;
    probe.queueShown = text === null ? null : text.trim();
    // digits only: the count may be shown with a thousands separator
    const shown = text === null ? NaN : Number(text.replace(/[^0-9]/g, '') || NaN);
    if (shown === t.openCases && m.queue === undefined) m.queue = now;
    if ((m.ready !== undefined && m.officers !== undefined && m.queue !== undefined) || now > t.timeoutMs) clearInterval(timer);
  }, 20);
}

/**
 * installProbe as an init script. tsx compiles with esbuild's keepNames, which wraps inner functions
 * in a `__name(…)` helper that does not exist in the page: the script brings a stand-in.
 */
export const probeScript = (t: ProbeTargets): string => `globalThis.__name ??= (fn) => fn;\n(${installProbe.toString()})(${JSON.stringify(t)});`;

export const readProbe = (page: Page): Promise<Probe> => page.evaluate(() => (window as unknown as { __bench: Probe }).__bench);

/** Main-thread counters of the page's renderer (seconds, cumulative since Performance.enable). */
export interface Metrics {
  Timestamp: number;
  TaskDuration: number;
  ScriptDuration: number;
  LayoutDuration: number;
  RecalcStyleDuration: number;
  ThreadTime: number;
  ProcessTime: number;
  DevToolsCommandDuration: number;
  JSHeapUsedSize: number;
  Nodes: number;
}

export async function metrics(cdp: CDPSession): Promise<Metrics> {
  const { metrics: list } = await cdp.send('Performance.getMetrics');
  const m = Object.fromEntries(list.map((x) => [x.name, x.value])) as Record<string, number>;
  return {
    Timestamp: m.Timestamp ?? NaN,
    TaskDuration: m.TaskDuration ?? NaN,
    ScriptDuration: m.ScriptDuration ?? NaN,
    LayoutDuration: m.LayoutDuration ?? NaN,
    RecalcStyleDuration: m.RecalcStyleDuration ?? NaN,
    ThreadTime: m.ThreadTime ?? NaN,
    ProcessTime: m.ProcessTime ?? NaN,
    DevToolsCommandDuration: m.DevToolsCommandDuration ?? NaN,
    JSHeapUsedSize: m.JSHeapUsedSize ?? NaN,
    Nodes: m.Nodes ?? NaN,
  };
}

/** What the console's socket receives: `positions` batches and `event`s (socket.io text frames). */
export class SocketCounter {
  positions = 0;
  positionBytes = 0;
  positionUpdates = 0;
  events = 0;
  other = 0;
  lastPositionsAt = 0;
  /** socket.io connections the page opened and saw closed (a reconnect loses what was in flight) */
  opened = 0;
  closed = 0;
  /** ms from a batch's newest fix (server clock, same machine) to the page having taken its frame */
  readonly positionLag: number[] = [];

  attach(page: Page): void {
    page.on('websocket', (ws: WebSocket) => {
      if (!ws.url().includes('/socket.io/')) return;
      this.opened += 1;
      ws.on('close', () => void (this.closed += 1));
      ws.on('framereceived', ({ payload }) => {
        if (typeof payload !== 'string') {
          this.other += 1;
          return;
        }
        if (payload.startsWith('42["positions"')) {
          this.positions += 1;
          this.positionBytes += payload.length;
          // one "officerId" key per update in the batch
          this.positionUpdates += payload.split('"officerId"').length - 1;
          this.lastPositionsAt = performance.now();
          const at = /"at":"([^"]+)"/.exec(payload)?.[1];
          if (at) this.positionLag.push(Date.now() - Date.parse(at));
        } else if (payload.startsWith('42["event"')) this.events += 1;
        else this.other += 1;
      });
    });
  }

  snapshot() {
    return {
      positions: this.positions,
      positionBytes: this.positionBytes,
      positionUpdates: this.positionUpdates,
      events: this.events,
      lags: this.positionLag.length,
    };
  }
}

/** The page's requests to /api/, by kind, and how many are in flight. */
export class RequestCounter {
  inflight = 0;
  lastActivity = performance.now();
  readonly counts = new Map<string, number>();

  attach(page: Page): void {
    const kind = (url: string) => {
      const p = new URL(url).pathname;
      const tile = /^\/api\/tiles\/([^/]+)\//.exec(p);
      if (tile) return `tiles ${tile[1]}`;
      if (/^\/api\/incidents\/\d+\/events$/.test(p)) return 'case record';
      if (/^\/api\/incidents\/\d+$/.test(p)) return 'case refetch';
      return p;
    };
    page.on('request', (r) => {
      if (!r.url().includes('/api/')) return;
      this.inflight += 1;
      this.lastActivity = performance.now();
      const k = kind(r.url());
      this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
    });
    const done = (r: { url(): string }) => {
      if (!r.url().includes('/api/')) return;
      this.inflight = Math.max(0, this.inflight - 1);
      this.lastActivity = performance.now();
    };
    page.on('requestfinished', done);
    page.on('requestfailed', done);
  }

  snapshot(): Map<string, number> {
    return new Map(this.counts);
  }

  /** Until no API request has been in flight for `quietMs` (or `maxMs` passed); answers the ms waited. */
  async quiet(quietMs: number, maxMs: number): Promise<number> {
    const started = performance.now();
    while (performance.now() - started < maxMs) {
      if (this.inflight === 0 && performance.now() - this.lastActivity >= quietMs) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    return performance.now() - started;
  }
}

export function diffCounts(after: Map<string, number>, before: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, v] of after) {
    const d = v - (before.get(k) ?? 0);
    if (d > 0) out.set(k, d);
  }
  return out;
}
