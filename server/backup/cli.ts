// `npm run backup` and `npm run restore -- <backup>`: see README, Backup and restore.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { backup } from './backup.ts';
import { BackupError } from './manifest.ts';
import { isDatabaseUrl, restore } from './restore.ts';

const USAGE = `usage:
  npm run backup [-- --out <directory>]
      a consistent snapshot of DATABASE_URL (or the embedded database in DATA_DIR) and its photos,
      into <directory>/zhihui-<UTC time>/ (default ./backups)
  npm run restore -- <backup directory> [--to <postgres://… | data directory>] [--evidence-to <directory>] [--force]
      into a NEW database: a PostgreSQL database (created if missing) for a backup of one, a new data
      directory for a backup of the embedded database; default DATABASE_URL / DATA_DIR. Refuses a
      target that is not empty unless --force. Reads the result back and compares it with the backup.
The embedded database while the server runs: start the server with EMBEDDED_PG_PORT=5433 and back up with
DATABASE_URL=postgres://postgres@127.0.0.1:5433/postgres npm run backup; with the server stopped, no DATABASE_URL is needed.`;

const say = (msg: string) => console.log(`[backup] ${msg}`);

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      to: { type: 'string' },
      'evidence-to': { type: 'string' },
      force: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, backupDir, extra] = positionals;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const config = loadConfig();
  if (command === 'backup' && !backupDir) {
    const result = await backup({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, outDir: path.resolve(values.out ?? 'backups'), log: say });
    const m = result.manifest;
    console.log(`backup written to ${result.dir}`);
    console.log(
      `  ${m.mode} database as of ${m.takenAt}: ${Object.values(m.tables).reduce((a, b) => a + b, 0)} rows in ${Object.keys(m.tables).length} tables, ` +
        `${m.events.count} events (max seq ${m.events.maxSeq}), ${m.evidence.files} photos; ${m.seconds} s`,
    );
    return 0;
  }
  if (command === 'restore' && backupDir && !extra) {
    const to = values.to ?? config.databaseUrl ?? config.dataDir;
    const result = await restore({
      backupDir: path.resolve(backupDir),
      to: isDatabaseUrl(to) ? to : path.resolve(to),
      force: values.force ?? false,
      log: say,
      evidenceDir: values['evidence-to'] ? path.resolve(values['evidence-to']) : isDatabaseUrl(to) ? path.join(config.dataDir, 'evidence') : undefined,
    });
    const tables = result.checks.filter((c) => c.what.startsWith('rows in '));
    const shown = tables.every((c) => c.ok) ? result.checks.filter((c) => !tables.includes(c)) : result.checks;
    if (shown.length < result.checks.length) {
      console.log(`ok        rows: ${tables.length} tables, each with the backup's count (${tables.reduce((sum, c) => sum + Number(c.found), 0)} rows)`);
    }
    for (const c of shown) {
      console.log(`${c.ok ? 'ok      ' : 'MISMATCH'}  ${c.what}: ${c.ok ? c.found : `backup ${c.expected}, restored ${c.found}`}`);
    }
    console.log(
      result.ok
        ? `restored into ${result.target} (photos in ${result.evidenceDir}) and verified against the backup in ${result.seconds} s`
        : `restored into ${result.target}, but it does NOT match the backup (above): do not use it`,
    );
    return result.ok ? 0 : 1;
  }
  console.error(USAGE);
  return 2;
}

try {
  process.exitCode = await main();
} catch (err) {
  // An operator reads this: what went wrong and what to do, not where in the code it happened.
  const e = err as { message?: string; detail?: string; hint?: string; code?: string };
  const known = err instanceof BackupError || typeof e.code === 'string' || /DATA_DIR|DATABASE_URL|EMBEDDED_PG_PORT|must be|expected/.test(e.message ?? '');
  console.error(`error: ${[e.message ?? String(err), e.detail, e.hint].filter(Boolean).join(' — ')}`);
  if (!known) console.error('(an unexpected failure; ZHIHUI_DEBUG=1 shows where it happened)');
  if (process.env.ZHIHUI_DEBUG) console.error(err);
  process.exitCode = 2;
}
