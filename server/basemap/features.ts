// What goes on the basemap, from an OpenStreetMap extract (.osm.pbf, through Debian's osmium-tool),
// a GeoJSON FeatureCollection or GeoJSON text sequence: roads (highway=*), water (waterway=*,
// natural=water, reservoirs), railways and named places, each with the few properties the style uses.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { promisify } from 'node:util';
import type { Geometry } from 'geojson';

const run = promisify(execFile);

export type BasemapLayer = 'roads' | 'water' | 'rail' | 'places';
export const BASEMAP_LAYERS: readonly BasemapLayer[] = ['water', 'rail', 'roads', 'places'];

export interface BasemapFeature {
  layer: BasemapLayer;
  /** the lowest zoom it is drawn at */
  minzoom: number;
  geometry: Geometry;
  properties: Record<string, string | number>;
}

type Tags = Record<string, unknown>;

/** Road classes of the style, with the zoom each first appears at. */
const ROAD_CLASSES: Record<string, [string, number]> = {
  motorway: ['motorway', 10],
  motorway_link: ['motorway', 12],
  trunk: ['trunk', 10],
  trunk_link: ['trunk', 12],
  primary: ['primary', 10],
  primary_link: ['primary', 12],
  secondary: ['secondary', 11],
  secondary_link: ['secondary', 13],
  tertiary: ['tertiary', 12],
  tertiary_link: ['tertiary', 13],
  residential: ['minor', 13],
  unclassified: ['minor', 13],
  living_street: ['minor', 13],
  road: ['minor', 13],
  service: ['service', 14],
  pedestrian: ['path', 14],
  footway: ['path', 15],
  path: ['path', 15],
  cycleway: ['path', 15],
  steps: ['path', 16],
  track: ['path', 15],
};

const PLACE_ZOOM: Record<string, number> = {
  city: 10,
  town: 10,
  district: 11,
  suburb: 12,
  quarter: 13,
  village: 13,
  neighbourhood: 14,
  hamlet: 14,
  locality: 15,
};

const text = (v: unknown): string => (typeof v === 'string' ? v.trim().slice(0, 200) : '');

function named(tags: Tags): Record<string, string> {
  const out: Record<string, string> = {};
  const name = text(tags.name) || text(tags['name:zh']);
  if (name) out.name = name;
  const en = text(tags['name:en']);
  if (en) out.name_en = en;
  return out;
}

/** One input feature as a basemap feature, or null when the basemap has no use for it. */
export function classify(tags: Tags, geometry: Geometry | null): BasemapFeature | null {
  if (!geometry) return null;
  const line = geometry.type === 'LineString' || geometry.type === 'MultiLineString';
  const area = geometry.type === 'Polygon' || geometry.type === 'MultiPolygon';
  const point = geometry.type === 'Point';
  const highway = text(tags.highway);
  if (highway && line) {
    const [cls, minzoom] = ROAD_CLASSES[highway] ?? ['minor', 14];
    const props: Record<string, string | number> = { class: cls, ...named(tags) };
    if (highway.endsWith('_link')) props.link = 1;
    const ref = text(tags.ref);
    if (ref) props.ref = ref;
    return { layer: 'roads', minzoom, geometry, properties: props };
  }
  const waterway = text(tags.waterway);
  if (waterway && line) {
    const big = waterway === 'river' || waterway === 'canal';
    return { layer: 'water', minzoom: big ? 10 : 13, geometry, properties: { class: big ? waterway : 'stream', ...named(tags) } };
  }
  if (area && (text(tags.natural) === 'water' || waterway === 'riverbank' || ['reservoir', 'basin'].includes(text(tags.landuse)))) {
    return { layer: 'water', minzoom: 10, geometry, properties: { class: 'water', ...named(tags) } };
  }
  const railway = text(tags.railway);
  if (railway && line && ['rail', 'subway', 'light_rail', 'tram', 'monorail', 'narrow_gauge'].includes(railway)) {
    return { layer: 'rail', minzoom: railway === 'rail' ? 10 : 12, geometry, properties: { class: railway, ...named(tags) } };
  }
  const place = text(tags.place);
  const names = named(tags);
  if (point && names.name && (place || !highway)) {
    return { layer: 'places', minzoom: PLACE_ZOOM[place] ?? 14, geometry, properties: { class: place || 'place', ...names } };
  }
  return null;
}

