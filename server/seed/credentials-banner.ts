import type { DemoCredential } from './users.ts';

/** How a lost demo password is replaced (server/users/cli.ts); the banner and the README name it. */
export const RESET_COMMAND = 'npm run user -- reset-password <login>';

/** The banner's lines: shown once, at the start that seeded the demo city, as only hashes are stored. */
export function credentialLines(credentials: DemoCredential[], fixed: boolean): string[] {
  const row = (login: string, role: string, scope: string, password: string) => `│ ${login.padEnd(11)} ${role.padEnd(11)} ${scope.padEnd(7)} ${password}`;
  return [
    '',
    '┌─ Demo users (演示账号) ──────────────────────────────────────────',
    row('login 账号', 'role 角色', 'scope 范围', 'password 密码'),
    ...credentials.map((c) => row(c.login, c.role, c.scope, c.password)),
    fixed
      ? '│ (ZHIHUI_DEMO_PASSWORD was set: every demo user has that password)'
      : '│ These passwords are shown only now; only their argon2 hashes are stored.',
    `│ Lost one? Stop the server and run: ${RESET_COMMAND} (忘记密码：重置命令)`,
    '└──────────────────────────────────────────────────────────────────',
    '',
  ];
}

export function printCredentials(credentials: DemoCredential[], fixed: boolean): void {
  console.log(credentialLines(credentials, fixed).join('\n'));
}
