// The basemap pipeline on real files, no mocks: the demo city's OpenStreetMap roads and a small .osm.pbf
// made here with osmium, built into a PMTiles archive, read back with protomaps' `pmtiles` reader and
// decoded with @mapbox/vector-tile; glyphs made with fontnik; bad input refused with a clear message.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BasemapArchive } from '../../server/basemap/archive-reader.ts';
import { archivePath, basemapDir, buildBasemap, type BuildResult } from '../../server/basemap/build.ts';
import { DEMO_BASEMAP_NOTE, ensureDemoBasemap } from '../../server/basemap/demo.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'zhihui-basemap-test-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** the slippy-map tile holding a point */
function tileAt(lon: number, lat: number, z: number): [number, number, number] {
  const n = 2 ** z;
  const r = (lat * Math.PI) / 180;
  return [z, Math.floor(((lon + 180) / 360) * n), Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n)];
}

function layerProps(tile: Buffer, layer: string): Record<string, unknown>[] {
  const l = new VectorTile(new PbfReader(tile)).layers[layer];
  if (!l) return [];
  return Array.from({ length: l.length }, (_, i) => l.feature(i).properties);
}

/** 人民南路 near 玉林 */
const RENMIN_SOUTH: [number, number] = [104.064, 30.632];

describe('the demo city basemap, from the shipped OpenStreetMap roads', () => {
  const dataDir = path.join(tmp, 'demo');
  let built: BuildResult;
  let archive: BasemapArchive;
  beforeAll(async () => {
    built = (await ensureDemoBasemap(dataDir))!;
    archive = new BasemapArchive(dataDir);
  });
  afterAll(() => archive.close());

  it('builds an archive and its glyphs in a few seconds', () => {
    expect(built).not.toBeNull();
    expect(built.features.roads).toBeGreaterThan(800);
    expect(built.tiles).toBeGreaterThan(50);
    expect(built.ms).toBeLessThan(10_000);
    expect(fs.statSync(archivePath(dataDir)).size).toBe(built.bytes);
    // the PMTiles v3 magic and version
    const head = fs.readFileSync(archivePath(dataDir)).subarray(0, 8);
    expect(head.subarray(0, 7).toString('ascii')).toBe('PMTiles');
    expect(head[7]).toBe(3);
    console.log(
      `demo basemap: ${built.tiles} tiles, ${(built.bytes / 1024).toFixed(0)} KiB, ${built.glyphRanges} glyph ranges (${(built.glyphBytes / 1024).toFixed(0)} KiB) in ${Math.round(built.ms)} ms`,
    );
  });

  it('is not built again when it is there', async () => {
    expect(await ensureDemoBasemap(dataDir)).toBeNull();
  });

  it('reads back with the pmtiles reader: header, metadata with the attribution and the partial-coverage note', async () => {
    const info = (await archive.info())!;
    expect(info.minZoom).toBe(10);
    expect(info.maxZoom).toBe(17);
    expect(info.bounds[0]).toBeCloseTo(104.039, 2);
    expect(info.bounds[3]).toBeCloseTo(30.651, 2);
    expect(info.metadata.attribution).toContain('© OpenStreetMap contributors');
    expect(info.metadata.note).toEqual(DEMO_BASEMAP_NOTE);
    expect(info.metadata.glyphRanges).toContain('0-255');
  });

  it.each([13, 15, 17])('a tile over 人民南路 at z%i holds roads with Chinese names and classes', async (z) => {
    const tile = (await archive.tile(...tileAt(...RENMIN_SOUTH, z)))!;
    expect(tile.length).toBeGreaterThan(0);
    const roads = layerProps(tile, 'roads');
    const names = roads.map((p) => p.name).filter(Boolean) as string[];
    expect(names.some((n) => n.startsWith('人民南路'))).toBe(true);
    expect(names.every((n) => /[\u4e00-\u9fff]/.test(n))).toBe(true);
    expect(new Set(roads.map((p) => p.class))).toContain('primary');
    // the build's own bookkeeping stays out of the tiles
    expect(roads.some((p) => 'minzoom' in p)).toBe(false);
  });

  it('keeps minor roads out of the low zooms and answers an empty tile outside the patch', async () => {
    const z11 = layerProps((await archive.tile(...tileAt(...RENMIN_SOUTH, 11)))!, 'roads');
    expect(z11.length).toBeGreaterThan(0);
    expect(z11.every((p) => ['motorway', 'trunk', 'primary', 'secondary'].includes(p.class as string))).toBe(true);
    expect((await archive.tile(...tileAt(104.2, 30.8, 15)))!.length).toBe(0);
  });

  it('has glyphs for every character of the labels, and only the ranges they use', async () => {
    const info = (await archive.info())!;
    const dir = path.join(basemapDir(dataDir), 'fonts', info.metadata.fontstack);
    const files = fs.readdirSync(dir).sort();
    expect(files.length).toBe(info.metadata.glyphRanges.length);
    // 人 is U+4EBA: range 19968-20223
    expect(archive.glyphs(info.metadata.fontstack, '19968-20223')?.length).toBeGreaterThan(100);
    // Hangul is not in any label
    expect(archive.glyphs(info.metadata.fontstack, '44032-44287')).toBeNull();
    expect(archive.glyphs('../../etc', '0-255')).toBeNull();
  });
});

