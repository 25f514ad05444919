import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { embeddedPool } from '../../server/db/database.ts';
import { startEmbeddedPostgis } from '../../server/db/embedded.ts';
import { type DatabaseTemplate, migrateAndSeed, type Seeded } from './template.ts';

/**
 * The embedded PostGIS: one data directory migrated and seeded, then closed; each test file gets a
 * copy of it, served by its own PGlite on its own loopback port (one PGlite is one session, so files
 * could not share one anyway). Each copy runs in a process of its own: PGlite computes on the thread
 * that calls it, so copies in this (Vitest's main) process would take turns on one core, and two files
 * at once would each wait on the other's queries.
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

  const clones = new Map<string, { dir: string; server: ChildServer }>();
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
      const clone = { dir, server: await startChild(dir) };
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

interface ChildServer {
  url: string;
  stop(): Promise<void>;
}

const CHILD = fileURLToPath(new URL('./embedded-child.ts', import.meta.url));

/** Starts tests/setup/embedded-child.ts on `dir` and waits for the URL it prints. */
function startChild(dir: string): Promise<ChildServer> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', CHILD, dir], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let out = '';
    const fail = (why: string) => reject(new Error(`embedded PostGIS for ${dir}: ${why}`));
    child.once('error', (err) => fail(err.message));
    child.once('exit', (code, signal) => fail(`exited (${code ?? signal}) before it served`));
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) {
        const { url } = JSON.parse(line) as { url: string };
        resolve({
          url,
          async stop() {
            // closing stdin asks it to stop; a child that does not within 10 s is killed
            child.stdin!.end();
            const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
            await exited;
            clearTimeout(timer);
          },
        });
      }
    });
  });
}
