// Catch-up after a console was away (issue 17, item 6): while a city-wide console is away, cases arrive
// through the real HTTP intake at BENCH_RATE (50/s), each registered at intake and one in five voided a
// moment later (a step that closes it); then the console comes back and catches up. Measured for both
// strategies from the same starting point: replaying the missed events page by page (what the console
// did for any gap: the baseline) and reloading the open cases then resuming from the head. Figures: time
// until the console's open cases equal what a freshly loaded console sees, and the requests it made.
// Two absences: a short one (BENCH_SHORT_SECONDS, 5) and a long one (BENCH_AWAY_SECONDS, 600), in a
// city that already has BENCH_OPEN_CASES open cases (5,000, written in bulk by bench/console/data.ts):
// what a reload costs grows with them, what a replay costs with the cases the missed events touched.
//   npm run bench -- catch-up
//   DATABASE_URL=postgres://… BENCH_AWAY_SECONDS=60 npm run bench -- catch-up
//
// What is the console's own code and what is simulated: the walk and the decision are the console's
// (`catchUp`, `shouldReload` and the thresholds in shared/cases/catch-up.ts, which the live client
// runs). Applying an event is simulated after client/src/console/cases/store.svelte.ts: every case an
// event touches is refetched (GET /api/incidents/:id, six at a time as a browser does per host) and
// dropped when final; the store refetches per event in 120 ms windows, so it makes at least as many
// requests as counted here. A reload is api.allOpenCases (pages of 1,000), as the store's loadSnapshot.
// The intake stops when the console comes back, so "consistent" has a fixed target.
import http from 'node:http';
import { CATCH_UP_REPLAY_MAX, catchUp, estimateMissed } from '../shared/cases/catch-up.ts';
import type { EventsPage } from '../shared/cases/contract.ts';
import { growCity } from './console/data.ts';
import { benchApp, benchDatabase, benchToken } from './support.ts';

const RATE = Number(process.env.BENCH_RATE ?? 50);
const AWAY = Number(process.env.BENCH_AWAY_SECONDS ?? 600);
const SHORT = Number(process.env.BENCH_SHORT_SECONDS ?? 5);
const OPEN_CASES = Number(process.env.BENCH_OPEN_CASES ?? 5000);
const VOID_SHARE = 0.2;
const BROWSER_CONNECTIONS = 6;

const db = await benchDatabase();
const app = await benchApp(db);
await app.listen({ port: 0, host: '127.0.0.1' });
const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
const token = await benchToken(db, app, 'dispatcher');
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const dispatcherId = (await db.pool.query<{ id: number }>(`SELECT id FROM users WHERE login = $1`, [`bench-dispatcher-${process.pid}`])).rows[0]!.id;
const city = await growCity(db.pool, { officers: 0, cases: OPEN_CASES, dispatcherId });

