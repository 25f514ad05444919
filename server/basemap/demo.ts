// The demo city's basemap: the OpenStreetMap roads of south-central Chengdu shipped in server/seed/data,
// through the same pipeline as `npm run basemap`, built once into a DATA_DIR that has none.
import fs from 'node:fs';
import { ROADS_FILE } from '../seed/osm-roads.ts';
import { archivePath, buildBasemap, type BuildResult } from './build.ts';

export const DEMO_BASEMAP_NOTE = { zh: '演示底图仅覆盖成都市南部局部', en: 'demo basemap covers part of south-central Chengdu' };

/** Builds the demo basemap unless `<dataDir>/basemap` already has an archive; null when it had. */
export async function ensureDemoBasemap(dataDir: string): Promise<BuildResult | null> {
  if (fs.existsSync(archivePath(dataDir))) return null;
  return buildBasemap(ROADS_FILE, dataDir, { note: DEMO_BASEMAP_NOTE });
}
