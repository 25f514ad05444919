// BENCH_TRACE=1: a few seconds of the loaded console traced (Chrome trace JSON, opens in DevTools'
// Performance panel) and summarised: where the page's main thread and the GPU process's main thread
// spend their time, by trace event name (inclusive: nested events count in their parents too).
export const TRACE_CATEGORIES = [
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'toplevel',
  'v8.execute',
  'blink',
  'gpu',
  'cc',
  'viz',
  'ipc',
  'mojom',
];

interface TraceEvent {
  ph: string;
  name: string;
  pid: number;
  tid: number;
  dur?: number;
  args?: { name?: string };
}

export function summariseTrace(json: Buffer, seconds: number, top = 10): Record<string, { name: string; msPerSecond: number }[]> {
  const parsed = JSON.parse(json.toString('utf8')) as { traceEvents?: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? []);
  const threads = new Map<string, string>();
  for (const e of events) if (e.ph === 'M' && e.name === 'thread_name' && e.args?.name) threads.set(`${e.pid}:${e.tid}`, e.args.name);
  const wanted = new Set(['CrRendererMain', 'CrGpuMain']);
  const totals = new Map<string, Map<string, number>>();
  for (const e of events) {
    if (e.ph !== 'X' || !e.dur) continue;
    const thread = threads.get(`${e.pid}:${e.tid}`);
    if (!thread || !wanted.has(thread)) continue;
    const byName = totals.get(thread) ?? new Map<string, number>();
    byName.set(e.name, (byName.get(e.name) ?? 0) + e.dur / 1000);
    totals.set(thread, byName);
  }
  const out: Record<string, { name: string; msPerSecond: number }[]> = {};
  for (const [thread, byName] of totals) {
    out[thread] = [...byName]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({ name, msPerSecond: ms / seconds }));
  }
  return out;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** Self time of the page's JavaScript (a CDP Profiler sample), by function and file, ms per second. */
export function summariseProfile(profile: CpuProfile, top = 12): { name: string; msPerSecond: number }[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const node = byId.get(samples[i]!);
    if (!node) continue;
    const f = node.callFrame;
    const file = f.url ? f.url.slice(f.url.lastIndexOf('/') + 1) : '';
    const key = `${f.functionName || '(anonymous)'}${file ? ` ${file}:${f.lineNumber + 1}:${f.columnNumber + 1}` : ''}`;
    // a sample's time is the gap to the next one
    self.set(key, (self.get(key) ?? 0) + (deltas[i + 1] ?? 0) / 1000);
  }
  const seconds = (profile.endTime - profile.startTime) / 1e6;
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, ms]) => ({ name, msPerSecond: ms / seconds }));
}
