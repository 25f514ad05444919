import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DatabaseTemplate, Seeded } from './template.ts';

export interface CloneAnswer {
  id: string;
  url: string;
  seeded: Seeded;
}

/**
 * Hands each test file a database of its own, over loopback HTTP: test files run in worker processes,
 * the template lives in Vitest's main process. The template is made on the first request, so a run
 * of unit tests alone never migrates or seeds anything.
 *   POST   /clones       → CloneAnswer
 *   DELETE /clones/<id>  → 204
 */
export async function serveClones(makeTemplate: () => Promise<DatabaseTemplate & { seeded: Seeded }>) {
  let template: Promise<DatabaseTemplate & { seeded: Seeded }> | null = null;
  const ready = () => (template ??= makeTemplate());
  const handle = async (req: http.IncomingMessage): Promise<[number, unknown]> => {
    const [, resource, id] = (req.url ?? '').split('/');
    if (resource !== 'clones') return [404, { error: 'no such resource' }];
    if (req.method === 'POST' && !id) {
      const t = await ready();
      const clone = await t.clone();
      return [200, { ...clone, seeded: t.seeded } satisfies CloneAnswer];
    }
    if (req.method === 'DELETE' && id) {
      await (await ready()).drop(decodeURIComponent(id));
      return [204, null];
    }
    return [405, { error: 'POST /clones or DELETE /clones/<id>' }];
  };
  const server = http.createServer((req, res) => {
    req.resume();
    handle(req).then(
      ([status, body]) => res.writeHead(status, { 'content-type': 'application/json' }).end(body === null ? undefined : JSON.stringify(body)),
      (err: Error) => res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: err.stack ?? err.message })),
    );
  });
  // a file waits for the template (minutes on the embedded database) on its first request
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      // a template that failed to build has left nothing behind (and its error was each file's)
      const made = await template?.catch(() => null);
      if (made) await made.dispose();
    },
  };
}
