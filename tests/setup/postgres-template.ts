import pg from 'pg';
import { type DatabaseTemplate, migrateAndSeed, type Seeded } from './template.ts';

export async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function databaseUrl(serverUrl: string, name: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * On the DATABASE_URL server: `zhihui_test_<run>_template`, migrated and seeded once, and one
 * `CREATE DATABASE zhihui_test_<run>_<n> TEMPLATE …` per test file (a copy of its files, well under
 * a second, where migrating and seeding takes tens of seconds).
 */
export async function postgresTemplate(serverUrl: string, run: string): Promise<DatabaseTemplate & { seeded: Seeded }> {
  const prefix = `zhihui_test_${run}`;
  const template = `${prefix}_template`;
  await adminQuery(serverUrl, `CREATE DATABASE ${template}`);
  const pool = new pg.Pool({ connectionString: databaseUrl(serverUrl, template), max: 1 });
  let seeded: Seeded;
  try {
    seeded = await migrateAndSeed(pool);
  } catch (err) {
    await pool.end();
    await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    throw err;
  }
  // CREATE DATABASE … TEMPLATE refuses a template anyone is connected to
  await pool.end();
  // marked as a template, and closed to connections so that no one can hold it open while it is copied
  await adminQuery(serverUrl, `ALTER DATABASE ${template} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);

  let n = 0;
  const dropAll = async () => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      const left = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1 AND datname <> $2`, [
        `${prefix}\\_%`,
        template,
      ]);
      for (const { datname } of left.rows) await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    } finally {
      await client.end();
    }
  };
  return {
    seeded,
    async clone() {
      const name = `${prefix}_${++n}`;
      await adminQuery(serverUrl, `CREATE DATABASE ${name} TEMPLATE ${template}`);
      return { id: name, url: databaseUrl(serverUrl, name) };
    },
    async drop(id) {
      if (!id.startsWith(`${prefix}_`) || id === template) throw new Error(`not a clone of this run: ${id}`);
      await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${id} WITH (FORCE)`);
    },
    async dispose() {
      // clones a test file left behind (its worker died before it could drop it), then the template
      await dropAll();
      await adminQuery(serverUrl, `ALTER DATABASE ${template} WITH IS_TEMPLATE false`);
      await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    },
  };
}
