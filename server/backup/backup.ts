import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { startEmbeddedPostgis } from '../db/embedded.ts';
import { archiveEvidence, type EvidenceRow } from './evidence-archive.ts';
import {
  BackupError,
  type BackupMode,
  ident,
  literal,
  type Manifest,
  type SequenceState,
  type SnapshotFacts,
  snapshotFacts,
  writeManifest,
} from './manifest.ts';
import { clientTool, connectClient, describeUrl, libpqTarget, runTool } from './postgres-client.ts';

export interface BackupOptions {
  /** An external PostgreSQL, or the loopback address of a running server's embedded database (EMBEDDED_PG_PORT). */
  databaseUrl: string | null;
  /** The server's DATA_DIR: its embedded database when there is no URL, and its evidence. */
  dataDir: string;
  evidenceDir?: string;
  /** Where backups go; each is a new directory zhihui-<UTC time> in it. */
  outDir: string;
  log?: (msg: string) => void;
}

export interface BackupResult {
  dir: string;
  manifest: Manifest;
}

// Output that reads back the same on any server whatever its settings: UTC instants, ISO dates,
// shortest exact floats. SET LOCAL ends with the transaction, so a running embedded server (one
// session shared by every connection) never sees them.
const SNAPSHOT_SETTINGS = `SET LOCAL statement_timeout = 0; SET LOCAL idle_in_transaction_session_timeout = 0;
  SET LOCAL TimeZone = 'UTC'; SET LOCAL DateStyle = 'ISO'; SET LOCAL IntervalStyle = 'postgres';
  SET LOCAL extra_float_digits = 3; SET LOCAL bytea_output = 'hex'`;

/**
 * One consistent snapshot of the database (a REPEATABLE READ transaction; for an external server
 * pg_dump joins it through an exported snapshot) with the manifest's counts and event-log digest read
 * in the same snapshot, then the photos that snapshot refers to.
 */
export async function backup(opts: BackupOptions): Promise<BackupResult> {
  const log = opts.log ?? (() => {});
  const started = performance.now();
  const evidenceDir = opts.evidenceDir ?? path.join(opts.dataDir, 'evidence');
  const db = await openSource(opts);
  const { final, work } = newBackupDir(opts.outDir);
  try {
    const client = db.client;
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    await client.query(SNAPSHOT_SETTINGS);
    const snapshot = db.mode === 'external' ? (await client.query<{ id: string }>('SELECT pg_export_snapshot() AS id')).rows[0]!.id : null;
    const facts = await snapshotFacts(client);
    log(`snapshot at ${facts.takenAt}: ${Object.keys(facts.tables).length} tables, ${facts.events.count} events (max seq ${facts.events.maxSeq})`);
    const evidenceRows = (
      await client.query<{ sha256: string; bytes: string }>(`SELECT sha256, max(bytes)::text AS bytes FROM evidence GROUP BY sha256 ORDER BY sha256`)
    ).rows.map((r): EvidenceRow => ({ sha256: r.sha256, bytes: Number(r.bytes) }));
    const database = snapshot ? await pgDump(db.url, client, snapshot, work) : await copyTables(client, facts, work);
    await client.query('COMMIT');
    log(`database written (${database.kind === 'pg_dump' ? 'pg_dump custom format' : 'COPY per table'}, ${mb(dirBytes(work))}) in ${secs(started)}`);

    const evidence = { file: 'evidence.tar', ...(await archiveEvidence(evidenceDir, evidenceRows, path.join(work, 'evidence.tar'))) };
    if (evidence.missing.length)
      log(
        `warning: ${evidence.missing.length} photo(s) the database refers to are not in ${evidenceDir} (first ${evidence.missing[0]}); is DATA_DIR the server's?`,
      );
    log(`evidence: ${evidence.files} photo(s), ${mb(evidence.bytes)}`);

    const manifest: Manifest = {
      format: 1,
      mode: db.mode,
      source: db.source,
      ...facts,
      finishedAt: new Date().toISOString(),
      seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
      database,
      evidence,
    };
    writeManifest(work, manifest);
    fs.renameSync(work, final);
    return { dir: final, manifest };
  } catch (err) {
    await db.client.query('ROLLBACK').catch(() => {});
    fs.rmSync(work, { recursive: true, force: true });
    throw err;
  } finally {
    await db.close();
  }
}

interface Source {
  client: pg.Client;
  url: string;
  mode: BackupMode;
  source: string;
  close(): Promise<void>;
}

