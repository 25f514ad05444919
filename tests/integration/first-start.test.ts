// The first minutes of `npm start`: a log one can read (requests at debug, the start-up lines
// visible), a credentials banner with column headers that names the reset command, and that command.
import { spawn } from 'node:child_process';
import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { loggerOptions } from '../../server/app.ts';
import { credentialLines, RESET_COMMAND } from '../../server/seed/credentials-banner.ts';
import { testApp } from '../support/app.ts';
import { login } from '../support/clients.ts';
import { testDatabase, testDatabaseUrl } from '../support/database.ts';
import { startServerProcess } from '../support/server-process.ts';

const db = testDatabase();
let app: FastifyInstance | null = null;
afterAll(async () => {
  await app?.close();
  await db.close();
});

function userCli(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/users/cli.ts', ...args], { env: { ...process.env, DATABASE_URL: testDatabaseUrl() } });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe(`the first start (${inject('databaseMode')} database)`, () => {
  it('labels the columns of the demo users banner and names the reset command', () => {
    const lines = credentialLines([{ login: 'admin', role: 'admin', scope: 'city', password: 'pw-123456789' }], false);
    const header = lines.findIndex((l) => l.includes('login'));
    expect(lines[header]).toMatch(/login.*role.*scope.*password/);
    expect(lines[header + 1]).toMatch(/admin\s+admin\s+city\s+pw-123456789/);
    expect(lines.join('\n')).toContain(RESET_COMMAND);
    expect(RESET_COMMAND).toBe('npm run user -- reset-password <login>');
  });

  it('logs readable lines on a terminal and JSON when piped', () => {
    expect(loggerOptions('info', true).transport?.target).toBe('pino-pretty');
    expect(loggerOptions('info', false)).toEqual({ level: 'info' });
  });

  it('at LOG_LEVEL=info prints the start-up lines and not a line per request', async () => {
    const server = await startServerProcess({ DATABASE_URL: testDatabaseUrl(), LOG_LEVEL: 'info' }, 240_000);
    try {
      for (let i = 0; i < 5; i++) expect((await fetch(`${server.base}/api/health`)).status).toBe(200);
      expect((await fetch(`${server.base}/api/no-such-thing`)).status).toBe(404);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    const out = server.output();
    expect(out).toContain('migrations:');
    expect(out).toContain('console ready at');
    expect(out).not.toMatch(/incoming request|request completed|"msg":"request"/);
  }, 300_000);

  it('resets a forgotten password with `npm run user -- reset-password <login>`', async () => {
    const r = await userCli(['reset-password', 'dispatcher']);
    expect(r.code, r.output).toBe(0);
    const password = /password \(shown once\): (\S+)/.exec(r.output)?.[1];
    expect(password, r.output).toBeTruthy();
    app = await testApp(db);
    const session = await login(app, 'dispatcher', password);
    expect(session.token).toBeTruthy();
  }, 120_000);
});
