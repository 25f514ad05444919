// CPU time of the Chromium this process launched, by process type (/proc; Linux only): the map's
// WebGL runs in the GPU process (software GL under --disable-gpu), which the page's own counters
// (CDP Performance.getMetrics) do not include.
import { execSync } from 'node:child_process';
import fs from 'node:fs';

let ticksPerSecond = 100;
try {
  ticksPerSecond = Number(execSync('getconf CLK_TCK', { encoding: 'utf8' }).trim()) || 100;
} catch {
  /* the usual value */
}

interface Stat {
  ppid: number;
  cpu: number;
}

function stat(pid: number): Stat | null {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name may hold spaces and parentheses: fields start after the last ')'
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / ticksPerSecond };
  } catch {
    return null;
  }
}

/** Seconds of CPU used so far by each kind of descendant process (gpu-process, renderer, utility, browser…). */
export function chromiumCpu(rootPid = process.pid): Record<string, number> {
  const out: Record<string, number> = {};
  if (!fs.existsSync('/proc/self/stat')) return out;
  const children = new Map<number, number[]>();
  const stats = new Map<number, Stat>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const s = stat(pid);
    if (!s) continue;
    stats.set(pid, s);
    children.set(s.ppid, [...(children.get(s.ppid) ?? []), pid]);
  }
  const queue = [...(children.get(rootPid) ?? [])];
  while (queue.length) {
    const pid = queue.shift()!;
    queue.push(...(children.get(pid) ?? []));
    let cmd: string;
    try {
      cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (!/chrom/i.test(cmd)) continue;
    const kind = /--type=([\w-]+)/.exec(cmd)?.[1] ?? 'browser';
    out[kind] = (out[kind] ?? 0) + stats.get(pid)!.cpu;
  }
  return out;
}

export function cpuDelta(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([k, v]) => [k, Math.max(0, v - (before[k] ?? 0))]));
}
