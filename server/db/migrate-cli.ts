// `npm run migrate`: apply pending migrations to DATABASE_URL (or the embedded database) and exit.
import { loadConfig } from '../config.ts';
import { openDatabase } from './database.ts';
import { migrate, migrationStatus } from './migrate.ts';

const config = loadConfig();
const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
try {
  const ran = await migrate(db.pool, (m) => console.log(m));
  const status = await migrationStatus(db.pool);
  console.log(`${db.mode} database: ran ${ran.length} migration(s); ${status.applied.length} applied, ${status.pending.length} pending`);
} finally {
  await db.close();
}
