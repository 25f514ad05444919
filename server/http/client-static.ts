import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLIENT_DIST = path.join(ROOT, 'dist', 'client');

/** Newest modification time under the console's sources (client/, shared/, the Vite config). */
function newestSource(): number {
  let newest = 0;
  const walk = (p: string) => {
    const st = fs.statSync(p, { throwIfNoEntry: false });
    if (!st) return;
    if (st.isDirectory()) {
      for (const name of fs.readdirSync(p)) if (name !== 'node_modules') walk(path.join(p, name));
    } else newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of ['client', 'shared', 'vite.config.ts']) walk(path.join(ROOT, p));
  return newest;
}

/** Build the console if dist/client is missing, or older than its sources (a pull, an edit). */
export async function ensureClientBuild(log: (msg: string) => void): Promise<void> {
  const index = fs.statSync(path.join(CLIENT_DIST, 'index.html'), { throwIfNoEntry: false });
  if (index && index.mtimeMs >= newestSource()) return;
  log(index ? 'console sources changed: rebuilding the bundle with Vite…' : 'console bundle missing: building it with Vite (once)…');
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch {
    throw new Error('dist/client is missing and Vite is not installed: run `npm install` then `npm run build`');
  }
  const started = performance.now();
  await vite.build({ configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'warn' });
  log(`console built in ${Math.round(performance.now() - started)} ms`);
}

export async function registerClientStatic(app: FastifyInstance): Promise<void> {
  if (!fs.existsSync(path.join(CLIENT_DIST, 'index.html'))) {
    app.log.warn('dist/client is missing: the API runs, the console page does not (run `npm run build`)');
    return;
  }
  await app.register(fastifyStatic, {
    root: CLIENT_DIST,
    prefix: '/',
    // Hashed asset names may be cached for good; index.html must be revalidated to pick up new builds.
    setHeaders(reply, filePath) {
      reply.header('Cache-Control', filePath.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
}
