import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { call, connect, login, type LiveClient, type Session, sleep } from '../support/clients.ts';
import { testApp } from '../support/app.ts';
import { testDatabase } from '../support/database.ts';
import { strongPassword } from '../support/fixtures.ts';

const db = testDatabase();
let app: FastifyInstance;
let base: string;
let admin: Session;
let serial = 0;

beforeAll(async () => {
  // a short first wait, so a test can see the lock end
  app = await testApp(db, { config: { auth: { baseLockSeconds: 2, maxLockSeconds: 8 } } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  admin = await login(app, 'admin');
});
afterAll(async () => {
  await app.close();
  await db.close();
});

interface Made {
  id: number;
  login: string;
  password: string;
}

async function makeUser(role: string, districtAdcode: string | null = null): Promise<Made> {
  const name = `s${process.pid}x${++serial}${role}`;
  const password = strongPassword();
  const res = await call(app, admin, { url: '/api/users', body: { login: name, password, displayName: name, role, districtAdcode } });
  if (res.status !== 201) throw new Error(`create: ${res.status} ${res.body}`);
  return { id: res.json.id, login: name, password };
}

/** Resolves when the socket is disconnected by the server, with the ms it took from `since`. */
function disconnected(c: LiveClient, since: () => number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('socket still connected after 3 s')), 3000);
    c.socket.once('disconnect', (reason) => {
      clearTimeout(t);
      expect(reason).toBe('io server disconnect');
      resolve(performance.now() - since());
    });
  });
}

const me = (s: Session) => call(app, s, { url: '/api/auth/me' });

