// The load generators' processes (consoles, phones) and what they report: latency histograms in
// 0.1 ms buckets merged here, their own CPU, and the machine's CPU meanwhile (what else was running).
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Stats } from '../support.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

export interface Child {
  proc: ChildProcessByStdio<Writable, Readable, null>;
  /** resolves on the child's first "ready" line */
  ready: Promise<void>;
  /** resolves with the child's last line, parsed */
  result: Promise<unknown>;
  send(line: string): void;
}

export function child(script: string, args: string[]): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(here, script), ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  let readyFn: () => void;
  const ready = new Promise<void>((r) => (readyFn = r));
  proc.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.startsWith('ready\n')) {
      out = out.slice(6);
      readyFn();
    }
  });
  const result = new Promise<unknown>((resolve, reject) =>
    proc.on('exit', (code) => {
      const last = out.trim().split('\n').at(-1);
      if (code !== 0 || !last) reject(new Error(`${script} exited ${code}`));
      else resolve(JSON.parse(last));
    }),
  );
  return { proc, ready, result, send: (line) => proc.stdin.write(`${line}\n`) };
}

/** Splits `n` into `parts` near-equal whole shares (none empty). */
export function shares(n: number, parts: number): number[] {
  const k = Math.max(1, Math.min(parts, n));
  return Array.from({ length: k }, (_, i) => Math.floor(n / k) + (i < n % k ? 1 : 0));
}

/** Percentiles of merged histograms ([bucket of 0.1 ms, count] pairs). */
export function histStats(hists: [number, number][][]): Stats {
  const merged = new Map<number, number>();
  for (const h of hists) for (const [b, c] of h) merged.set(b, (merged.get(b) ?? 0) + c);
  const sorted = [...merged].sort((a, b) => a[0] - b[0]);
  const n = sorted.reduce((s, [, c]) => s + c, 0);
  const at = (q: number) => {
    const want = Math.min(n - 1, Math.floor(q * n));
    let seen = 0;
    for (const [b, c] of sorted) {
      seen += c;
      if (seen > want) return b / 10;
    }
    return NaN;
  };
  const mean = sorted.reduce((s, [b, c]) => s + (b / 10) * c, 0) / n;
  return { n, p50: at(0.5), p95: at(0.95), p99: at(0.99), mean };
}

/** Busy CPU-seconds of the whole machine so far (/proc/stat; 0 elsewhere). */
export function machineBusySeconds(): number {
  try {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal
    const busy = f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + (f[7] ?? 0);
    return busy / 100;
  } catch {
    return 0;
  }
}

/** CPU-seconds of each PostgreSQL backend serving `database`, by pid (/proc; empty elsewhere). */
export function backendsCpu(database: string): Map<number, number> {
  const out = new Map<number, number>();
  if (!fs.existsSync('/proc/self/stat')) return out;
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (!cmd.startsWith('postgres:') || !cmd.includes(` ${database} `)) continue;
      const s = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      out.set(Number(name), (Number(f[11]) + Number(f[12])) / 100);
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

/** CPU-seconds the backends spent between two `backendsCpu` readings (a backend that ended meanwhile is not counted). */
export function backendsDelta(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, cpu] of after) total += cpu - (before.get(pid) ?? 0);
  return total;
}
