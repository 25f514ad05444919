import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { PGlite } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { runner } from 'node-pg-migrate';
import type pg from 'pg';
import { MIGRATIONS_DIR, migrationFiles } from '../db/migrate.ts';
import { evidenceProblems, extractEvidence, type EvidenceRow } from './evidence-archive.ts';
import { BackupError, type Check, compareFacts, ident, literal, type Manifest, readManifest, snapshotFacts } from './manifest.ts';
import { clientTool, connectClient, describeUrl, libpqTarget, runTool } from './postgres-client.ts';

export interface RestoreOptions {
  backupDir: string;
  /** A PostgreSQL URL for a backup of an external database; a data directory (DATA_DIR) for an embedded one. */
  to: string;
  /** Where the photos go; for a data directory its evidence/ unless given. */
  evidenceDir?: string;
  /** Replace what the target holds instead of refusing. */
  force?: boolean;
  log?: (msg: string) => void;
}

export interface RestoreResult {
  target: string;
  evidenceDir: string;
  checks: Check[];
  ok: boolean;
  seconds: number;
}

export const isDatabaseUrl = (to: string) => /^postgres(ql)?:\/\//i.test(to);

/** Restores into a new (empty) database, then reads it back and compares it with the manifest. */
export async function restore(opts: RestoreOptions): Promise<RestoreResult> {
  const log = opts.log ?? (() => {});
  const started = performance.now();
  const manifest = readManifest(opts.backupDir);
  const toUrl = isDatabaseUrl(opts.to);
  if (manifest.mode === 'external' && !toUrl) {
    throw new BackupError(
      `this is a backup of an external PostgreSQL (pg_dump): restore it into a PostgreSQL database, --to postgres://user@host/new_database`,
    );
  }
  if (manifest.mode === 'embedded' && toUrl) {
    throw new BackupError(
      `this is a backup of the embedded database: restore it into a new data directory (--to ./data-restored, then start the server with DATA_DIR=./data-restored)`,
    );
  }
  if (!opts.evidenceDir && toUrl) throw new BackupError('say where the photos go (the evidence directory of the servers that will use this database)');
  const evidenceDir = opts.evidenceDir ?? path.join(opts.to, 'evidence');

  const target = toUrl ? await externalTarget(manifest, opts, log) : await embeddedTarget(manifest, opts, log);
  try {
    log(`database loaded in ${((performance.now() - started) / 1000).toFixed(1)} s; restoring photos into ${evidenceDir}`);
    await extractEvidence(path.join(opts.backupDir, manifest.evidence.file), evidenceDir);

    const checks = compareFacts(manifest, await snapshotFacts(target.client));
    const orphans = (
      await target.client.query<{ n: string }>(`
      SELECT count(*)::text AS n FROM incident_events e WHERE e.incident_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM incidents i WHERE i.id = e.incident_id)`)
    ).rows[0]!.n;
    checks.push({ what: 'events whose case is missing', expected: '0', found: orphans, ok: orphans === '0' });
    const rows = (
      await target.client.query<{ sha256: string; bytes: string }>(`SELECT sha256, max(bytes)::text AS bytes FROM evidence GROUP BY sha256`)
    ).rows.map((r): EvidenceRow => ({ sha256: r.sha256, bytes: Number(r.bytes) }));
    const problems = await evidenceProblems(evidenceDir, rows, manifest.evidence.missing);
    checks.push({
      what: 'photos present, byte-exact',
      expected: `${rows.length - manifest.evidence.missing.length}`,
      found: problems.length ? `${problems.length} wrong (${problems.slice(0, 3).join(', ')})` : `${rows.length - manifest.evidence.missing.length}`,
      ok: problems.length === 0,
    });
    return { target: target.name, evidenceDir, checks, ok: checks.every((c) => c.ok), seconds: Number(((performance.now() - started) / 1000).toFixed(1)) };
  } finally {
    await target.close();
  }
}

interface Target {
  name: string;
  client: pg.Client;
  close(): Promise<void>;
}

