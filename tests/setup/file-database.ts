import { afterAll } from 'vitest';
import { claimFileDatabase } from '../support/database.ts';

// Runs before each integration and e2e file: its own database, dropped once the file's own afterAll
// hooks have run (hooks run in reverse order of registration, and these come first).
const release = await claimFileDatabase();
afterAll(release);
