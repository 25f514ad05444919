// A city's whole unit grid imported through the API (issue 13): BENCH_CELLS (default 100,000) cells of 100 m
// in a new district (110199), written as a zipped GBK Shapefile in CGCS2000 Gauss-Krüger zone 39 (EPSG:4527),
// uploaded over HTTP (POST /api/gis/imports, the multipart body streamed from disk), previewed and committed;
// then the same file again (every row `keep`: the cost of the diff). Beside it, in the same run, a bare
// INSERT of the same rows (unnest batches of 1000 with ST_GeomFromGeoJSON, as stageRows sends them) into a
// scratch table (code, geom), and on an external server a COPY of them (pg-copy-streams).
//   npm run bench -- gis-import
//   DATABASE_URL=postgres://… npm run bench -- gis-import
// Goal (the issue): preview + commit under 60 s on PostgreSQL, under 5 minutes embedded, memory flat.
// Printed: each import's figures, then the SQL time by statement (every pg query of this process is timed),
// which names the statement to EXPLAIN when a figure is over. On an external server an import still running
// after BENCH_DEADLINE_S (default ten times the goal) is cancelled and reported as over.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { formatGridCode } from '#shared/grid-code.ts';
import { type ExportFeature, writeShapefileZip } from '../server/gis/formats/export.ts';
import { benchApp, benchDatabase, benchToken } from './support.ts';

const CELLS = Number(process.env.BENCH_CELLS ?? 100_000);
const ADCODE = '110199';
const EPSG = 4527;
/** 100 m cells from a corner south-east of Beijing, well inside 3° zone 39 (115.5°E–118.5°E, central meridian 117°E). */
const ORIGIN = [116.6, 39.55] as const;
const DLAT = 100 / 111_320;
const DLON = DLAT / Math.cos(((ORIGIN[1] + 0.15) * Math.PI) / 180);
const COLS = Math.ceil(Math.sqrt(CELLS));
/** A community is a block of 25 × 20 cells (500, of the 999 a community may number), a street 20 communities. */
const BLOCK = { cols: 25, rows: 20, perStreet: 20 };
const GOAL_S = { external: 60, embedded: 300 } as const;

const x = (c: number) => ORIGIN[0] + c * DLON;
const y = (r: number) => ORIGIN[1] + r * DLAT;

interface Cell {
  code: string;
  street: number;
  community: number;
  ring: number[][];
}

/** Cell i of the lattice, row by row from the south-west; shared corners are the same doubles on both cells. */
function cell(i: number): Cell {
  const r = Math.floor(i / COLS);
  const c = i % COLS;
  const block = Math.floor(r / BLOCK.rows) * Math.ceil(COLS / BLOCK.cols) + Math.floor(c / BLOCK.cols);
  const street = Math.floor(block / BLOCK.perStreet) + 1;
  const community = (block % BLOCK.perStreet) + 1;
  const sequence = (r % BLOCK.rows) * BLOCK.cols + (c % BLOCK.cols) + 1;
  const code = formatGridCode({ district: ADCODE, street: String(street), community: String(community), sequence });
  return {
    code,
    street,
    community,
    ring: [
      [x(c), y(r)],
      [x(c + 1), y(r)],
      [x(c + 1), y(r + 1)],
      [x(c), y(r + 1)],
      [x(c), y(r)],
    ],
  };
}

/** The district is exactly the lattice's outline: full rows, and the last row as far as it goes. */
function districtRing(): number[][] {
  const full = Math.floor(CELLS / COLS);
  const rest = CELLS % COLS;
  if (rest === 0)
    return [
      [x(0), y(0)],
      [x(COLS), y(0)],
      [x(COLS), y(full)],
      [x(0), y(full)],
      [x(0), y(0)],
    ];
  return [
    [x(0), y(0)],
    [x(COLS), y(0)],
    [x(COLS), y(full)],
    [x(rest), y(full)],
    [x(rest), y(full + 1)],
    [x(0), y(full + 1)],
    [x(0), y(0)],
  ];
}

/** One feature at a time, as a bureau's GIS writes them: never an array of the layer. */
async function* features(): AsyncGenerator<ExportFeature> {
  for (let i = 0; i < CELLS; i++) {
    const c = cell(i);
    yield { geometry: { type: 'Polygon', coordinates: [c.ring] }, properties: { 网格编码: c.code, 街道: `第${c.street}街道`, 社区: `第${c.community}社区` } };
  }
}

