import os from 'node:os';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

/**
 * Integration files at once, each on its own database; TEST_WORKERS=1 runs them one at a time. As
 * many as there are cores (at most 4) on both databases: an embedded copy runs in a process of its own (tests/setup/
 * embedded-child.ts), so two files on the embedded database compute on two cores, not on one.
 */
const workers = Number(process.env.TEST_WORKERS) || Math.min(os.availableParallelism(), 4);

/**
 * The fault tests restart PostgreSQL connections, kill server processes, run 50 writers or take
 * backups, with timings in their assertions: they run one file at a time, after the others.
 */
const FAULTS = ['balancer', 'live-order', 'database-outage', 'backup-restore', 'read-replica'].map((f) => `tests/integration/${f}.test.ts`);

const common = { testTimeout: 60_000, hookTimeout: 300_000, maxWorkers: workers };
/** Files that use the database: each gets its own, cloned from the run's template before it runs. */
const withDatabase = { ...common, setupFiles: ['tests/setup/file-database.ts'] };

export default defineConfig({
  test: {
    // the database broker (tests/setup/database.ts) lives in the main process, for all projects; it
    // makes the template only when a file first asks for a database
    globalSetup: ['tests/setup/database.ts'],
    reporters: ['default'],
    projects: [
      // the client's logic too: its .svelte.ts modules (runes) compiled as the console's build does
      { plugins: [svelte({ configFile: false })], test: { ...common, name: 'unit', include: ['tests/unit/**/*.test.ts'] } },
      { test: { ...withDatabase, name: 'integration', include: ['tests/integration/**/*.test.ts'], exclude: FAULTS } },
      // fileParallelism false: these run in Vitest's sequential group, after unit and integration
      { test: { ...withDatabase, name: 'faults', include: FAULTS, fileParallelism: false } },
      { test: { ...withDatabase, name: 'e2e', include: ['tests/e2e/**/*.test.ts'], fileParallelism: false } },
    ],
  },
});
