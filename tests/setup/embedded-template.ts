import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { embeddedPool } from '../../server/db/database.ts';
import { type EmbeddedPostgis, startEmbeddedPostgis } from '../../server/db/embedded.ts';
import { type DatabaseTemplate, migrateAndSeed, type Seeded } from './template.ts';

/**
 * The embedded PostGIS: one data directory migrated and seeded, then closed; each test file gets a
 * copy of it, served by its own PGlite on its own loopback port (one PGlite is one session, so files
 * could not share one anyway once they run in parallel).
 */
export async function embeddedTemplate(): Promise<DatabaseTemplate & { seeded: Seeded }> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'zhihui-test-'));
  const templateDir = path.join(root, 'template');
  const server = await startEmbeddedPostgis(templateDir);
  const pool = embeddedPool(server.url);
  let seeded: Seeded;
  try {
    seeded = await migrateAndSeed(pool);
  } finally {
    await pool.end();
    // closed, so that its files on disk are complete and unchanging while they are copied
    await server.stop();
  }

  const clones = new Map<string, { dir: string; server: EmbeddedPostgis }>();
  let n = 0;
  const drop = async (id: string) => {
    const clone = clones.get(id);
    if (!clone) return;
    clones.delete(id);
    await clone.server.stop();
    fs.rmSync(clone.dir, { recursive: true, force: true });
  };
  return {
    seeded,
    async clone() {
      const id = `clone-${++n}`;
      const dir = path.join(root, id);
      fs.cpSync(templateDir, dir, { recursive: true });
      const clone = { dir, server: await startEmbeddedPostgis(dir) };
      clones.set(id, clone);
      return { id, url: clone.server.url };
    },
    drop,
    async dispose() {
      for (const id of [...clones.keys()]) await drop(id);
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
