// npm run backup / npm run restore on the run's database (embedded PGlite, or the external PostgreSQL
// of DATABASE_URL): a backup taken while cases and photos keep arriving restores into a new database
// (a new data directory, or a new database on the same server) with the snapshot's counts, the same
// event log and byte-identical photos; a restore over a database that is not empty is refused.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { backup, type BackupResult } from '../../server/backup/backup.ts';
import { BackupError } from '../../server/backup/manifest.ts';
import { restore, type RestoreResult } from '../../server/backup/restore.ts';
import { startEmbeddedPostgis } from '../../server/db/embedded.ts';
import { EvidenceStore } from '../../server/evidence/storage.ts';
import { adminQuery } from '../setup/postgres-template.ts';
import { testApp } from '../support/app.ts';
import { call, login, multipart, type Session } from '../support/clients.ts';
import { testDatabase, testDatabaseUrl } from '../support/database.ts';

const db = testDatabase();
const mode = inject('databaseMode');
const sourceUrl = testDatabaseUrl();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'zhihui-backup-test-'));
const dataDir = path.join(tmp, 'data');
const outDir = path.join(tmp, 'backups');
const restoredName = `zhihui_restored_${process.pid}_${Date.now().toString(36)}`;
const target = mode === 'external' ? databaseNamed(sourceUrl, restoredName) : path.join(tmp, 'restored');
const restoredEvidence = mode === 'external' ? path.join(tmp, 'restored-evidence') : path.join(target, 'evidence');

let app: FastifyInstance;
let admin: Session;

beforeAll(async () => {
  app = await testApp(db, { config: { dataDir } });
  admin = await login(app, 'admin');
});
afterAll(async () => {
  await app?.close();
  await db.close();
  if (mode === 'external') await adminQuery(sourceUrl, `DROP DATABASE IF EXISTS ${restoredName} WITH (FORCE)`);
  fs.rmSync(tmp, { recursive: true, force: true });
});

