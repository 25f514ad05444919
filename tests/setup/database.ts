import type { TestProject } from 'vitest/node';
import { serveClones } from './clone-broker.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseMode: 'embedded' | 'external';
    /** Where a test file asks for its own database (tests/setup/clone-broker.ts). */
    databaseBroker: string;
  }
}

/**
 * Every integration and e2e file gets a database of its own, a copy of one migrated and seeded as
 * `npm start` does it: with DATABASE_URL, databases on that server (all dropped afterwards); without
 * it, embedded PostGIS data directories in a temporary directory. Test files connect over loopback
 * as the app does. The template is made when the first file asks, so unit tests never wait for it.
 */
export default async function setup(project: TestProject) {
  const external = process.env.DATABASE_URL;
  const run = `${process.pid}_${Date.now().toString(36)}`;
  const broker = await serveClones(async () => {
    const started = performance.now();
    // imported here: a run of unit tests alone loads neither the migrations nor the seed
    const template = external
      ? await (await import('./postgres-template.ts')).postgresTemplate(external, run)
      : await (await import('./embedded-template.ts')).embeddedTemplate();
    console.log(`[tests] ${external ? 'external' : 'embedded'} PostGIS template migrated and seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return template;
  });
  project.provide('databaseMode', external ? 'external' : 'embedded');
  project.provide('databaseBroker', broker.url);
  return () => broker.close();
}