async function externalTarget(manifest: Manifest, opts: RestoreOptions, log: (msg: string) => void): Promise<Target> {
  if (manifest.database.kind !== 'pg_dump') throw new BackupError('the manifest says external but holds no pg_dump archive: the backup is damaged');
  const url = opts.to;
  await createDatabaseIfMissing(url, log);
  const client = await connectClient(url);
  try {
    if ((await client.query<{ v: string }>('SELECT version() AS v')).rows[0]!.v.includes('PGlite')) {
      throw new BackupError(`${describeUrl(url)} is an embedded (PGlite) database: a backup of an external PostgreSQL restores into a PostgreSQL database`);
    }
    const tables = (
      await client.query<{ name: string }>(`
      SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
      ORDER BY 1`)
    ).rows.map((r) => r.name);
    if (tables.length && !opts.force) {
      throw new BackupError(
        `${describeUrl(url)} is not empty (${tables.length} tables and sequences, e.g. ${tables.slice(0, 3).join(', ')}): ` +
          `restore into a new database (name one that does not exist; it is created), or add --force to replace what it holds`,
      );
    }
    const major = Math.floor(Number((await client.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`)).rows[0]!.v) / 10000);
    const tool = clientTool('pg_restore', major);
    const { dbname, env } = libpqTarget(url);
    log(`pg_restore into ${describeUrl(url)}${opts.force ? ' (--force: replacing what it holds)' : ''}`);
    // One transaction: a restore that fails leaves the database as it was. No owners or grants: the
    // restoring role owns what it creates. No comments: only PostGIS's, which a role that did not
    // create the extension may not set.
    await runTool(
      tool.bin,
      [
        '--no-owner',
        '--no-acl',
        '--no-comments',
        '--exit-on-error',
        '--single-transaction',
        ...(opts.force ? ['--clean', '--if-exists'] : []),
        `--dbname=${dbname}`,
        path.join(opts.backupDir, manifest.database.file),
      ],
      env,
    );
  } catch (err) {
    await client.end();
    throw err;
  }
  return { name: describeUrl(url), client, close: () => client.end() };
}

async function createDatabaseIfMissing(url: string, log: (msg: string) => void): Promise<void> {
  try {
    const probe = await connectClient(url);
    await probe.end();
    return;
  } catch (err) {
    if (!/does not exist/.test((err as Error).message)) throw err;
  }
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  if (!name) throw new BackupError(`${describeUrl(url)} names no database`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = await connectClient(admin.toString());
  try {
    await client.query(`CREATE DATABASE ${ident(name)}`);
    log(`created database ${name}`);
  } catch (err) {
    throw new BackupError(`cannot create database ${name} (${(err as Error).message}): create it empty first, or use a role with CREATEDB`);
  } finally {
    await client.end();
  }
}

/**
 * A new PGlite in `<to>/pglite`: the migrations the backup was taken at build the schema, then each
 * table's rows are loaded with COPY in one transaction, in-process (COPY FROM STDIN does not pass
 * PGlite's socket). Foreign keys and triggers are off while loading (session_replication_role): the
 * rows were consistent in the snapshot, and the checks afterwards look again.
 */
async function embeddedTarget(manifest: Manifest, opts: RestoreOptions, log: (msg: string) => void): Promise<Target> {
  const data = manifest.database;
  if (data.kind !== 'copy') throw new BackupError('the manifest says embedded but holds no table files: the backup is damaged');
  const dir = path.join(opts.to, 'pglite');
  if (fs.existsSync(path.join(dir, 'postmaster.pid'))) {
    throw new BackupError(`${dir} is open in a running server (postmaster.pid): stop it, or restore into a new directory`);
  }
  if (fs.existsSync(dir) && fs.readdirSync(dir).length) {
    if (!opts.force)
      throw new BackupError(`${dir} already holds a database: restore into a new directory (--to ./data-restored), or add --force to replace it`);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const known = migrationFiles();
  const unknown = manifest.migrations.find((m, i) => known[i] !== m);
  if (unknown) {
    throw new BackupError(
      `the backup's schema includes migration ${unknown}, which this copy of Zhihui ${known.includes(unknown) ? 'applies in another order' : 'does not have'}: restore with the version that took the backup`,
    );
  }

  fs.mkdirSync(dir, { recursive: true });
  const db = await PGlite.create({ dataDir: dir, extensions: { postgis } });
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
  let client: pg.Client | null = null;
  const close = async () => {
    await client?.end();
    await server.stop();
    await db.close();
  };
  try {
    await server.start();
    const url = `postgres://postgres@${server.getServerConn()}/postgres?sslmode=disable`;
    client = await connectClient(url);
    const quiet = () => {};
    await runner({
      dbClient: client,
      dir: MIGRATIONS_DIR,
      direction: 'up',
      migrationsTable: 'pgmigrations',
      count: manifest.migrations.length,
      checkOrder: true,
      log: quiet,
      logger: { debug: quiet, info: quiet, warn: quiet, error: quiet },
    });
    log(`schema: ${manifest.migrations.length} migrations applied; loading rows`);
    await db.exec(`BEGIN; SET LOCAL session_replication_role = replica; SET LOCAL TimeZone = 'UTC'; SET LOCAL DateStyle = 'ISO'; SET LOCAL IntervalStyle = 'postgres';
      DELETE FROM pgmigrations;`);
    for (const [table, cols] of Object.entries(data.columns)) {
      const file = path.join(opts.backupDir, data.dir, `${table}.copy.gz`);
      if (!fs.existsSync(file)) throw new BackupError(`${file} is missing: the backup is damaged`);
      const blob = new Blob([zlib.gunzipSync(fs.readFileSync(file))]);
      // rows the migrations themselves put in (holiday_years' shipped years) are the snapshot's to give
      await db.query(`DELETE FROM ${ident(table)}`);
      await db.query(`COPY ${ident(table)} (${cols.map(ident).join(', ')}) FROM '/dev/blob'`, [], { blob });
    }
    for (const s of data.sequences) {
      if (!/^-?\d+$/.test(s.lastValue)) throw new BackupError(`sequence ${s.name} has value ${s.lastValue} in the manifest: the backup is damaged`);
      await db.query(`SELECT setval(${literal(`public.${ident(s.name)}`)}::regclass, ${s.lastValue}, ${s.isCalled})`);
    }
    await db.exec('COMMIT');
    return { name: dir, client, close };
  } catch (err) {
    await close().catch(() => {});
    // it was empty or absent before: a half-restored database is no use to anyone
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
