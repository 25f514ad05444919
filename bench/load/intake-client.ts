// The far side of bench/intake-socket.ts, in its own process: connects the consoles' sockets,
// posts cases at a steady rate, and times each case from the POST leaving to its event arriving.
import http from 'node:http';
import { io, type Socket } from 'socket.io-client';
import { stats } from '../support.ts';

const [base, token, socketsArg, rateArg, secondsArg] = process.argv.slice(2);
const SOCKETS = Number(socketsArg);
const RATE = Number(rateArg);
const SECONDS = Number(secondsArg);
const total = Math.round(RATE * SECONDS);
const sentAt = new Array<number>(total);
const latencies: number[] = [];
const firstArrival: number[] = [];
let httpErrors = 0;
const httpTimes: number[] = [];

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

const sockets: Socket[] = [];
await Promise.all(
  Array.from(
    { length: SOCKETS },
    () =>
      new Promise<void>((resolve, reject) => {
        const s = io(base!, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
        s.on('event', (e: { type: string; payload: { sourceRef?: string } }) => {
          if (e.type !== 'incident.reported' || !e.payload.sourceRef?.startsWith('bench-')) return;
          const i = Number(e.payload.sourceRef.slice(6));
          const dt = performance.now() - sentAt[i]!;
          latencies.push(dt);
          if (firstArrival[i] === undefined) firstArrival[i] = dt;
        });
        s.once('ready', () => resolve());
        s.once('connect_error', reject);
        sockets.push(s);
      }),
  ),
);

const started = performance.now();
const inflight: Promise<void>[] = [];
for (let i = 0; i < total; i++) {
  const due = started + (i * 1000) / RATE;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  sentAt[i] = performance.now();
  const body = JSON.stringify({
    category: '0102',
    source: 'public',
    sourceRef: `bench-${i}`,
    description: '压测案件 load test',
    lon: 104.03 + (i % 97) * 0.0009,
    lat: 30.63 + (i % 89) * 0.0007,
  });
  inflight.push(
    post(body).then(
      (status) => {
        httpTimes.push(performance.now() - sentAt[i]!);
        if (status !== 201) httpErrors++;
      },
      () => void httpErrors++,
    ),
  );
}
await Promise.all(inflight);
const deadline = performance.now() + 10_000;
while (latencies.length < total * SOCKETS && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
const elapsed = (performance.now() - started) / 1000;
for (const s of sockets) s.close();
const summary = {
  total,
  achievedRate: total / elapsed,
  deliveries: latencies.length,
  expected: total * SOCKETS,
  httpErrors,
  every: stats(latencies),
  first: stats(firstArrival.filter((x) => x !== undefined)),
  http: stats(httpTimes),
};
process.stdout.write(JSON.stringify(summary) + '\n', () => process.exit(0));
