import type { DemoCredential } from './users.ts';

/** Shown once, at the start that seeded the demo city: only hashes are stored. */
export function printCredentials(credentials: DemoCredential[], fixed: boolean): void {
  const lines = [
    '',
    '┌─ Demo users (演示账号) ──────────────────────────────────────────',
    ...credentials.map((c) => `│ ${c.login.padEnd(11)} ${c.role.padEnd(11)} scope ${c.scope.padEnd(7)} password ${c.password}`),
    fixed
      ? '│ (ZHIHUI_DEMO_PASSWORD was set: every demo user has that password)'
      : '│ These passwords are shown only now; only their argon2 hashes are stored.',
    '└──────────────────────────────────────────────────────────────────',
    '',
  ];
  console.log(lines.join('\n'));
}