describe(`sessions end when an admin says so, on the ${inject('databaseMode')} database`, () => {
  const cases: [string, (u: Made, s: Session) => Promise<{ status: number; body: string }>][] = [
    ['disable', (u) => call(app, admin, { method: 'PATCH', url: `/api/users/${u.id}`, body: { disabled: true } })],
    ['role change', (u) => call(app, admin, { method: 'PATCH', url: `/api/users/${u.id}`, body: { role: 'leader' } })],
    ['district change', (u) => call(app, admin, { method: 'PATCH', url: `/api/users/${u.id}`, body: { districtAdcode: '510105' } })],
    ['password reset', (u) => call(app, admin, { url: `/api/users/${u.id}/password`, body: { password: strongPassword() } })],
    ['logout', (_u, s) => call(app, s, { url: '/api/auth/logout', body: {} })],
  ];

  for (const [what, act] of cases) {
    it(`${what} ends an open HTTP session and an open socket within a second`, async () => {
      const u = await makeUser('dispatcher');
      const s = await login(app, u.login, u.password);
      expect((await me(s)).status).toBe(200);
      const live = await connect(base, s);
      let started = 0;
      const gone = disconnected(live, () => started);
      started = performance.now();
      const res = await act(u, s);
      // from the moment the change is done (hashing a new password takes a while before that)
      const answered = performance.now() - started;
      expect(res.status, res.body).toBeLessThan(300);
      const ms = await gone;
      console.log(
        `[sessions] ${inject('databaseMode')}: ${what}: answered in ${answered.toFixed(0)} ms, socket disconnected at ${ms.toFixed(0)} ms, HTTP refused next`,
      );
      expect(ms - answered).toBeLessThan(1000);
      const after = await me(s);
      expect(after.status).toBe(401);
      expect(after.json.message).toMatch(/session has ended/);
      // and the dead token cannot open a new socket
      await expect(connect(base, s)).rejects.toThrow(/unauthorized/);
      live.close();
    });
  }

  it('a role change takes effect at once: the next login carries the new role, the old token nothing', async () => {
    const u = await makeUser('supervisor');
    const s = await login(app, u.login, u.password);
    expect((await call(app, s, { url: '/api/incidents?limit=1' })).status).toBe(200);
    const changed = await call(app, admin, { method: 'PATCH', url: `/api/users/${u.id}`, body: { role: 'leader', districtAdcode: '510104' } });
    expect(changed.status).toBe(200);
    expect(changed.json).toMatchObject({ role: 'leader', districtAdcode: '510104', activeSessions: 0 });
    expect((await call(app, s, { url: '/api/incidents?limit=1' })).status).toBe(401);
    const again = await login(app, u.login, u.password);
    expect(again.user).toMatchObject({ role: 'leader', districtAdcode: '510104' });
  });

  it('a session ended elsewhere (another instance, the CLI) ends the socket here within a second', async () => {
    const u = await makeUser('dispatcher');
    const s = await login(app, u.login, u.password);
    const live = await connect(base, s);
    let started = 0;
    const gone = disconnected(live, () => started);
    started = performance.now();
    // straight in the database, as another server or `npm run user -- disable` does it
    await db.pool.query(`UPDATE users SET disabled_at = now() WHERE id = $1`, [u.id]);
    expect(await gone).toBeLessThan(1500);
    live.close();
  });

  it('a disabled user cannot log in, and is let in again once enabled (with a new session only)', async () => {
    const u = await makeUser('dispatcher');
    const s = await login(app, u.login, u.password);
    expect((await call(app, admin, { method: 'PATCH', url: `/api/users/${u.id}`, body: { disabled: true } })).status).toBe(200);
    const refused = await call(app, null, { url: '/api/auth/login', body: { login: u.login, password: u.password } });
    expect(refused.status).toBe(401);
    expect(refused.json.message).toMatch(/wrong login or password/);
    expect((await call(app, admin, { method: 'PATCH', url: `/api/users/${u.id}`, body: { disabled: false } })).status).toBe(200);
    expect((await me(s)).status).toBe(401);
    expect((await me(await login(app, u.login, u.password))).status).toBe(200);
  });

  it("refresh extends the same session; a token without an expiry, a forged one or a deleted user's is refused", async () => {
    const u = await makeUser('dispatcher');
    const s = await login(app, u.login, u.password);
    await sleep(1100); // a token is signed to the second
    const r = await call(app, s, { url: '/api/auth/refresh', body: {} });
    expect(r.status).toBe(200);
    expect(r.json.token).not.toBe(s.token);
    expect(new Date(r.json.expiresAt).getTime()).toBeGreaterThan(Date.now() + 11.9 * 3600_000);
    const fresh: Session = { token: r.json.token, user: r.json.user };
    expect((await me(fresh)).status).toBe(200);
    expect((await me(s)).status).toBe(200); // same session: the old token still names it until it expires

    const claims = JSON.parse(Buffer.from(s.token.split('.')[1]!, 'base64url').toString());
    const forever = app.jwt.sign({ sid: claims.sid, id: u.id, login: u.login, role: 'admin', districtAdcode: null, officerId: null });
    expect(JSON.parse(Buffer.from(forever.split('.')[1]!, 'base64url').toString()).exp).toBeUndefined();
    expect((await call(app, { token: forever, user: s.user }, { url: '/api/auth/me' })).status).toBe(401);

    const forged = `${s.token.slice(0, s.token.lastIndexOf('.'))}.${Buffer.from('not the signature').toString('base64url')}`;
    expect((await call(app, { token: forged, user: s.user }, { url: '/api/auth/me' })).status).toBe(401);

    // the role comes from the database, not from the token
    expect((await call(app, fresh, { url: '/api/users' })).status).toBe(403);

    // straight in the database (no API deletes users): this process trusts its last check for under a second
    await db.pool.query(`DELETE FROM users WHERE id = $1`, [u.id]);
    await sleep(1000);
    const gone = await me(fresh);
    expect(gone.status).toBe(401);
    expect(gone.json.message).toMatch(/session has ended/);
  });

  it('changing my own password needs the current one, ends my other sessions and answers a new token', async () => {
    const u = await makeUser('dispatcher');
    const a = await login(app, u.login, u.password);
    const b = await login(app, u.login, u.password);
    const wrong = await call(app, a, { method: 'PUT', url: '/api/auth/password', body: { currentPassword: 'not-it-at-all', newPassword: strongPassword() } });
    expect(wrong.status).toBe(403);
    const weak = await call(app, a, { method: 'PUT', url: '/api/auth/password', body: { currentPassword: u.password, newPassword: 'password12' } });
    expect(weak.status).toBe(400);
    expect(weak.json.message).toMatch(/too easy to guess/);
    const next = strongPassword();
    const ok = await call(app, a, { method: 'PUT', url: '/api/auth/password', body: { currentPassword: u.password, newPassword: next } });
    expect(ok.status).toBe(200);
    expect((await me(b)).status).toBe(401);
    expect((await me(a)).status).toBe(401);
    expect((await me({ token: ok.json.token, user: ok.json.user })).status).toBe(200);
    expect((await call(app, null, { url: '/api/auth/login', body: { login: u.login, password: u.password } })).status).toBe(401);
    await login(app, u.login, next);
  });

  it('the last enabled admin cannot be disabled or demoted, and nobody disables themselves', async () => {
    const self = await call(app, admin, { method: 'PATCH', url: `/api/users/${admin.user.id}`, body: { disabled: true } });
    expect(self.status).toBe(409);
    const others = await call(app, admin, { url: '/api/users' });
    const otherAdmins = (others.json as { role: string; disabled: boolean; id: number }[]).filter(
      (x) => x.role === 'admin' && !x.disabled && x.id !== admin.user.id,
    );
    if (otherAdmins.length === 0) {
      const demote = await call(app, admin, { method: 'PATCH', url: `/api/users/${admin.user.id}`, body: { role: 'dispatcher' } });
      expect(demote.status).toBe(409);
      expect(demote.json.message).toMatch(/last enabled admin/);
    }
  });
});

