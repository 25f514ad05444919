// Officers' phones for bench/avl.ts, many to a process: each posts its fix to
// POST /api/officers/me/position every PERIOD ms (its own token), moving a little each time.
//   args: base phonesFile periodMs seconds    (phonesFile: JSON [{ token, lon, lat }])
//   A phone whose previous fix is still unanswered skips this one (the server falling behind shows as
//   skipped fixes, not as an ever longer queue in this process).
//   prints { sent, skipped, accepted, refused, errors, http: latencies histogram (0.1 ms), cpuSeconds }
import fs from 'node:fs';
import http from 'node:http';

const [base, file, periodArg, secondsArg] = process.argv.slice(2) as [string, string, string, string];
const phones = JSON.parse(fs.readFileSync(file, 'utf8')) as { token: string; lon: number; lat: number }[];
const PERIOD = Number(periodArg);
const SECONDS = Number(secondsArg);

const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
const target = new URL('/api/officers/me/position', base);
const hist = new Map<number, number>();
let sent = 0;
let accepted = 0;
let refused = 0;
let errors = 0;
/** fixes not sent because the phone's previous one was still unanswered (as a phone that waits would) */
let skipped = 0;
const busy = new Set<number>();

function post(token: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      target,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const cpu0 = process.cpuUsage();
const started = performance.now();
const end = started + SECONDS * 1000;
const inflight = new Set<Promise<void>>();
// phones spread evenly over the period, each on its own fixed schedule
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
for (let tick = 0; ; tick++) {
  const due = started + (tick * PERIOD) / phones.length;
  if (due >= end) break;
  await sleep(due - performance.now());
  const k = tick % phones.length;
  const round = Math.floor(tick / phones.length);
  const p = phones[k]!;
  if (busy.has(k)) {
    skipped++;
    continue;
  }
  busy.add(k);
  // ≈ 6 m a step round a small circle
  const a = round * 0.35 + k;
  const body = JSON.stringify({ lon: p.lon + Math.cos(a) * 0.00005, lat: p.lat + Math.sin(a) * 0.00005, accuracy: 8 });
  const t = performance.now();
  sent++;
  const req: Promise<void> = post(p.token, body).then(
    (status) => {
      const b = Math.round((performance.now() - t) * 10);
      hist.set(b, (hist.get(b) ?? 0) + 1);
      if (status === 202) accepted++;
      else if (status === 429) refused++;
      else errors++;
    },
    () => void errors++,
  );
  inflight.add(req);
  void req.finally(() => {
    inflight.delete(req);
    busy.delete(k);
  });
}
await Promise.all(inflight);
const cpu = process.cpuUsage(cpu0);
process.stdout.write(JSON.stringify({ sent, skipped, accepted, refused, errors, hist: [...hist], cpuSeconds: (cpu.user + cpu.system) / 1e6 }) + '\n', () =>
  process.exit(0),
);