describe('an OpenStreetMap extract (.osm.pbf) made here with osmium', () => {
  const dataDir = path.join(tmp, 'pbf');
  const pbf = path.join(tmp, 'tiny.osm.pbf');
  beforeAll(() => {
    // a named road, a river, a railway and a named place near 人民南路, and a building the basemap ignores
    const nodes: [number, number, number][] = [
      [1, 104.06, 30.63],
      [2, 104.07, 30.63],
      [3, 104.06, 30.635],
      [4, 104.07, 30.636],
      [5, 104.06, 30.625],
      [6, 104.07, 30.626],
      [8, 104.061, 30.631],
      [9, 104.062, 30.631],
      [10, 104.062, 30.632],
    ];
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="zhihui-test">
${nodes.map(([id, lon, lat]) => `  <node id="${id}" version="1" lat="${lat}" lon="${lon}"/>`).join('\n')}
  <node id="7" version="1" lat="30.632" lon="104.065"><tag k="place" v="neighbourhood"/><tag k="name" v="测试社区"/><tag k="name:en" v="Test Community"/></node>
  <way id="100" version="1"><nd ref="1"/><nd ref="2"/><tag k="highway" v="primary"/><tag k="name" v="测试大道"/><tag k="name:en" v="Ceshi Avenue"/></way>
  <way id="101" version="1"><nd ref="3"/><nd ref="4"/><tag k="waterway" v="river"/><tag k="name" v="测试河"/></way>
  <way id="102" version="1"><nd ref="5"/><nd ref="6"/><tag k="railway" v="rail"/></way>
  <way id="103" version="1"><nd ref="8"/><nd ref="9"/><nd ref="10"/><nd ref="8"/><tag k="building" v="yes"/></way>
</osm>`;
    fs.writeFileSync(path.join(tmp, 'tiny.osm'), xml);
    execFileSync('osmium', ['cat', path.join(tmp, 'tiny.osm'), '-o', pbf, '--overwrite']);
  });

  it('builds roads, water, rail and place labels from it', async () => {
    const r = await buildBasemap(pbf, dataDir);
    expect(r.features).toEqual({ roads: 1, water: 1, rail: 1, places: 1 });
    const archive = new BasemapArchive(dataDir);
    try {
      const tile = (await archive.tile(...tileAt(104.065, 30.632, 14)))!;
      expect(layerProps(tile, 'roads')).toEqual([{ class: 'primary', name: '测试大道', name_en: 'Ceshi Avenue' }]);
      expect(layerProps(tile, 'water')).toEqual([{ class: 'river', name: '测试河' }]);
      expect(layerProps(tile, 'rail')).toEqual([{ class: 'rail' }]);
      expect(layerProps(tile, 'places')).toEqual([{ class: 'neighbourhood', name: '测试社区', name_en: 'Test Community' }]);
      expect((await archive.info())!.metadata.source).toBe('tiny.osm.pbf');
    } finally {
      archive.close();
    }
  });

  it('reads a GeoJSON sequence the same way', async () => {
    const seq = path.join(tmp, 'roads.geojsonseq');
    fs.writeFileSync(
      seq,
      [
        {
          type: 'Feature',
          properties: { highway: 'residential', name: '序列街' },
          geometry: {
            type: 'LineString',
            coordinates: [
              [104.06, 30.63],
              [104.061, 30.631],
            ],
          },
        },
        { type: 'Feature', properties: { amenity: 'bench' }, geometry: { type: 'Point', coordinates: [104.06, 30.63] } },
      ]
        .map((f) => `\x1e${JSON.stringify(f)}`)
        .join('\n'),
    );
    const r = await buildBasemap(seq, path.join(tmp, 'seq'));
    expect(r.features.roads).toBe(1);
    expect(r.features.places).toBe(0);
  });
});

describe('bad input', () => {
  const dataDir = path.join(tmp, 'bad');
  it('a missing file', async () => {
    await expect(buildBasemap(path.join(tmp, 'nowhere.osm.pbf'), dataDir)).rejects.toThrow(/no such file: .*nowhere\.osm\.pbf/);
  });
  it('an unknown extension', async () => {
    const f = path.join(tmp, 'roads.shp');
    fs.writeFileSync(f, 'x');
    await expect(buildBasemap(f, dataDir)).rejects.toThrow(/cannot build a basemap from roads\.shp: give an OpenStreetMap extract \(\.osm\.pbf\)/);
  });
  it('GeoJSON that is not a FeatureCollection, or holds nothing to draw', async () => {
    const f = path.join(tmp, 'broken.geojson');
    fs.writeFileSync(f, '{"type":"Feature"');
    await expect(buildBasemap(f, dataDir)).rejects.toThrow(/broken\.geojson is not valid JSON/);
    fs.writeFileSync(f, JSON.stringify({ type: 'FeatureCollection', features: [] }));
    await expect(buildBasemap(f, dataDir)).rejects.toThrow(/has no roads, water, railways or named places/);
  });
  it('a file osmium cannot read', async () => {
    const f = path.join(tmp, 'garbage.osm.pbf');
    fs.writeFileSync(f, 'not a pbf');
    await expect(buildBasemap(f, dataDir)).rejects.toThrow(/osmium could not read garbage\.osm\.pbf/);
  });
  it('leaves no archive behind', () => {
    expect(fs.existsSync(archivePath(dataDir))).toBe(false);
  });
});