async function openSource(opts: BackupOptions): Promise<Source> {
  if (opts.databaseUrl) {
    const url = opts.databaseUrl;
    const client = await connectClient(url);
    // The running server's embedded database answers on its loopback port like any PostgreSQL,
    // but it is PGlite (PostgreSQL 18), which no Debian pg_dump can read.
    const version = (await client.query<{ v: string }>('SELECT version() AS v')).rows[0]!.v;
    const embedded = version.includes('PGlite');
    return {
      client,
      url,
      mode: embedded ? 'embedded' : 'external',
      source: `${describeUrl(url)}${embedded ? ' (embedded, server running)' : ''}`,
      close: () => client.end(),
    };
  }
  const dir = path.join(opts.dataDir, 'pglite');
  if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) {
    throw new BackupError(`no embedded database in ${dir}: set DATA_DIR to the server's data directory, or DATABASE_URL for an external PostgreSQL`);
  }
  // PGlite takes no lock: a second process opening the directory of a running server would corrupt it.
  if (fs.existsSync(path.join(dir, 'postmaster.pid'))) {
    throw new BackupError(
      `the embedded database in ${dir} is open (postmaster.pid): the server is running. Back up through its socket instead: ` +
        `start the server with EMBEDDED_PG_PORT=5433 and run DATABASE_URL=postgres://postgres@127.0.0.1:5433/postgres npm run backup; or stop the server. ` +
        `If no server is running (it was killed), start and stop it once`,
    );
  }
  const embedded = await startEmbeddedPostgis(opts.dataDir);
  let client: pg.Client;
  try {
    client = await connectClient(embedded.url);
  } catch (err) {
    await embedded.stop();
    throw err;
  }
  return {
    client,
    url: embedded.url,
    mode: 'embedded',
    source: `${dir} (embedded, server stopped)`,
    close: async () => {
      await client.end();
      await embedded.stop();
    },
  };
}

/** pg_dump in the snapshot `snapshot` that `client` holds open, custom format (pg_restore chooses what and how). */
async function pgDump(url: string, client: pg.Client, snapshot: string, work: string): Promise<Manifest['database']> {
  const major = Number((await client.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`)).rows[0]!.v) / 10000;
  const tool = clientTool('pg_dump', Math.floor(major));
  const { dbname, env } = libpqTarget(url);
  const file = 'database.dump';
  await runTool(tool.bin, ['--format=custom', `--file=${path.join(work, file)}`, `--snapshot=${snapshot}`, '--no-password', `--dbname=${dbname}`], env);
  return { kind: 'pg_dump', file, pgDumpVersion: tool.version };
}

/**
 * The embedded database, table by table in COPY's text format (gzipped). Its schema is not dumped:
 * it is the migrations the manifest lists, which the restore applies before loading the rows.
 */
async function copyTables(client: pg.Client, facts: SnapshotFacts, work: string): Promise<Manifest['database']> {
  const dir = 'tables';
  fs.mkdirSync(path.join(work, dir));
  const columns: Record<string, string[]> = {};
  for (const table of Object.keys(facts.tables)) {
    // generated columns are computed again on load
    const cols = (
      await client.query<{ name: string }>(`
      SELECT attname AS name FROM pg_attribute
      WHERE attrelid = ${literal(`public.${ident(table)}`)}::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''
      ORDER BY attnum`)
    ).rows.map((r) => r.name);
    columns[table] = cols;
    await pipeline(
      // a query, not the table: COPY reads a partitioned table only this way
      client.query(copyTo(`COPY (SELECT ${cols.map(ident).join(', ')} FROM ${ident(table)}) TO STDOUT`)),
      zlib.createGzip(),
      fs.createWriteStream(path.join(work, dir, `${table}.copy.gz`)),
    );
  }
  const seqNames = (
    await client.query<{ name: string }>(`
    SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind = 'S' ORDER BY c.relname`)
  ).rows.map((r) => r.name);
  const sequences: SequenceState[] = [];
  for (const name of seqNames) {
    // sequences are not transactional: the value may run ahead of the snapshot's rows, which only leaves a gap
    const s = (await client.query<{ last_value: string; is_called: boolean }>(`SELECT last_value::text, is_called FROM ${ident(name)}`)).rows[0]!;
    sequences.push({ name, lastValue: s.last_value, isCalled: s.is_called });
  }
  return { kind: 'copy', dir, columns, sequences };
}

function newBackupDir(outDir: string): { final: string; work: string } {
  fs.mkdirSync(outDir, { recursive: true });
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  let final = path.join(outDir, `zhihui-${stamp}`);
  for (let i = 2; fs.existsSync(final) || fs.existsSync(`${final}.partial`); i++) final = path.join(outDir, `zhihui-${stamp}-${i}`);
  // written under .partial and renamed when complete: a directory without the suffix is a whole backup
  const work = `${final}.partial`;
  // it holds password hashes and the token-signing secret: readable by the backup's owner only
  fs.mkdirSync(work, { mode: 0o700 });
  return { final, work };
}

function dirBytes(dir: string): number {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .reduce((sum, e) => sum + fs.statSync(path.join(e.parentPath, e.name)).size, 0);
}

export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
export const secs = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;
