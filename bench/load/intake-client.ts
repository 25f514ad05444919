// The intake side of bench/intake-socket.ts, in its own process: posts cases at a steady rate and times
// each answer. Each case's sourceRef carries its send time (`bench-<i>-<wall ms>`), from which the
// consoles (bench/load/consoles.ts, other processes) time its arrival without a shared clock table.
//   args: base token rate seconds    prints { total, achievedRate, httpErrors, http: histogram, cpuSeconds }
import http from 'node:http';

const [base, token, rateArg, secondsArg] = process.argv.slice(2) as [string, string, string, string];
const RATE = Number(rateArg);
const SECONDS = Number(secondsArg);
const total = Math.round(RATE * SECONDS);
const hist = new Map<number, number>();
let httpErrors = 0;

// Plain node:http with keep-alive: the load generator shares the machine, so it should cost little.
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const target = new URL('/api/incidents', base);
function post(body: string): Promise<number> {
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
const inflight: Promise<void>[] = [];
for (let i = 0; i < total; i++) {
  const due = started + (i * 1000) / RATE;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const t = performance.now();
  const body = JSON.stringify({
    category: '0102',
    source: 'public',
    sourceRef: `bench-${i}-${(performance.timeOrigin + t).toFixed(3)}`,
    description: '压测案件 load test',
    lon: 104.03 + (i % 97) * 0.0009,
    lat: 30.63 + (i % 89) * 0.0007,
  });
  inflight.push(
    post(body).then(
      (status) => {
        const b = Math.round((performance.now() - t) * 10);
        hist.set(b, (hist.get(b) ?? 0) + 1);
        if (status !== 201) httpErrors++;
      },
      () => void httpErrors++,
    ),
  );
}
await Promise.all(inflight);
const elapsed = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpu0);
const summary = { total, achievedRate: total / elapsed, httpErrors, http: [...hist], cpuSeconds: (cpu.user + cpu.system) / 1e6 };
process.stdout.write(JSON.stringify(summary) + '\n', () => process.exit(0));
