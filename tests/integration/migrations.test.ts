import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { migrate, migrationFiles, migrationStatus } from '../../server/db/migrate.ts';
import { testDatabase } from '../support/database.ts';

const db = testDatabase();
afterAll(() => db.close());

/** Everything a migration could change, as text, to compare before and after a second run. */
async function schemaFingerprint(): Promise<string> {
  const r = await db.pool.query<{ f: string }>(`
    SELECT string_agg(x, E'\n' ORDER BY x) AS f FROM (
      SELECT 'col ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') AS x
        FROM information_schema.columns WHERE table_schema = 'public'
      UNION ALL SELECT 'idx ' || indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
      UNION ALL SELECT 'con ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'public'::regnamespace
      UNION ALL SELECT 'trg ' || tgname FROM pg_trigger WHERE NOT tgisinternal
    ) s`);
  return r.rows[0]!.f;
}

describe(`migrations on the ${inject('databaseMode')} database`, () => {
  it('applied every file in migrations/ in order', async () => {
    const status = await migrationStatus(db.pool);
    expect(status.pending).toEqual([]);
    expect(status.applied).toEqual(migrationFiles());
    expect(status.latest).toBe(migrationFiles().at(-1));
  });

  it('running them again changes nothing', async () => {
    const before = await schemaFingerprint();
    expect(await migrate(db.pool)).toEqual([]);
    expect(await schemaFingerprint()).toBe(before);
  });

  it('stores WGS84 geometries, each with a GiST index', async () => {
    const cols = await db.pool.query<{ t: string; c: string; srid: number; indexed: boolean }>(`
      SELECT f_table_name AS t, f_geometry_column AS c, srid,
             EXISTS (SELECT 1 FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam
                     JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                     WHERE i.indrelid = quote_ident(f_table_name)::regclass AND am.amname = 'gist'
                       AND a.attname = f_geometry_column) AS indexed
      FROM geometry_columns
      -- permanent tables only: the UNLOGGED import staging is read by import, not by place
      WHERE f_table_schema = 'public' AND (SELECT relpersistence FROM pg_class WHERE oid = quote_ident(f_table_name)::regclass) = 'p'
      ORDER BY 1, 2`);
    expect(cols.rows.length).toBeGreaterThanOrEqual(10);
    for (const row of cols.rows) {
      expect(row.srid, `${row.t}.${row.c}`).toBe(4326);
      expect(row.indexed, `${row.t}.${row.c} GiST index`).toBe(true);
    }
  });

  it('keeps bad rows out', async () => {
    const bad: [string, RegExp][] = [
      [`INSERT INTO districts (adcode, name, name_en, boundary, source) VALUES ('51', 'x', 'x', ST_Multi(ST_MakeEnvelope(0,0,1,1,4326)), 'test')`, /check/i],
      [
        `INSERT INTO grid_cells (code, community_code, district_adcode, geom, area_m2)
          SELECT '51010400100100', left(code, 12), left(code, 6), geom, area_m2 FROM grid_cells LIMIT 1`,
        /check|value too long/i,
      ],
      [`INSERT INTO officers (name, squad_id, kind) SELECT 'x', id, 'officer' FROM squads LIMIT 1`, /check/i],
      [`INSERT INTO users (login, password_hash, display_name, role) VALUES ('plain', 'secret', 'x', 'admin')`, /check/i],
    ];
    bad.push([
      `INSERT INTO districts (adcode, name, name_en, boundary, source) VALUES ('999999', 'x', 'x',
        ST_Multi(ST_GeomFromText('POLYGON((0 0, 1 1, 1 0, 0 1, 0 0))', 4326)), 'test')`,
      /districts_boundary_check/,
    ]);
    for (const [sql, error] of bad) await expect(db.pool.query(sql), sql).rejects.toThrow(error);
    // Refusals leave the connection usable (on the embedded server too).
    expect((await db.pool.query('SELECT 1 AS ok')).rows[0].ok).toBe(1);
  });

  it('keeps the event log append-only', async () => {
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`INSERT INTO incident_events (type, payload) VALUES ('system.test', '{}')`);
      await client.query('SAVEPOINT s');
      await expect(client.query(`UPDATE incident_events SET type = 'system.changed'`)).rejects.toThrow(/append-only \(UPDATE refused\)/);
      await client.query('ROLLBACK TO SAVEPOINT s');
      await expect(client.query(`DELETE FROM incident_events`)).rejects.toThrow(/append-only \(DELETE refused\)/);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it('refuses a second live dispatch for the same officer', async () => {
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      const cat = await client.query<{ id: number }>(`SELECT id FROM categories LIMIT 1`);
      const inc = await client.query<{ id: number }>(
        `INSERT INTO incidents (code, category_id, source, description, position)
         VALUES ('T-1', $1, 'dispatcher', 'test', ST_SetSRID(ST_MakePoint(104.06, 30.66), 4326)) RETURNING id`,
        [cat.rows[0]!.id],
      );
      const off = await client.query<{ id: number }>(`SELECT id FROM officers LIMIT 1`);
      await client.query(`INSERT INTO dispatches (incident_id, officer_id) VALUES ($1, $2)`, [inc.rows[0]!.id, off.rows[0]!.id]);
      await expect(client.query(`INSERT INTO dispatches (incident_id, officer_id) VALUES ($1, $2)`, [inc.rows[0]!.id, off.rows[0]!.id])).rejects.toThrow(
        /dispatches_one_live_per_officer/,
      );
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});
