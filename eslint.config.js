// ESLint (flat config): the recommended sets of ESLint, typescript-eslint and eslint-plugin-svelte,
// plus two house rules that keep the shape routes.ts → service.ts → repository.ts: only repositories
// (and the database, seed, backup, bench and test code) send SQL, and route plugins are handed
// services, never the pool. Formatting is Prettier's (`npm run format`); eslint-config-prettier, last,
// turns off the rules that would fight it.
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const SQL_ONLY_IN_REPOSITORIES = {
  selector: 'CallExpression > MemberExpression.callee[property.name=/^(query|connect)$/]',
  message: 'SQL belongs in a repository.ts (routes.ts → service.ts → repository.ts): call a repository instead of .query()/.connect() here.',
};
const ROUTES_GET_SERVICES = {
  selector: 'Identifier[name=/^(pool|readPool)$/]',
  message: 'a route plugin is handed services, never the pool (routes.ts → service.ts → repository.ts).',
};

/** Where talking to the database directly is the file's job. */
const DATABASE_CODE = ['**/repository.ts', 'server/db/**', 'server/seed/**', 'server/backup/**', 'server/docs/lint-cli.ts', 'bench/**', 'tests/**'];

/**
 * Server files that still send SQL outside a repository. Each is another part of issue 12's work (or
 * infrastructure that holds a connection of its own); remove its line once it is clean.
 */
const SQL_NOT_YET_IN_REPOSITORIES = [
  'server/live/relay.ts', // LISTEN/NOTIFY on a client of its own (a connection, not domain SQL); just rewritten and tested for ordering
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      // `_name` marks a binding left unused on purpose (a destructured field dropped, a callback's argument)
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
    rules: {
      // It asks for SvelteMap/SvelteSet/SvelteDate wherever a Map, Set or Date is built, also for locals and
      // caches that are deliberately not reactive (a merge buffer, a dedup set, a timestamp pushed into $state).
      'svelte/prefer-svelte-reactivity': 'off',
    },
  },
  {
    // tests read JSON answers of every shape; typing each one would test nothing more
    files: ['tests/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // the browser has no SQL; `.connect()` there is Web Audio's and socket.io's
    files: ['server/**/*.ts', 'shared/**/*.ts'],
    ignores: [...DATABASE_CODE, ...SQL_NOT_YET_IN_REPOSITORIES],
    rules: { 'no-restricted-syntax': ['error', SQL_ONLY_IN_REPOSITORIES] },
  },
  {
    files: ['server/**/routes.ts'],
    rules: { 'no-restricted-syntax': ['error', SQL_ONLY_IN_REPOSITORIES, ROUTES_GET_SERVICES] },
  },
  prettier,
);
