import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgis {
  url: string;
  stop(): Promise<void>;
}

/**
 * PGlite with PostGIS, served on loopback so the same `pg` code talks to it and to a real server.
 * PGlite runs one query at a time and its socket multiplexer can interleave extended-protocol
 * messages of different clients, so callers use exactly one connection at a time (a pool of 1).
 */
export async function startEmbeddedPostgis(dataDir: string, port = 0): Promise<EmbeddedPostgis> {
  const dir = path.join(dataDir, 'pglite');
  fs.mkdirSync(dir, { recursive: true });
  const db = await PGlite.create({ dataDir: dir, extensions: { postgis } });
  // One connection in use at a time (pool of 1); one more admitted so that a reconnect is not
  // refused while the server is still tearing down the socket it replaces.
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections: 2 });
  await server.start();
  const address = server.getServerConn();
  return {
    url: `postgres://postgres@${address}/postgres?sslmode=disable`,
    async stop() {
      await server.stop();
      // the sockets it just closed finish with the database on the next turn (pglite-socket's
      // handleClose runs in setImmediate): close the database after them, not under them
      await new Promise((resolve) => setImmediate(resolve));
      await db.close();
    },
  };
}