interface InputFeature {
  type?: string;
  properties?: Tags | null;
  geometry?: Geometry | null;
}

function fromInput(f: InputFeature): BasemapFeature | null {
  return f && f.type === 'Feature' ? classify(f.properties ?? {}, f.geometry ?? null) : null;
}

/** GeoJSON text sequence (RFC 8142, or one feature a line as osmium writes it). */
async function readSequence(file: string, out: BasemapFeature[]): Promise<void> {
  const lines = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const raw of lines) {
    n++;
    const line = (raw.startsWith('\u001e') ? raw.slice(1) : raw).trim();
    if (!line) continue;
    let f: InputFeature;
    try {
      f = JSON.parse(line) as InputFeature;
    } catch (err) {
      throw new Error(`${path.basename(file)} line ${n}: not a GeoJSON feature (${line.slice(0, 60)}…)`, { cause: err });
    }
    const b = fromInput(f);
    if (b) out.push(b);
  }
}

function readCollection(file: string, out: BasemapFeature[]): void {
  let doc: { type?: string; features?: InputFeature[] };
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof doc;
  } catch (err) {
    throw new Error(`${path.basename(file)} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (doc.type !== 'FeatureCollection' || !Array.isArray(doc.features)) throw new Error(`${path.basename(file)} is not a GeoJSON FeatureCollection`);
  for (const f of doc.features) {
    const b = fromInput(f);
    if (b) out.push(b);
  }
}

/** osmium: keep what the basemap draws (with the nodes and ways it references), then export it as GeoJSON lines. */
async function readOsmPbf(file: string, out: BasemapFeature[]): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'zhihui-basemap-'));
  try {
    const kept = path.join(tmp, 'kept.osm.pbf');
    const seq = path.join(tmp, 'features.geojsonseq');
    const filters = ['w/highway', 'w/waterway', 'nwr/natural=water', 'nwr/landuse=reservoir,basin', 'w/railway', 'n/place', 'r/type=multipolygon'];
    try {
      await run('osmium', ['tags-filter', file, ...filters, '-o', kept, '--overwrite'], { maxBuffer: 16 * 1024 * 1024 });
      await run('osmium', ['export', kept, '-f', 'geojsonseq', '-o', seq, '--overwrite'], { maxBuffer: 16 * 1024 * 1024 });
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { stderr?: string };
      if (e.code === 'ENOENT')
        throw new Error("osmium was not found: install Debian's osmium-tool (apt-get install osmium-tool) to read .osm.pbf extracts", { cause: err });
      throw new Error(`osmium could not read ${path.basename(file)}: ${(e.stderr || e.message).trim()}`, { cause: err });
    }
    await readSequence(seq, out);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

export const INPUT_KINDS = ['.osm.pbf', '.geojson', '.json', '.geojsonseq', '.geojsonl'] as const;

/** The basemap features of an input file, by its extension. */
export async function readBasemapFeatures(file: string): Promise<BasemapFeature[]> {
  const lower = file.toLowerCase();
  const kind = INPUT_KINDS.find((k) => lower.endsWith(k));
  if (!kind)
    throw new Error(
      `cannot build a basemap from ${path.basename(file)}: give an OpenStreetMap extract (.osm.pbf), a GeoJSON FeatureCollection (.geojson) or a GeoJSON sequence (.geojsonseq)`,
    );
  if (!fs.existsSync(file)) throw new Error(`no such file: ${file}`);
  if (!fs.statSync(file).isFile()) throw new Error(`not a file: ${file}`);
  const out: BasemapFeature[] = [];
  if (kind === '.osm.pbf') await readOsmPbf(file, out);
  else if (kind === '.geojsonseq' || kind === '.geojsonl') await readSequence(file, out);
  else readCollection(file, out);
  return out;
}
