// `npm run lint:api`: builds the app on a throw-away database (a new one on DATABASE_URL's server, else
// the embedded PostGIS in a temporary directory), writes its /docs/json to a temporary file and lints
// it with Spectral (`oas`, .spectral.yaml) and Redocly (`recommended`, redocly.yaml). Any error fails.
// `--out <file>` keeps the document.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { buildApp } from '../app.ts';
import { openDatabase } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';

const root = path.resolve(import.meta.dirname, '../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'zhihui-lint-api-'));
const outArg = process.argv.indexOf('--out');
const file = outArg > 0 ? path.resolve(process.argv[outArg + 1]!) : path.join(tmp, 'openapi.json');

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(sql).finally(() => client.end());
}

async function writeDocument(): Promise<void> {
  const admin = process.env.DATABASE_URL || null;
  const name = `zhihui_lint_api_${process.pid}`;
  let url = admin;
  if (admin) {
    await adminQuery(admin, `CREATE DATABASE ${name}`);
    const u = new URL(admin);
    u.pathname = `/${name}`;
    url = u.toString();
  }
  const db = await openDatabase({ databaseUrl: url, dataDir: path.join(tmp, 'db') });
  try {
    await migrate(db.pool);
    const app = await buildApp({ db, config: { mapStyleUrl: null, rateLimitPerMinute: 1_000, logLevel: 'warn', dataDir: tmp }, clocks: false, logger: false });
    try {
      const res = await app.inject({ method: 'GET', url: '/docs/json' });
      if (res.statusCode !== 200) throw new Error(`GET /docs/json answered ${res.statusCode}`);
      fs.writeFileSync(file, JSON.stringify(res.json(), null, 2));
    } finally {
      await app.close();
    }
  } finally {
    await db.close();
    if (admin) await adminQuery(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

function lint(title: string, command: string, args: string[]): boolean {
  console.log(`\n--- ${title}`);
  // Redocly reports usage and checks for updates unless told not to; CI has no internet but npm.
  const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_NOTIFICATIONS: 'true', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };
  const bin = path.join(root, 'node_modules', '.bin', command);
  const run = spawnSync(fs.existsSync(bin) ? bin : command, args, { cwd: root, env, stdio: 'inherit' });
  if (run.error) throw run.error;
  return run.status === 0;
}

try {
  await writeDocument();
  console.log(`API document: ${file}`);
  const spectral = lint('Spectral (oas, .spectral.yaml)', 'spectral', ['lint', '--ruleset', '.spectral.yaml', '--fail-severity', 'error', file]);
  const redocly = lint('Redocly (recommended, redocly.yaml)', 'redocly', ['lint', '--config', 'redocly.yaml', '--format', 'stylish', file]);
  if (!spectral || !redocly) {
    console.error(`\nlint:api: ${[!spectral && 'Spectral', !redocly && 'Redocly'].filter(Boolean).join(' and ')} found errors`);
    process.exitCode = 1;
  }
} finally {
  if (outArg < 0) fs.rmSync(tmp, { recursive: true, force: true });
}
