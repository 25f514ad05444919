// The basemap pipeline: features from the input (features.ts), vector tiles (tiler.ts), a PMTiles v3
// archive (pmtiles-writer.ts) and the glyphs of its labels (glyphs.ts), all under `<DATA_DIR>/basemap`.
import fs from 'node:fs';
import path from 'node:path';
import { buildGlyphs, findCjkFont } from './glyphs.ts';
import { readBasemapFeatures } from './features.ts';
import { BASEMAP_MAX_ZOOM, BASEMAP_MIN_ZOOM, boundsOf, tileBasemap } from './tiler.ts';
import { writePmtiles } from './pmtiles-writer.ts';
import type { BasemapMetadata } from '#shared/basemap-style.ts';

export const ARCHIVE_NAME = 'basemap.pmtiles';
export const FONTS_DIR = 'fonts';
export const OSM_CREDIT = '© OpenStreetMap contributors';

export const basemapDir = (dataDir: string) => path.join(dataDir, 'basemap');
export const archivePath = (dataDir: string) => path.join(basemapDir(dataDir), ARCHIVE_NAME);

export interface BuildOptions {
  /** what the map must credit; default: OpenStreetMap's contributors */
  attribution?: string;
  /** shown with the map, e.g. that the basemap covers only part of the city */
  note?: { zh: string; en: string } | null;
  /** a font file instead of fontconfig's choice */
  font?: string;
}

export interface BuildResult {
  archive: string;
  bytes: number;
  tiles: number;
  features: Record<string, number>;
  glyphRanges: number;
  glyphBytes: number;
  fontstack: string;
  ms: number;
}

/** Builds `<dataDir>/basemap/basemap.pmtiles` and its glyphs from an .osm.pbf, .geojson or .geojsonseq file. */
export async function buildBasemap(input: string, dataDir: string, opts: BuildOptions = {}): Promise<BuildResult> {
  const started = performance.now();
  const features = await readBasemapFeatures(input);
  const bounds = boundsOf(features);
  if (!bounds) throw new Error(`${path.basename(input)} has no roads, water, railways or named places to draw`);
  const font = await findCjkFont(opts.font);
  const { tiles, counts } = tileBasemap(features, bounds);
  const dir = basemapDir(dataDir);
  fs.mkdirSync(dir, { recursive: true });
  const labels = features.flatMap((f) => [f.properties.name, f.properties.name_en, f.properties.ref].filter((v): v is string => typeof v === 'string'));
  // glyphs first: the archive's arrival says the basemap is complete
  const glyphs = await buildGlyphs(path.join(dir, FONTS_DIR), font, labels);
  const metadata: BasemapMetadata = {
    name: 'Zhihui basemap',
    format: 'pbf',
    attribution: opts.attribution ?? OSM_CREDIT,
    note: opts.note ?? null,
    fontstack: glyphs.fontstack,
    glyphRanges: glyphs.ranges,
    source: path.basename(input),
    built: new Date().toISOString(),
    vector_layers: (['roads', 'water', 'rail', 'places'] as const)
      .filter((id) => counts[id] > 0)
      .map((id) => ({ id, minzoom: BASEMAP_MIN_ZOOM, maxzoom: BASEMAP_MAX_ZOOM, fields: { name: 'String', name_en: 'String', class: 'String' } })),
  };
  const file = archivePath(dataDir);
  const center: [number, number, number] = [(bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2, 14];
  const bytes = writePmtiles(file, tiles, { minZoom: BASEMAP_MIN_ZOOM, maxZoom: BASEMAP_MAX_ZOOM, bounds, center, metadata });
  return {
    archive: file,
    bytes,
    tiles: tiles.length,
    features: counts,
    glyphRanges: glyphs.ranges.length,
    glyphBytes: glyphs.bytes,
    fontstack: glyphs.fontstack,
    ms: performance.now() - started,
  };
}