describe('passwords and logins', () => {
  it('refuses weak passwords with a message that says why', async () => {
    const refused: [string, RegExp][] = [
      ['aaaaaaaaaa', /too easy to guess/],
      ['1234567890', /too easy to guess/],
      ['password12', /too easy to guess/],
      ['          ', /only spaces|too easy/],
      ['short1!', /at least 10 characters/],
    ];
    for (const [password, why] of refused) {
      const res = await call(app, admin, { url: '/api/users', body: { login: `weak${++serial}`, password, displayName: 'x', role: 'dispatcher' } });
      expect(res.status, password).toBe(400);
      expect(res.json.message, password).toMatch(why);
    }
    const name = `mylogin${++serial}`;
    const same = await call(app, admin, { url: '/api/users', body: { login: name, password: `${name}-Harbor-91`, displayName: 'x', role: 'dispatcher' } });
    expect(same.status).toBe(400);
    expect(same.json.message).toMatch(/must not contain the login/);
  });

  it('slows one login name down after 5 wrong passwords from any address, the same for a login that does not exist', async () => {
    const u = await makeUser('dispatcher');
    for (const name of [`ghost${process.pid}${++serial}`, u.login]) {
      const tries = [];
      for (let i = 0; i < 7; i++) {
        tries.push(
          await app.inject({
            method: 'POST',
            url: '/api/auth/login',
            remoteAddress: `10.9.0.${i + 1}`,
            payload: { login: name, password: `wrong-${i}-Harbor` },
          }),
        );
      }
      expect(tries.slice(0, 5).map((r) => r.statusCode)).toEqual([401, 401, 401, 401, 401]);
      expect(tries[5]!.statusCode).toBe(429);
      expect(Number(tries[5]!.headers['retry-after'])).toBeGreaterThan(0);
      expect(tries[5]!.json().message).toMatch(/too many failed logins/);
      expect(tries[5]!.json().message).not.toMatch(/exist/);
    }
    // locked even with the right password, until the wait is over
    const locked = await call(app, null, { url: '/api/auth/login', body: { login: u.login, password: u.password } });
    expect(locked.status).toBe(429);
    await sleep(Number(locked.json.message.match(/in (\d+) s/)![1]) * 1000 + 200);
    await login(app, u.login, u.password);
  });
});