// ---------------------------------------------------------------------------------------------------------
// Where the time goes: every statement any pg client of this process sends, timed while `recording`.

const spent = new Map<string, { calls: number; ms: number }>();
let recording = false;
const LABELS: [RegExp, string][] = [
  [/^INSERT INTO gis_import_features/, 'stageRows (unnest INSERT per 1000)'],
  [/^INSERT INTO gis_import_problems .*FROM unnest/, 'addProblems'],
  [/^WITH bad AS/, 'checkGeometries: ST_IsValidDetail'],
  [/^UPDATE gis_import_features f SET geom/, 'checkGeometries: set geom'],
  [/nothing of the polygon is left/, 'checkGeometries: empty after repair'],
  [/缺少网格编码/, 'checkGridRules: code rules'],
  [/网格编码重复/, 'checkGridRules: duplicates'],
  [/'unknown_district'/, 'checkGridRules: unknown district'],
  [/'outside_district'/, 'checkGridRules: outside district'],
  [/^WITH c AS/, 'checkGridRules: overlaps'],
  [/^WITH cells AS/, 'checkGridGaps'],
  [/^UPDATE gis_import_features f SET action/, 'diffGrid: actions'],
  [/count\(\*\) FILTER \(WHERE action = 'add'\)/, 'diffGrid: counts + remove'],
  [/^SELECT g\.code FROM grid_cells g WHERE g\.valid_to IS NULL/, 'previewOf: removedCodes'],
  [/FROM gis_import_problems WHERE import_id = \$1 (GROUP|ORDER)/, 'previewOf: problems'],
  [/^INSERT INTO streets/, 'commitGrid: streets'],
  [/^INSERT INTO communities/, 'commitGrid: communities'],
  [/^UPDATE grid_cells g SET valid_to/, 'commitGrid: close cells'],
  [/^INSERT INTO grid_cells/, 'commitGrid: insert cells'],
  [/^DELETE FROM gis_import_features/, 'endImport: drop staged rows'],
];
const label = (sql: string) => {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return LABELS.find(([re]) => re.test(flat))?.[1] ?? 'other (auth, records, app background)';
};
const record = (key: string, ms: number) => {
  const s = spent.get(key) ?? { calls: 0, ms: 0 };
  s.calls++;
  s.ms += ms;
  spent.set(key, s);
};
{
  type Query = (...args: unknown[]) => unknown;
  const proto = pg.Client.prototype as unknown as { query: Query };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const sql = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: unknown } | undefined)?.text;
    if (!recording || typeof sql !== 'string') return original.apply(this, args);
    const key = label(sql);
    const started = performance.now();
    const last = args.length - 1;
    if (typeof args[last] === 'function') {
      const cb = args[last] as (...a: unknown[]) => unknown;
      args[last] = (...a: unknown[]) => {
        record(key, performance.now() - started);
        return cb(...a);
      };
      return original.apply(this, args);
    }
    const out = original.apply(this, args);
    if (out instanceof Promise) return out.finally(() => record(key, performance.now() - started));
    return out;
  };
}

// a full collection before each import, so that the start is live memory only (run-all starts us without --expose-gc)
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Peak heap and RSS above the start (after a full collection), sampled every 100 ms. */
function memorySampler() {
  gc();
  const start = process.memoryUsage();
  let heap = 0;
  let rss = 0;
  const sample = () => {
    const m = process.memoryUsage();
    heap = Math.max(heap, m.heapUsed - start.heapUsed);
    rss = Math.max(rss, m.rss - start.rss);
  };
  const timer = setInterval(sample, 100);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { heapMb: heap / 1e6, rssMb: rss / 1e6, startHeapMb: start.heapUsed / 1e6, startRssMb: start.rss / 1e6 };
    },
  };
}

// ---------------------------------------------------------------------------------------------------------

const db = await benchDatabase();
/** Per import (preview + commit), external only: BENCH_DEADLINE_S, default ten times the goal. */
const DEADLINE_S = Number(process.env.BENCH_DEADLINE_S ?? 10 * GOAL_S[db.mode]);
const app = await benchApp(db);
await app.listen({ port: 0, host: '127.0.0.1' });
const port = (app.server.address() as AddressInfo).port;
const authorization = `Bearer ${await benchToken(db, app, 'admin')}`;
const zipPath = path.join(db.dataDir, 'grid-bench.zip');
const seconds = (ms: number) => ms / 1000;

