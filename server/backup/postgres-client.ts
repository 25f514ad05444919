import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { BackupError } from './manifest.ts';

/**
 * PostgreSQL's own client tools (pg_dump, pg_restore). A pg_dump refuses a server newer than itself,
 * and pg_restore reads only archives of its version or older, so the newest installed one is used:
 * PG_BIN if set, else Debian's /usr/lib/postgresql/<major>/bin, else the PATH.
 */
export function clientTool(name: 'pg_dump' | 'pg_restore', serverMajor: number): { bin: string; version: string } {
  const candidates = [...(process.env.PG_BIN ? [path.join(process.env.PG_BIN, name)] : []), ...debianBins().map((dir) => path.join(dir, name)), name];
  for (const bin of candidates) {
    const run = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    if (run.status !== 0) continue;
    const version = run.stdout.trim();
    const major = Number(/(\d+)(\.\d+)?/.exec(version.replace(/^\D+/, ''))?.[1]);
    if (major >= serverMajor) return { bin, version };
    throw new BackupError(
      `${version} (${bin}) cannot work with a PostgreSQL ${serverMajor} server: install postgresql-client-${serverMajor} (apt-get install postgresql-client-${serverMajor}) or set PG_BIN to its bin directory`,
    );
  }
  throw new BackupError(
    `${name} not found: install PostgreSQL's client tools (apt-get install postgresql-client) or set PG_BIN to the directory that holds ${name}`,
  );
}

function debianBins(): string[] {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => path.join(root, v, 'bin'));
}

/** Arguments and environment for a libpq tool: the password goes in the environment, never on a command line others can read. */
export function libpqTarget(url: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const u = new URL(url);
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password);
  u.password = '';
  return { dbname: u.toString(), env };
}

/** Runs a client tool to the end; a failure carries the tool's own words. */
export function runTool(bin: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (err) => reject(new BackupError(`${path.basename(bin)} did not start: ${err.message}`)));
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else reject(new BackupError(`${path.basename(bin)} failed (exit ${code}): ${stderr.trim().split('\n').slice(-6).join('\n') || 'no message'}`));
    });
  });
}

/** Where a URL points, without its password, for messages and the manifest. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.username ? `${u.username}@` : ''}${u.host}${u.pathname}`;
  } catch {
    return 'the database URL';
  }
}

/** A connected client, with the reasons a connection fails said in words an operator can act on. */
export async function connectClient(url: string): Promise<pg.Client> {
  let client: pg.Client;
  try {
    client = new pg.Client({ connectionString: url });
  } catch (err) {
    throw new BackupError(`${describeUrl(url)} is not a usable connection string: ${(err as Error).message}`);
  }
  // a connection dropped while idle must not end the process with an unhandled 'error'
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    throw connectionProblem(err, url);
  }
  return client;
}

export function connectionProblem(err: unknown, url: string): Error {
  const e = err as { code?: string; message?: string; errors?: { code?: string }[] };
  const where = describeUrl(url);
  const code = e.code ?? e.errors?.[0]?.code;
  if (code === 'ECONNREFUSED')
    return new BackupError(`nothing answers at ${where}: is the database (or, for the embedded one, the server with EMBEDDED_PG_PORT) running?`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new BackupError(`cannot resolve the host of ${where}`);
  if (code === '28P01' || code === '28000') return new BackupError(`${where} refused the login: ${e.message}`);
  if (code === '3D000') return new BackupError(`${where}: ${e.message}`);
  if (/Connection terminated/i.test(e.message ?? '')) {
    return new BackupError(
      `${where} closed the connection at once; the embedded server takes two connections (the server's and one tool's): close other tools (psql, npm run user) and try again`,
    );
  }
  return err instanceof Error ? err : new Error(String(err));
}
