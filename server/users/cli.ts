// `npm run user -- <command>`: the first admin and password resets, from the server's shell.
import crypto from 'node:crypto';
import { parseArgs } from 'node:util';
import { ROLES, type Role } from '#shared/roles.ts';
import { SessionRepository } from '../auth/repository.ts';
import { AuthService } from '../auth/service.ts';
import { loadConfig } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { UserRepository } from './repository.ts';
import { UserService } from './service.ts';

const USAGE = `usage: npm run user -- <command> [options]
  list
  create <login> --role <${ROLES.join('|')}> [--name <display name>] [--district <adcode>] [--officer <officer id>]
  reset-password <login>   a new random password, printed once; the user's sessions end (alias: reset)
  disable <login>          sessions end at once; the user cannot log in
  enable <login>
A new or reset password is printed once; set ZHIHUI_NEW_PASSWORD to choose it instead (the password policy applies).
With the embedded database, stop the server first (or use DATABASE_URL=postgres://postgres@127.0.0.1:$EMBEDDED_PG_PORT/postgres while it runs).`;

class CliError extends Error {}
function fail(message: string): never {
  throw new CliError(message);
}
function usage(message: string): never {
  console.error(message);
  process.exit(2);
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    role: { type: 'string' },
    name: { type: 'string' },
    district: { type: 'string' },
    officer: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
const [command, login] = positionals;
if (values.help || !command) usage(USAGE);
if (command !== 'list' && !login) usage(`${command} needs a login\n${USAGE}`);

const newPassword = () => process.env.ZHIHUI_NEW_PASSWORD || `${crypto.randomBytes(15).toString('base64url')}`;

const config = loadConfig();
const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
try {
  await migrate(db.pool);
  const repo = new UserRepository(db.pool);
  const auth = new AuthService(new SessionRepository(db.pool), repo, () => fail('the CLI issues no tokens'));
  const users = new UserService(db.pool, repo, auth);
  // the CLI is the server's own shell: an actor no user can be
  const actor = { id: 0, login: 'cli', role: 'admin' as const, districtAdcode: null, officerId: null };
  const find = async () => (await repo.byLogin(login!)) ?? fail(`no user ${login}`);
  switch (command) {
    case 'list':
      for (const u of await users.list()) {
        console.log(
          [
            u.id,
            u.login,
            u.role,
            u.districtAdcode ?? 'city',
            u.officerId ?? '-',
            u.disabled ? 'disabled' : 'enabled',
            `${u.activeSessions} sessions`,
            u.displayName,
          ].join('\t'),
        );
      }
      break;
    case 'create': {
      const role = values.role as Role | undefined;
      if (!role || !ROLES.includes(role)) fail(`--role must be one of ${ROLES.join(', ')}`);
      const password = newPassword();
      const user = await users.create(actor, {
        login: login!,
        password,
        role,
        displayName: values.name ?? login!,
        districtAdcode: values.district ?? null,
        officerId: values.officer ? Number(values.officer) : null,
      });
      console.log(`created ${user.login} (${user.role}, id ${user.id})`);
      if (!process.env.ZHIHUI_NEW_PASSWORD) console.log(`password (shown once): ${password}`);
      break;
    }
    case 'reset':
    case 'reset-password': {
      const password = newPassword();
      const user = await users.resetPassword(actor, (await find()).id, password);
      console.log(`password of ${user.login} reset; their sessions ended`);
      if (!process.env.ZHIHUI_NEW_PASSWORD) console.log(`password (shown once): ${password}`);
      break;
    }
    case 'disable':
    case 'enable': {
      const user = await users.update(actor, (await find()).id, { disabled: command === 'disable' });
      console.log(`${user.login} ${user.disabled ? 'disabled; their sessions ended' : 'enabled'}`);
      break;
    }
    default:
      fail(`unknown command ${command}\n${USAGE}`);
  }
} catch (err) {
  const e = err as { statusCode?: number; message: string };
  if (!(err instanceof CliError) && !e.statusCode) throw err;
  console.error(e.message);
  process.exitCode = 2;
} finally {
  await db.close();
}