function databaseNamed(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A photo no other test uploads: a few pixels in colours of its own. */
function photo(n: number): Promise<Buffer> {
  return sharp({ create: { width: 3, height: 2, channels: 3, background: { r: n % 256, g: (n >> 8) % 256, b: 97 } } })
    .png()
    .toBuffer();
}

interface Call {
  status: number;
  started: number;
  ended: number;
}

/** Reports cases (and every third one a photo) until `stop()` says so and `after` more are in, each call timed. */
async function intakeWorker(w: number, stop: () => boolean, calls: Call[], after = 3): Promise<void> {
  let extra = 0;
  for (let i = 0; i < 400 && extra < after; i++) {
    if (stop()) extra++;
    const started = performance.now();
    const r = await call(app, admin, {
      url: '/api/incidents',
      body: { category: '0102', source: 'dispatcher', description: `备份压力测试 ${w}-${i}`, lon: 104.0817 + w * 0.001 + i * 0.00001, lat: 30.6571 },
    });
    calls.push({ status: r.status, started, ended: performance.now() });
    if (r.status !== 201 || i % 3 !== 0) continue;
    const { body, contentType } = multipart([{ name: `p${w}-${i}.png`, type: 'image/png', bytes: await photo(w * 1000 + i) }]);
    const u = await app.inject({
      method: 'POST',
      url: `/api/incidents/${r.json.incident.id}/evidence`,
      payload: body,
      headers: { authorization: `Bearer ${admin.token}`, 'content-type': contentType },
    });
    calls.push({ status: u.statusCode, started, ended: performance.now() });
  }
}

async function count(q: pg.Client | pg.Pool, table: string): Promise<number> {
  return Number((await q.query(`SELECT count(*)::text AS n FROM "${table}"`)).rows[0].n);
}

/** The restored database, opened as the server would open it. */
async function openRestored(): Promise<{ client: pg.Client; close(): Promise<void> }> {
  if (mode === 'external') {
    const client = new pg.Client({ connectionString: target });
    await client.connect();
    return { client, close: () => client.end() };
  }
  const embedded = await startEmbeddedPostgis(target);
  const client = new pg.Client({ connectionString: embedded.url });
  await client.connect();
  return {
    client,
    close: async () => {
      await client.end();
      await embedded.stop();
    },
  };
}

describe(`backup and restore (${mode} database)`, () => {
  let taken: BackupResult;
  let restored: RestoreResult;
  const calls: Call[] = [];
  let backupWindow: [number, number];
  let incidentsBefore: number;

  it('takes a consistent backup while cases and photos keep arriving', async () => {
    // a few photos before the load, so the archive is never empty
    const first = await call(app, admin, {
      url: '/api/incidents',
      body: { category: '0102', source: 'dispatcher', description: '备份前的案件', lon: 104.0807, lat: 30.6561 },
    });
    expect(first.status, first.body).toBe(201);
    for (let n = 0; n < 2; n++) {
      const { body, contentType } = multipart([{ name: 'before.png', type: 'image/png', bytes: await photo(90_000 + n) }]);
      const u = await app.inject({
        method: 'POST',
        url: `/api/incidents/${first.json.incident.id}/evidence`,
        payload: body,
        headers: { authorization: `Bearer ${admin.token}`, 'content-type': contentType },
      });
      expect(u.statusCode, u.body).toBe(201);
    }
    incidentsBefore = await count(db.pool, 'incidents');

    let done = false;
    const load = Promise.all([0, 1, 2, 3].map((w) => intakeWorker(w, () => done, calls)));
    await new Promise((r) => setTimeout(r, 400));
    const started = performance.now();
    taken = await backup({ databaseUrl: sourceUrl, dataDir, outDir, log: () => {} }).finally(() => (done = true));
    backupWindow = [started, performance.now()];
    await load;

    // every write under load succeeded: the backup slowed the server down at most
    expect(calls.filter((c) => c.status !== 201)).toEqual([]);
    // the load really ran while the backup did, and went on after it
    expect(calls.some((c) => c.started < backupWindow[1] && c.ended > backupWindow[0])).toBe(true);
    const m = taken.manifest;
    const incidentsAfter = await count(db.pool, 'incidents');
    expect(m.tables.incidents).toBeGreaterThan(incidentsBefore);
    expect(m.tables.incidents).toBeLessThan(incidentsAfter);
    expect(m.mode).toBe(mode);
    expect(m.events.count).toBeGreaterThan(0);
    expect(m.evidence.files).toBeGreaterThanOrEqual(2);
    expect(m.evidence.missing).toEqual([]);
    expect(fs.existsSync(`${taken.dir}.partial`)).toBe(false);
    console.log(
      `[backup] ${mode}: ${m.seconds} s while ${calls.length} writes ran (${calls.filter((c) => c.started < backupWindow[1] && c.ended > backupWindow[0]).length} overlapping it); ` +
        `snapshot ${m.tables.incidents} cases (before ${incidentsBefore}, after ${incidentsAfter}), ${m.events.count} events, ${m.evidence.files} photos`,
    );
  }, 300_000);

  it("restores into a new database with the snapshot's counts, event log and photos", async () => {
    expect(taken, 'the backup test ran').toBeDefined();
    restored = await restore({ backupDir: taken.dir, to: target, evidenceDir: restoredEvidence, log: () => {} });
    expect(restored.checks.filter((c) => !c.ok)).toEqual([]);
    expect(restored.ok).toBe(true);
    console.log(`[restore] ${mode}: verified in ${restored.seconds} s`);

    const m = taken.manifest;
    const { client, close } = await openRestored();
    try {
      // every table holds what the manifest says the snapshot held
      const counts: Record<string, number> = {};
      for (const table of Object.keys(m.tables)) counts[table] = await count(client, table);
      expect(counts).toEqual(m.tables);

      // the event log: the same rows as the source's, unchanged, with the manifest's count and last seq
      const events = (await client.query(`SELECT seq::int, type, incident_id::int AS "incidentId", payload FROM incident_events ORDER BY seq`)).rows;
      expect(events.length).toBe(m.events.count);
      expect(events.at(-1)?.seq).toBe(m.events.maxSeq);
      const source = (
        await db.pool.query(
          `SELECT seq::int, type, incident_id::int AS "incidentId", payload FROM incident_events WHERE seq = ANY($1::bigint[]) ORDER BY seq`,
          [events.map((e) => e.seq)],
        )
      ).rows;
      expect(events).toEqual(source);
      if (mode === 'embedded') {
        // one session serialises every transaction there: the snapshot is exactly the log up to its last seq
        expect((await db.pool.query(`SELECT count(*)::int AS n FROM incident_events WHERE seq <= $1`, [m.events.maxSeq])).rows[0].n).toBe(m.events.count);
      }

      // a snapshot of one instant: every event's case, every case's report, every photo's case are in it
      const orphans = (
        await client.query(`
        SELECT (SELECT count(*)::int FROM incident_events e WHERE e.incident_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM incidents i WHERE i.id = e.incident_id)) AS events,
               (SELECT count(*)::int FROM incidents i WHERE NOT EXISTS (SELECT 1 FROM incident_events e WHERE e.incident_id = i.id AND e.type = 'incident.reported')) AS unreported,
               (SELECT count(*)::int FROM evidence v WHERE NOT EXISTS (SELECT 1 FROM incidents i WHERE i.id = v.incident_id)) AS photos`)
      ).rows[0];
      expect(orphans).toEqual({ events: 0, unreported: 0, photos: 0 });

      // new rows continue after the restored ones
      const next = (
        await client.query(
          `SELECT nextval(pg_get_serial_sequence('incident_events', 'seq'))::int AS seq, nextval(pg_get_serial_sequence('incidents', 'id'))::int AS id, (SELECT max(id)::int FROM incidents) AS max_id`,
        )
      ).rows[0];
      expect(next.seq).toBeGreaterThan(m.events.maxSeq);
      expect(next.id).toBeGreaterThan(next.max_id);

      // the photos, byte for byte
      const shas = (await client.query(`SELECT DISTINCT sha256 FROM evidence ORDER BY sha256`)).rows.map((r) => r.sha256 as string);
      expect(shas.length).toBe(m.evidence.files);
      const from = new EvidenceStore(path.join(dataDir, 'evidence'));
      const to = new EvidenceStore(restoredEvidence);
      for (const sha of shas) expect(fs.readFileSync(to.pathOf(sha)).equals(fs.readFileSync(from.pathOf(sha))), sha).toBe(true);

      if (mode === 'embedded') {
        // while it is open, a backup of that directory without its socket is refused: PGlite takes no lock
        await expect(backup({ databaseUrl: null, dataDir: target, outDir, log: () => {} })).rejects.toThrow(/is open \(postmaster.pid\).*EMBEDDED_PG_PORT/);
      }
    } finally {
      await close();
    }
  }, 400_000);

  it('refuses to restore over a database that is not empty, saying what to do', async () => {
    expect(restored?.ok, 'the restore test ran').toBe(true);
    const refused = restore({ backupDir: taken.dir, to: target, evidenceDir: restoredEvidence, log: () => {} });
    await expect(refused).rejects.toBeInstanceOf(BackupError);
    await expect(refused).rejects.toThrow(mode === 'external' ? /is not empty .*--force/ : /already holds a database.*--force/);

    // the command line says the same in one line, without a stack trace, and fails
    const cli = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'server/backup/cli.ts', 'restore', taken.dir, '--to', target, '--evidence-to', restoredEvidence],
      {
        encoding: 'utf8',
        env: { ...process.env, DATABASE_URL: '', DATABASE_READ_URL: '', DATA_DIR: dataDir },
        timeout: 120_000,
      },
    );
    expect(cli.status, cli.stderr).toBe(2);
    expect(cli.stderr).toMatch(/^error: .*(not empty|already holds a database).*--force/);
    expect(cli.stderr).not.toMatch(/\n\s+at /);

    // and a directory that is no backup is named as such
    const wrong = spawnSync(process.execPath, ['--import', 'tsx', 'server/backup/cli.ts', 'restore', tmp, '--to', path.join(tmp, 'nowhere')], {
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: '', DATABASE_READ_URL: '', DATA_DIR: dataDir },
      timeout: 120_000,
    });
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/^error: .* has no manifest\.json/);
  }, 300_000);
});
