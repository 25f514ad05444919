// A case keeps the landmark it was reported at (issue 15): intake reverse-geocodes the point once and
// stores the nearest named intersection or road with metres and bearing, so the queue, the case panel
// and the officer's card say "人民南路四段与玉林东路交叉口东北约 40 米", and a later rename of the road
// does not rewrite the record. The preview before saving says the same.
import { destination, point } from '@turf/turf';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { landmarkInWords } from '#shared/geocode/words.ts';
import { loadOsmIntersections } from '../../server/seed/osm-roads.ts';
import { testApp } from '../support/app.ts';
import { call, login, type Session } from '../support/clients.ts';
import { testDatabase } from '../support/database.ts';

const db = testDatabase();
let app: FastifyInstance;
let dispatcher: Session;
beforeAll(async () => {
  app = await testApp(db);
  dispatcher = await login(app, 'dispatcher');
});
afterAll(async () => {
  await app.close();
  await db.close();
});

const JUNCTION = loadOsmIntersections().find((i) => i.name === '人民南路四段与玉林东路交叉口')!;
/** ~40 m north-east of the junction */
const NEAR = destination(point(JUNCTION.coordinates), 0.04, 45).geometry.coordinates as [number, number];

describe(`the landmark a case is reported at (${inject('databaseMode')} database)`, () => {
  it('is stored at intake, answered with the case and read back as it was stored', async () => {
    const intake = await call(app, dispatcher, {
      url: '/api/incidents',
      body: { category: '0201', source: 'dispatcher', description: '小广告', lon: NEAR[0], lat: NEAR[1] },
    });
    expect(intake.status).toBe(201);
    const landmark = intake.json.incident.landmark;
    expect(landmark).toMatchObject({ kind: 'intersection', name: '人民南路四段与玉林东路交叉口' });
    expect(landmark.meters).toBeGreaterThan(37);
    expect(landmark.meters).toBeLessThan(43);
    expect(Math.abs(landmark.bearing - 45)).toBeLessThan(5);
    expect(landmarkInWords(landmark, 'zh')).toMatch(/^人民南路四段与玉林东路交叉口东北约 40 米$/);

    const id = intake.json.incident.id as number;
    const view = await call(app, dispatcher, { url: `/api/incidents/${id}` });
    expect(view.json.landmark).toEqual(landmark);
    const stored = await db.pool.query<{ landmark: unknown }>('SELECT landmark FROM incidents WHERE id = $1', [id]);
    expect(stored.rows[0]!.landmark).toEqual(landmark);
  });

  it('is kept as it was said then: renaming the road in the gazetteer later does not rewrite the case', async () => {
    const intake = await call(app, dispatcher, {
      url: '/api/incidents',
      body: { category: '0201', source: 'dispatcher', description: '小广告', lon: NEAR[0], lat: NEAR[1] },
    });
    const id = intake.json.incident.id as number;
    // this file's own database: the rename is committed, so the API would see it if it looked the landmark up again
    await db.pool.query(`UPDATE gazetteer SET name = '改名路口' WHERE kind = 'intersection' AND name = '人民南路四段与玉林东路交叉口'`);
    const view = await call(app, dispatcher, { url: `/api/incidents/${id}` });
    expect(view.json.landmark.name).toBe('人民南路四段与玉林东路交叉口');
    const later = await call(app, dispatcher, {
      url: '/api/incidents',
      body: { category: '0201', source: 'dispatcher', description: '小广告', lon: NEAR[0], lat: NEAR[1] },
    });
    expect(later.json.incident.landmark.name).toBe('改名路口');
    await db.pool.query(`UPDATE gazetteer SET name = '人民南路四段与玉林东路交叉口' WHERE kind = 'intersection' AND name = '改名路口'`);
  });

  it('is null for a case beyond every named road, and the preview before saving says the same as intake', async () => {
    // 天府广场 is well north of the demo street patch
    const far = { lon: 104.0657, lat: 30.6574 };
    const outside = await call(app, dispatcher, {
      url: '/api/incidents',
      body: { category: '0201', source: 'dispatcher', description: '小广告', ...far },
    });
    expect(outside.status).toBe(201);
    expect(outside.json.incident.landmark).toBeNull();

    const preview = await call(app, dispatcher, { url: `/api/incidents/duplicates?lon=${NEAR[0]}&lat=${NEAR[1]}&categoryCode=0201` });
    expect(preview.status).toBe(200);
    expect(preview.json.location.landmark).toMatchObject({ kind: 'intersection', name: '人民南路四段与玉林东路交叉口' });
    const farPreview = await call(app, dispatcher, { url: `/api/incidents/duplicates?lon=${far.lon}&lat=${far.lat}&categoryCode=0201` });
    expect(farPreview.json.location.landmark).toBeNull();
  });
});
