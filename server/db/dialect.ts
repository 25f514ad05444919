// What differs between the two databases Zhihui runs on, in one place: the embedded PGlite + PostGIS
// (one in-process session behind a loopback socket) and an external PostgreSQL + PostGIS server. The
// capabilities are settled once when the database is opened (server/db/database.ts) and handed to
// the code that needs one; nothing else asks which database it is on.
import pg from 'pg';

export type DatabaseMode = 'embedded' | 'external';

/** Who writes a vector tile: PostGIS itself (ST_AsMVT), or Node from tile-space geometry PostGIS prepared. */
export type MvtEncoder = 'postgis' | 'node';

export interface Dialect {
  readonly mode: DatabaseMode;
  /**
   * Every connection is the same session (PGlite runs one): a statement prepared by name outlives
   * the connection that prepared it, so a new connection starts with DEALLOCATE ALL or preparing
   * the same name fails; and a second pool would only queue on the same session, so nothing opens a
   * connection of its own (the event bus shares the pool).
   */
  readonly singleSession: boolean;
  /**
   * Other server instances (or scripts) may write to this database, so a NOTIFY has to wake the event
   * bus and the live relay. The embedded database lives inside one server process and serves only it.
   */
  readonly sharedByInstances: boolean;
  /**
   * The server may JIT-compile (LLVM) a statement. For the indicators, one statement over up to a
   * year of cases returning a handful of rows, JIT (chosen from row estimates the CTEs blur) costs
   * more than it saves, so that statement runs with `SET LOCAL jit = off`. PGlite has no JIT.
   */
  readonly jit: boolean;
  /**
   * Autovacuum keeps planner statistics current. PGlite has none: statistics are only what the
   * seed's ANALYZE gathered, and some statements fence the planner (OFFSET 0) where missing
   * statistics make it combine indexes badly.
   */
  readonly autovacuum: boolean;
  /**
   * ST_AsMVT / ST_AsMVTGeom exist: PostGIS built with protobuf-c writes the tiles. The embedded
   * PostGIS is built without it, so Node encodes them (server/tiles/encode.ts).
   */
  readonly mvtEncoder: MvtEncoder;
}

const EMBEDDED: Dialect = { mode: 'embedded', singleSession: true, sharedByInstances: false, jit: false, autovacuum: false, mvtEncoder: 'node' };
const EXTERNAL: Dialect = { mode: 'external', singleSession: false, sharedByInstances: true, jit: true, autovacuum: true, mvtEncoder: 'postgis' };

/**
 * The capabilities of a database of this mode, as they usually are. An external PostGIS built without
 * protobuf-c has no ST_AsMVT: confirmDialect finds that out; this assumes a standard build.
 */
export function dialectFor(mode: DatabaseMode): Dialect {
  return mode === 'embedded' ? EMBEDDED : EXTERNAL;
}

/**
 * The dialect with what varies between builds of a server asked of the server itself (today: whether
 * its PostGIS writes tiles). Run once the migrations have installed PostGIS (buildApp), not when the
 * database is opened: the server may not answer yet then, and a new database has no PostGIS.
 */
export async function confirmDialect(pool: pg.Pool, dialect: Dialect): Promise<Dialect> {
  if (dialect.mvtEncoder === 'node') return dialect;
  return (await postgisWritesTiles(pool)) ? dialect : { ...dialect, mvtEncoder: 'node' };
}

const MVT_PROBE = `SELECT ST_AsMVT(m, 'probe', 4096, 'geom') AS mvt
  FROM (SELECT ST_AsMVTGeom(ST_SetSRID(ST_MakePoint(1, 1), 3857), ST_TileEnvelope(0, 0, 0)) AS geom) m`;

/** Whether ST_AsMVT and ST_AsMVTGeom work here; an error from the server says they do not, anything else is thrown. */
export async function postgisWritesTiles(pool: pg.Pool): Promise<boolean> {
  try {
    await pool.query(MVT_PROBE);
    return true;
  } catch (err) {
    if (err instanceof pg.DatabaseError) return false;
    throw err;
  }
}
