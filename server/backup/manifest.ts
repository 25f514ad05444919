import fs from 'node:fs';
import path from 'node:path';

/** A problem the operator can fix; the CLI prints its message alone, without a stack trace. */
export class BackupError extends Error {}

export type BackupMode = 'embedded' | 'external';

/** Anything that answers a plain SQL string with rows: a pg client, or PGlite in-process. */
export interface SqlRunner {
  query<R = Record<string, unknown>>(sql: string): Promise<{ rows: R[] }>;
}

export interface EventLogDigest {
  count: number;
  maxSeq: number;
  /** md5 over the md5 of every event (seq, incident, type, actor, payload, time, position) in seq order */
  md5: string;
}

/** What the database held at the snapshot: the restore must find exactly this. */
export interface SnapshotFacts {
  /** the snapshot's instant: writes after it are not in the backup */
  takenAt: string;
  serverVersion: string;
  migrations: string[];
  tables: Record<string, number>;
  events: EventLogDigest;
}

export interface Manifest extends SnapshotFacts {
  format: 1;
  mode: BackupMode;
  /** where it came from (no password), for the operator's eyes */
  source: string;
  finishedAt: string;
  seconds: number;
  database:
    { kind: 'pg_dump'; file: string; pgDumpVersion: string } | { kind: 'copy'; dir: string; columns: Record<string, string[]>; sequences: SequenceState[] };
  evidence: { file: string; files: number; bytes: number; missing: string[] };
}

export interface SequenceState {
  name: string;
  lastValue: string;
  isCalled: boolean;
}

export const MANIFEST_FILE = 'manifest.json';

export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Tables of the application: the public schema less those an extension owns (PostGIS's spatial_ref_sys).
 * A partitioned table (the event log, the position history) is one table here: its partitions are
 * where its rows happen to lie, and a restore lays them out again by its own months and days.
 */
export async function appTables(db: SqlRunner): Promise<string[]> {
  const res = await db.query<{ name: string }>(`
    SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
    ORDER BY c.relname`);
  return res.rows.map((r) => r.name);
}

/**
 * Counts, migrations and the event log's digest, all read in the caller's transaction so that they
 * describe the same snapshot as the dump. Values come back as text: pg and PGlite parse bigint differently.
 */
export async function snapshotFacts(db: SqlRunner): Promise<SnapshotFacts> {
  const tables = await appTables(db);
  if (!tables.includes('pgmigrations') || !tables.includes('incident_events')) {
    throw new BackupError('this database has no Zhihui schema (no pgmigrations or incident_events table): check DATABASE_URL / DATA_DIR');
  }
  const meta = (
    await db.query<{ taken_at: string; version: string }>(
      `SELECT to_char(transaction_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS taken_at, version() AS version`,
    )
  ).rows[0]!;
  const counts = (
    await db.query<{ name: string; n: string }>(tables.map((t) => `SELECT ${literal(t)} AS name, count(*)::text AS n FROM ${ident(t)}`).join(' UNION ALL '))
  ).rows;
  const migrations = (await db.query<{ name: string }>(`SELECT name FROM pgmigrations ORDER BY run_on, id`)).rows.map((r) => r.name);
  return {
    takenAt: meta.taken_at,
    serverVersion: meta.version,
    migrations,
    tables: Object.fromEntries(counts.map((r) => [r.name, Number(r.n)])),
    events: await eventLogDigest(db),
  };
}

export async function eventLogDigest(db: SqlRunner): Promise<EventLogDigest> {
  // md5 of each row first, so the aggregate stays 32 bytes per event however large the payloads
  const res = await db.query<{ n: string; max_seq: string; md5: string }>(`
    SELECT count(*)::text AS n, coalesce(max(seq), 0)::text AS max_seq,
           md5(coalesce(string_agg(md5(concat_ws('|', seq, incident_id, type, actor_user_id, payload::text,
             (extract(epoch FROM occurred_at) * 1000000)::bigint, position::text)), '' ORDER BY seq), '')) AS md5
    FROM incident_events`);
  const r = res.rows[0]!;
  return { count: Number(r.n), maxSeq: Number(r.max_seq), md5: r.md5 };
}

export interface Check {
  what: string;
  expected: string;
  found: string;
  ok: boolean;
}

/** The restored database against the manifest, one line per table plus the event log and migrations. */
export function compareFacts(expected: SnapshotFacts, found: SnapshotFacts): Check[] {
  const checks: Check[] = Object.entries(expected.tables).map(([table, n]) => ({
    what: `rows in ${table}`,
    expected: String(n),
    found: table in found.tables ? String(found.tables[table]) : 'no such table',
    ok: found.tables[table] === n,
  }));
  const ev = (e: EventLogDigest) => `${e.count} events, max seq ${e.maxSeq}, md5 ${e.md5}`;
  checks.push({ what: 'event log', expected: ev(expected.events), found: ev(found.events), ok: ev(expected.events) === ev(found.events) });
  const last = (m: string[]) => `${m.length} (last ${m.at(-1) ?? 'none'})`;
  checks.push({
    what: 'migrations',
    expected: last(expected.migrations),
    found: last(found.migrations),
    ok: expected.migrations.join() === found.migrations.join(),
  });
  return checks;
}

export function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export function writeManifest(dir: string, manifest: Manifest): void {
  fs.writeFileSync(path.join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
}

export function readManifest(dir: string): Manifest {
  const file = path.join(dir, MANIFEST_FILE);
  if (!fs.existsSync(dir)) throw new BackupError(`no backup at ${dir}`);
  if (!fs.existsSync(file)) {
    throw new BackupError(
      dir.endsWith('.partial')
        ? `${dir} is a backup that did not finish; take a new one`
        : `${dir} has no ${MANIFEST_FILE}: name a directory written by npm run backup (backups/zhihui-…)`,
    );
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
  } catch (err) {
    throw new BackupError(`${file} is not valid JSON (${(err as Error).message}): the backup is damaged`);
  }
  if (manifest.format !== 1) throw new BackupError(`${file}: backup format ${String(manifest.format)} is not one this version reads (1)`);
  return manifest;
}