function request(method: string, url: string, headers: http.OutgoingHttpHeaders, body: Readable | string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: url, headers: { authorization, ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (typeof body === 'string') req.end(body);
    else pipeline(body, req).catch(reject);
  });
}

interface Preview {
  import: { id: number; counts: Record<string, number> };
  problemCounts: { kind: string; severity: string; count: number }[];
}

/**
 * Waits (untimed) until the server takes requests again: embedded, a long statement holds the event loop,
 * and under-pressure answers 503 to the next request until its delay sample recovers.
 */
async function calm(): Promise<void> {
  for (let i = 0; i < 120; i++) {
    if ((await request('GET', '/api/config', {}, '')).status !== 503) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error('the server answered 503 for a minute');
}

/** The file as one multipart "file" part, streamed from disk (Content-Length known, nothing held in memory). */
async function upload(): Promise<Preview> {
  const boundary = `----zhihui-bench-${process.pid}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="grid.zip"\r\nContent-Type: application/zip\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const body = Readable.from(
    (async function* () {
      yield head;
      yield* fs.createReadStream(zipPath);
      yield tail;
    })(),
  );
  const res = await request(
    'POST',
    '/api/gis/imports?layer=grid_cells',
    { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': head.length + fs.statSync(zipPath).size + tail.length },
    body,
  );
  if (res.status !== 201) throw new Error(`preview answered ${res.status}: ${res.body.slice(0, 500)}`);
  return JSON.parse(res.body) as Preview;
}

async function commit(id: number): Promise<Preview> {
  const res = await request('POST', `/api/gis/imports/${id}/commit`, { 'content-type': 'application/json' }, '{}');
  if (res.status !== 200) throw new Error(`commit answered ${res.status}: ${res.body.slice(0, 500)}`);
  return JSON.parse(res.body) as Preview;
}

interface Run {
  previewMs: number;
  commitMs: number;
  heapMb: number;
  rssMb: number;
  startHeapMb: number;
  startRssMb: number;
  preview?: Preview;
  statements: Map<string, { calls: number; ms: number }>;
  /** The step stopped at the deadline, and the statement it was in. */
  cancelled?: { step: 'preview' | 'commit'; statement: string };
}

/**
 * On an external server a step still running at the deadline is cancelled (pg_cancel_backend on this
 * bench's own database), so that a quadratic plan costs the bench minutes, not hours. The embedded
 * database runs each statement on this thread: nothing can interrupt it, so there is no deadline.
 */
async function withDeadline<T>(ms: number, step: () => Promise<T>): Promise<{ value?: T; ms: number; cancelledIn?: string }> {
  const started = performance.now();
  let cancelledIn: string | undefined;
  const timer =
    db.mode === 'external'
      ? setTimeout(() => {
          void (async () => {
            const active = await db.pool.query<{ pid: number; query: string }>(
              `SELECT pid, query FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()`,
            );
            cancelledIn = active.rows.map((r) => label(r.query)).join(', ') || 'between statements';
            for (const r of active.rows) await db.pool.query(`SELECT pg_cancel_backend($1)`, [r.pid]);
          })().catch((err: unknown) => console.error('cancelling at the deadline failed:', err));
        }, ms)
      : undefined;
  try {
    return { value: await step(), ms: performance.now() - started };
  } catch (err) {
    if (cancelledIn === undefined) throw err;
    return { ms: performance.now() - started, cancelledIn };
  } finally {
    clearTimeout(timer);
  }
}

async function importOnce(): Promise<Run> {
  spent.clear();
  recording = true;
  const memory = memorySampler();
  const run: Omit<Run, 'heapMb' | 'rssMb' | 'startHeapMb' | 'startRssMb'> = { previewMs: 0, commitMs: 0, statements: spent };
  try {
    await calm();
    const preview = await withDeadline(DEADLINE_S * 1000, upload);
    run.previewMs = preview.ms;
    if (preview.cancelledIn) run.cancelled = { step: 'preview', statement: preview.cancelledIn };
    else {
      run.preview = preview.value;
      const before = performance.now();
      await calm();
      const waited = performance.now() - before;
      const committed = await withDeadline(DEADLINE_S * 1000 - preview.ms - waited, () => commit(preview.value!.import.id));
      run.commitMs = committed.ms;
      if (committed.cancelledIn) run.cancelled = { step: 'commit', statement: committed.cancelledIn };
    }
  } catch (err) {
    console.error('the import failed; SQL time so far by statement (s):');
    for (const [k, v] of spent) console.error(`  ${k.padEnd(37)}${(v.ms / 1000).toFixed(2).padStart(10)}${String(v.calls).padStart(7)}`);
    throw err;
  } finally {
    recording = false;
  }
  return { ...run, ...memory.stop(), statements: new Map(spent) };
}

try {
  // the district the cells belong to, straight into the table (the districts import is not what is measured)
  await db.pool.query(
    `INSERT INTO districts (adcode, name, name_en, boundary, source) VALUES ($1, '基准区', 'Bench district', ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($2), 4326)), 'bench')`,
    [ADCODE, JSON.stringify({ type: 'Polygon', coordinates: [districtRing()] })],
  );

  const writeStarted = performance.now();
  await writeShapefileZip(features(), zipPath, {
    layerName: '基准区单元网格',
    fields: [
      { name: '网格编码', type: 'text', length: 15 },
      { name: '街道', type: 'text', length: 30 },
      { name: '社区', type: 'text', length: 30 },
    ],
    encoding: 'gbk',
    crs: EPSG,
    kind: 'polygon',
    tmpDir: db.dataDir,
  });
  const writeMs = performance.now() - writeStarted;
  const fileMb = fs.statSync(zipPath).size / 1e6;
  const goal = GOAL_S[db.mode];
  console.log(
    `gis-import on the ${db.mode} database: ${CELLS} cells of 100 m (${COLS} columns) in district ${ADCODE}, ` +
      `a zipped GBK Shapefile in EPSG:${EPSG} of ${fileMb.toFixed(1)} MB`,
  );
  console.log(`the file written feature by feature (writeShapefileZip from an async generator; not in the figures): ${seconds(writeMs).toFixed(1)} s`);

  const first = await importOnce();
  // the same file again, every row `keep`: what the checks and the diff cost with nothing to change
  const second = first.cancelled ? undefined : await importOnce();
  const counts = (r: Run) =>
    !r.preview
      ? 'no preview'
      : ['add', 'change', 'keep', 'skip', 'remove'].map((k) => `${k} ${r.preview!.import.counts[k] ?? 0}`).join(', ') +
        (r.preview.problemCounts.length ? `; problems ${r.preview.problemCounts.map((c) => `${c.kind} ${c.count}`).join(', ')}` : '; no problems');
  if (!first.cancelled) {
    const inForce = Number(
      (await db.pool.query(`SELECT count(*)::int AS n FROM grid_cells WHERE district_adcode = $1 AND valid_to IS NULL`, [ADCODE])).rows[0].n,
    );
    if (inForce !== CELLS) throw new Error(`${inForce} cells of ${ADCODE} in force after the commit, not ${CELLS}`);
  }

  // the baseline: the same rows (code, geom) into a scratch table, as stageRows sends them, no checks
  await db.pool.query(`CREATE UNLOGGED TABLE bench_grid_baseline (code text, geom geometry(Geometry, 4326))`);
  const insertStarted = performance.now();
  for (let i = 0; i < CELLS; i += 1000) {
    const codes: string[] = [];
    const geoms: string[] = [];
    for (let k = i; k < Math.min(CELLS, i + 1000); k++) {
      const c = cell(k);
      codes.push(c.code);
      geoms.push(JSON.stringify({ type: 'Polygon', coordinates: [c.ring] }));
    }
    await db.pool.query(
      `INSERT INTO bench_grid_baseline (code, geom) SELECT r.code, ST_SetSRID(ST_GeomFromGeoJSON(r.g), 4326) FROM unnest($1::text[], $2::text[]) AS r(code, g)`,
      [codes, geoms],
    );
  }
  const insertMs = performance.now() - insertStarted;
  let copyMs: number | undefined;
  if (db.mode === 'external') {
    await db.pool.query(`CREATE UNLOGGED TABLE bench_grid_copy (code text, geom geometry(Geometry, 4326))`);
    const client = await db.pool.connect();
    try {
      const copyStarted = performance.now();
      const lines = Readable.from(
        (function* () {
          for (let i = 0; i < CELLS; i++) {
            const c = cell(i);
            yield `${c.code}\tSRID=4326;POLYGON((${c.ring.map((p) => `${p[0]} ${p[1]}`).join(',')}))\n`;
          }
        })(),
      );
      await pipeline(lines, client.query(copyFrom(`COPY bench_grid_copy (code, geom) FROM STDIN`)));
      copyMs = performance.now() - copyStarted;
    } finally {
      client.release();
    }
  }

  const pad = (s: string | number, n: number) => String(s).padStart(n);
  const runs = [['1: new grid', first] as const, ...(second ? [['2: same file again', second] as const] : [])];
  console.log('');
  console.log('import              cells  file MB  preview s  commit s  total s  INSERT s  total/INSERT  peak heap MB  peak RSS MB  goal');
  for (const [name, r] of runs) {
    const total = seconds(r.previewMs + r.commitMs);
    const over = (step: 'preview' | 'commit', ms: number) => (r.cancelled?.step === step ? '>' : '') + seconds(ms).toFixed(1);
    console.log(
      `${name.padEnd(18)}${pad(CELLS, 7)}${pad(fileMb.toFixed(1), 9)}${pad(over('preview', r.previewMs), 11)}` +
        `${pad(r.preview ? over('commit', r.commitMs) : '-', 10)}${pad((r.cancelled ? '>' : '') + total.toFixed(1), 9)}` +
        `${pad(seconds(insertMs).toFixed(1), 10)}${pad(`${r.cancelled ? '>' : ''}${(total / seconds(insertMs)).toFixed(1)}×`, 14)}` +
        `${pad(`+${r.heapMb.toFixed(0)}`, 14)}${pad(`+${r.rssMb.toFixed(0)}`, 13)}  ${!r.cancelled && total < goal ? 'ok' : 'OVER'} (< ${goal} s)`,
    );
  }
  for (const [name, r] of runs) {
    console.log(`  ${name.slice(0, 2)} ${counts(r)}`);
    if (r.cancelled) console.log(`     ${r.cancelled.step} cancelled at the ${DEADLINE_S} s deadline (BENCH_DEADLINE_S) in: ${r.cancelled.statement}`);
  }
  if (!second) console.log('  2: not run (the first import did not finish)');
  console.log(
    `baseline: INSERT of the same ${CELLS} rows (code, geom), unnest batches of 1000 with ST_GeomFromGeoJSON: ${seconds(insertMs).toFixed(1)} s` +
      (copyMs === undefined ? '' : `; COPY (pg-copy-streams, EWKT): ${seconds(copyMs).toFixed(1)} s`),
  );
  console.log(
    `memory: peaks above the start (heap ${first.startHeapMb.toFixed(0)} MB, RSS ${first.startRssMb.toFixed(0)} MB after a full GC), ` +
      `process.memoryUsage every 100 ms over the upload, preview and commit` +
      (db.mode === 'embedded' ? ' (RSS includes the embedded database, which runs in this process)' : ''),
  );

  console.log('\nwhere the time goes: SQL by statement (wall time per call from this process); the rest is upload, reading and reprojecting');
  console.log(`statement                              import 1 s  calls${second ? '  import 2 s  calls' : ''}`);
  const none = { ms: 0, calls: 0 };
  const keys = [...new Set([...first.statements.keys(), ...(second?.statements.keys() ?? [])])].sort(
    (a, b) => (first.statements.get(b)?.ms ?? 0) - (first.statements.get(a)?.ms ?? 0),
  );
  const sum = (r: Run) => [...r.statements.values()].reduce((s, v) => s + v.ms, 0);
  const row = (name: string, ...cols: { ms: number; calls: number | string }[]) =>
    console.log(name.padEnd(37) + cols.map((c) => `${pad(seconds(c.ms).toFixed(2), 12)}${pad(c.calls, 7)}`).join(''));
  for (const k of keys) row(k, first.statements.get(k) ?? none, ...(second ? [second.statements.get(k) ?? none] : []));
  const rest = (r: Run) => ({ ms: r.previewMs + r.commitMs - sum(r), calls: '' });
  row('upload, read, reproject (not SQL)', rest(first), ...(second ? [rest(second)] : []));
} finally {
  await app.close();
  await db.close();
}