function request(method: 'GET' | 'POST', url: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      new URL(url, base),
      {
        method,
        agent,
        headers: { authorization: `Bearer ${token}`, ...(data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : null });
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

interface CaseRow {
  id: number;
  state: string;
  allowedSteps?: unknown;
  [k: string]: unknown;
}
const FINAL = new Set(['closed', 'voided']);

/** The console's open cases, and the requests it made to get them. */
class ConsoleModel {
  requests = 0;
  constructor(readonly open = new Map<number, CaseRow>()) {}

  private async get<T>(url: string): Promise<{ status: number; json: T }> {
    this.requests += 1;
    return (await request('GET', url)) as { status: number; json: T };
  }
  fetchPage = async (after: number, limit: number): Promise<EventsPage> => (await this.get<EventsPage>(`/api/events?after=${after}&limit=${limit}`)).json;

  /** api.allOpenCases + loadSnapshot */
  async reload(): Promise<void> {
    const all: CaseRow[] = [];
    for (let after = 0; ;) {
      const page = (await this.get<CaseRow[]>(`/api/incidents?open=true&limit=1000&afterId=${after}`)).json;
      all.push(...page);
      if (page.length < 1000) break;
      after = page.at(-1)!.id;
    }
    this.open.clear();
    for (const c of all) this.open.set(c.id, c);
  }

  /** A page of events as the store applies them: each touched case refetched, a final one dropped. */
  applyPage = async (events: EventsPage['events']): Promise<void> => {
    const ids = [...new Set(events.map((e) => e.incidentId).filter((id): id is number => id !== null))];
    let next = 0;
    const worker = async () => {
      while (next < ids.length) {
        const id = ids[next++]!;
        const r = await this.get<CaseRow>(`/api/incidents/${id}`);
        if (r.status === 404 || FINAL.has(r.json.state)) this.open.delete(id);
        else if (r.status === 200) {
          const { allowedSteps: _steps, ...row } = r.json;
          this.open.set(id, row as CaseRow);
        } else throw new Error(`GET /api/incidents/${id}: ${r.status}`);
      }
    };
    await Promise.all(Array.from({ length: BROWSER_CONNECTIONS }, worker));
  };
}

const head = async () => ((await request('GET', '/api/events?after=0&limit=0')).json as EventsPage).head;

/** Cases through POST /api/incidents at RATE for `seconds`, a fifth voided a second later. */
async function intake(seconds: number, tag: string): Promise<{ cases: number; errors: number; achieved: number }> {
  const total = Math.round(RATE * seconds);
  const started = performance.now();
  const inflight: Promise<void>[] = [];
  let errors = 0;
  for (let i = 0; i < total; i++) {
    const wait = started + (i * 1000) / RATE - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const body = {
      category: '0102',
      source: 'public',
      sourceRef: `${tag}-${i}`,
      description: '补齐压测 catch-up load',
      lon: 104.03 + (i % 97) * 0.0009,
      lat: 30.63 + (i % 89) * 0.0007,
      register: true,
    };
    inflight.push(
      request('POST', '/api/incidents', body).then(async (r) => {
        if (r.status !== 201) return void errors++;
        if (i % Math.round(1 / VOID_SHARE) !== 0) return;
        await new Promise((res) => setTimeout(res, 1000));
        const id = (r.json as { incident: { id: number } }).incident.id;
        const v = await request('POST', `/api/incidents/${id}/void`, { reason: '重复 duplicate (bench)' });
        if (v.status !== 200) errors++;
      }),
    );
  }
  await Promise.all(inflight);
  return { cases: total, errors, achieved: total / ((performance.now() - started) / 1000) };
}

const snapshot = (m: ConsoleModel) => new Map(m.open);
const differences = (a: Map<number, CaseRow>, b: Map<number, CaseRow>) =>
  [...new Set([...a.keys(), ...b.keys()])].filter((id) => JSON.stringify(a.get(id)) !== JSON.stringify(b.get(id))).length;

/** Both strategies from the same console state, each until it equals a fresh console. */
async function measureGap(label: string, seconds: number): Promise<void> {
  const before = new ConsoleModel();
  const after = await head(); // read before the snapshot, as the live client does
  await before.reload();
  const start = snapshot(before);
  const load = await intake(seconds, `${label}-${process.pid}`);
  const fresh = new ConsoleModel();
  await fresh.reload();
  const missed = (await head()) - after;
  const decisionProbe = new ConsoleModel();
  const firstPage = await decisionProbe.fetchPage(after, 5000);
  const estimate = estimateMissed(after, firstPage);
  console.log(
    `${label}: away ${seconds} s at ${RATE} cases/s (achieved ${load.achieved.toFixed(1)}/s, ${load.cases} cases, ${load.errors} errors): ` +
      `${missed} events missed; the console's decision (estimate ${estimate} vs CATCH_UP_REPLAY_MAX ${CATCH_UP_REPLAY_MAX}): ` +
      `${estimate > CATCH_UP_REPLAY_MAX ? 'reload' : 'replay'}`,
  );
  for (const strategy of ['replay', 'reload'] as const) {
    const m = new ConsoleModel(new Map(start));
    const t0 = performance.now();
    const out = await catchUp({ after, fetchPage: m.fetchPage, apply: m.applyPage, replayMax: strategy === 'replay' ? Infinity : 0 });
    if (out.kind === 'reload') {
      await m.reload();
      // the walk from the head read before the reload (nothing here: the intake has stopped)
      await catchUp({ after: out.head, fetchPage: m.fetchPage, apply: m.applyPage, replayMax: Infinity });
    }
    const ms = performance.now() - t0;
    const off = differences(m.open, fresh.open);
    console.log(
      `  ${strategy === 'replay' ? 'paged replay (baseline)' : 'reload (new)           '}: consistent in ${ms.toFixed(0).padStart(7)} ms  ` +
        `${String(m.requests).padStart(6)} requests  ${off === 0 ? 'equal to a fresh console' : `${off} cases differ from a fresh console`}  (${m.open.size} open cases)`,
    );
  }
}

console.log(
  `catch-up of a city-wide console (${db.mode === 'external' ? 'PostgreSQL' : 'embedded'}), ${city.open} open cases before it leaves; ` +
    `CATCH_UP_REPLAY_MAX ${CATCH_UP_REPLAY_MAX} events`,
);
await measureGap('short absence', SHORT);
await measureGap('long absence', AWAY);
agent.destroy();
await app.close();
await db.close();
