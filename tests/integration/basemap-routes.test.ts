// GET /api/basemap/{style,tiles,fonts} through Fastify inject, on the demo basemap built by the pipeline
// into the app's DATA_DIR: login as for the map layers (or public with PUBLIC_MAP_LAYERS), 204 for an
// empty tile, ETags, the style's attribution and partial-coverage note, and 4xx with a message for bad
// addresses.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { VectorTile } from '@mapbox/vector-tile';
import type { FastifyInstance } from 'fastify';
import { PbfReader } from 'pbf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoBasemap } from '../../server/basemap/demo.ts';
import { testApp } from '../support/app.ts';
import { login } from '../support/clients.ts';
import { testDatabase } from '../support/database.ts';

const db = testDatabase();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhihui-basemap-routes-'));
const emptyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhihui-basemap-none-'));
let app: FastifyInstance;
let token = '';
let fontstack = '';
beforeAll(async () => {
  await ensureDemoBasemap(dataDir);
  // testApp removes its DATA_DIR when the app closes
  app = await testApp(db, { config: { dataDir } });
  token = (await login(app, 'dispatcher')).token;
});
afterAll(async () => {
  await app.close();
  await db.close();
  fs.rmSync(emptyDir, { recursive: true, force: true });
});

const get = (url: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}`, ...headers } });

function tileAt(lon: number, lat: number, z: number): string {
  const n = 2 ** z;
  const r = (lat * Math.PI) / 180;
  return `${z}/${Math.floor(((lon + 180) / 360) * n)}/${Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n)}`;
}

describe('the style', () => {
  it('dark by default, with our tiles, glyphs, attribution and the note that the demo basemap is partial', async () => {
    const res = await get('/api/basemap/style');
    expect(res.statusCode).toBe(200);
    const style = res.json();
    expect(style.version).toBe(8);
    expect(style.name).toBe('zhihui-basemap-dark');
    const origin = 'http://localhost:80';
    expect(style.glyphs).toBe(`${origin}/api/basemap/fonts/{fontstack}/{range}.pbf`);
    const src = style.sources['zhihui-basemap'];
    expect(src.tiles).toEqual([`${origin}/api/basemap/tiles/{z}/{x}/{y}.pbf`]);
    expect(src.attribution).toContain('© OpenStreetMap contributors');
    expect(src.attribution).toContain('演示底图仅覆盖成都市南部局部 / demo basemap covers part of south-central Chengdu');
    expect(style.metadata['zhihui:note']).toEqual({ zh: '演示底图仅覆盖成都市南部局部', en: 'demo basemap covers part of south-central Chengdu' });
    expect([src.minzoom, src.maxzoom]).toEqual([10, 17]);
    const labels = style.layers.find((l: { id: string }) => l.id === 'bm-road-label');
    fontstack = labels.layout['text-font'][0];
    expect(fontstack).toMatch(/^[A-Za-z0-9 ]+$/);
    expect(style.layers.every((l: { id: string }) => l.id.startsWith('bm-'))).toBe(true);
    expect(res.headers['cache-control']).toBe('private, max-age=60');
  });

  it('light for phones, with other colours', async () => {
    const dark = (await get('/api/basemap/style?theme=dark')).json();
    const light = (await get('/api/basemap/style?theme=light')).json();
    expect(light.name).toBe('zhihui-basemap-light');
    const bg = (s: { layers: { id: string; paint: Record<string, string> }[] }) => s.layers.find((l) => l.id === 'bm-background')!.paint['background-color'];
    expect(bg(light)).not.toBe(bg(dark));
  });

  it('refuses an unknown theme and undeclared parameters with a message', async () => {
    const bad = await get('/api/basemap/style?theme=sepia');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/theme/);
    expect((await get('/api/basemap/style?foo=1')).statusCode).toBe(400);
  });
});

describe('tiles', () => {
  it('a tile over 人民南路 is an MVT with Chinese road names, with an ETag', async () => {
    const res = await get(`/api/basemap/tiles/${tileAt(104.064, 30.632, 15)}.pbf`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.mapbox-vector-tile');
    expect(res.headers['cache-control']).toBe('private, max-age=300');
    const roads = new VectorTile(new PbfReader(res.rawPayload)).layers.roads!;
    const names = Array.from({ length: roads.length }, (_, i) => roads.feature(i).properties.name as string);
    expect(names.some((n) => n?.startsWith('人民南路'))).toBe(true);
    const again = await get(`/api/basemap/tiles/${tileAt(104.064, 30.632, 15)}.pbf`, { 'if-none-match': String(res.headers.etag) });
    expect(again.statusCode).toBe(304);
  });

  it('204 for a tile with nothing in it (MapLibre draws it empty)', async () => {
    const res = await get(`/api/basemap/tiles/${tileAt(103.9, 30.8, 15)}.pbf`);
    expect(res.statusCode).toBe(204);
    expect(res.rawPayload.length).toBe(0);
  });

  it('bad addresses: 400 that says what is wrong', async () => {
    const out = await get('/api/basemap/tiles/3/8/1.pbf');
    expect(out.statusCode).toBe(400);
    expect(out.json().message).toMatch(/x 8 is out of range at z 3: it must be from 0 to 7/);
    for (const url of ['/api/basemap/tiles/23/0/0.pbf', '/api/basemap/tiles/a/0/0.pbf', '/api/basemap/tiles/1/-1/0.pbf']) {
      const r = await get(url);
      expect(r.statusCode, url).toBe(400);
      expect(r.json().message, url).toBeTruthy();
    }
  });
});

describe('glyphs', () => {
  it('0-255 and a CJK range the labels use; a stack answered from its first font', async () => {
    const ascii = await get(`/api/basemap/fonts/${encodeURIComponent(fontstack)}/0-255.pbf`);
    expect(ascii.statusCode).toBe(200);
    expect(ascii.headers['content-type']).toBe('application/x-protobuf');
    expect(ascii.rawPayload.length).toBeGreaterThan(1000);
    // 人 U+4EBA
    expect((await get(`/api/basemap/fonts/${encodeURIComponent(`${fontstack},Arial Unicode MS Regular`)}/19968-20223.pbf`)).statusCode).toBe(200);
  });

  it('404 for a range no label uses or a font not built, 400 for a malformed range or name', async () => {
    const hangul = await get(`/api/basemap/fonts/${encodeURIComponent(fontstack)}/44032-44287.pbf`);
    expect(hangul.statusCode).toBe(404);
    expect(hangul.json().message).toMatch(/no glyphs 44032-44287/);
    expect((await get('/api/basemap/fonts/Comic%20Sans/0-255.pbf')).statusCode).toBe(404);
    const range = await get(`/api/basemap/fonts/${encodeURIComponent(fontstack)}/1-256.pbf`);
    expect(range.statusCode).toBe(400);
    expect(range.json().message).toMatch(/not a glyph range/);
    for (const url of ['/api/basemap/fonts/..%2F..%2Fetc/0-255.pbf', `/api/basemap/fonts/${'A'.repeat(99)}/0-255.pbf`, '/api/basemap/fonts/Noto/abc.pbf']) {
      const r = await get(url);
      expect(r.statusCode, url).toBe(400);
      expect(r.json().message, url).toBeTruthy();
    }
    // longer than any path parameter the router takes
    const long = await get(`/api/basemap/fonts/${'A'.repeat(300)}/0-255.pbf`);
    expect(long.statusCode).toBe(414);
    expect(long.json().message).toBeTruthy();
  });
});

describe('login', () => {
  it('/api/config says the server has a street basemap, before any login', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/config' })).json().basemap).toBe(true);
  });

  it('style, tiles and glyphs need a login, like the other map layers', async () => {
    for (const url of [
      '/api/basemap/style',
      `/api/basemap/tiles/${tileAt(104.064, 30.632, 15)}.pbf`,
      `/api/basemap/fonts/${encodeURIComponent(fontstack)}/0-255.pbf`,
    ]) {
      expect((await app.inject({ method: 'GET', url })).statusCode, url).toBe(401);
    }
  });

  it('PUBLIC_MAP_LAYERS opens them; with no basemap built they answer 404 saying how to build one', async () => {
    const open = await testApp(db, { config: { publicMapLayers: true, dataDir: emptyDir } });
    try {
      // the console asks for no basemap the server does not have
      expect((await open.inject({ method: 'GET', url: '/api/config' })).json().basemap).toBe(false);
      const style = await open.inject({ method: 'GET', url: '/api/basemap/style' });
      expect(style.statusCode).toBe(404);
      expect(style.json().message).toMatch(/npm run basemap/);
      expect((await open.inject({ method: 'GET', url: '/api/basemap/tiles/15/0/0.pbf' })).statusCode).toBe(404);
    } finally {
      await open.close();
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhihui-basemap-public-'));
    await ensureDemoBasemap(dir);
    const pub = await testApp(db, { config: { publicMapLayers: true, dataDir: dir } });
    try {
      const res = await pub.inject({ method: 'GET', url: `/api/basemap/tiles/${tileAt(104.064, 30.632, 15)}.pbf` });
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('public, max-age=300');
    } finally {
      await pub.close();
    }
  });
});
