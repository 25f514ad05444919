import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import gcoord from 'gcoord';
import type pg from 'pg';

const DATA_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'data', 'chengdu-510100-districts.gcj02.geojson');
export const DISTRICT_SOURCE = 'Aliyun DataV GeoAtlas (via lyhmyd1211/GeoMapData_CN citys/510100.json), GCJ-02 converted to WGS84 with gcoord';

/** Chengdu's five central districts: the demo city. */
export const CENTRAL_DISTRICTS: Record<string, string> = {
  '510104': 'Jinjiang',
  '510105': 'Qingyang',
  '510106': 'Jinniu',
  '510107': 'Wuhou',
  '510108': 'Chenghua',
};

interface DistrictFeature {
  type: 'Feature';
  properties: { adcode: number | string; name: string };
  geometry: { type: 'MultiPolygon' | 'Polygon'; coordinates: unknown };
}

/** The central districts, converted GCJ-02 → WGS84 at the boundary, as the database stores them. */
export function loadCentralDistricts(): { adcode: string; name: string; nameEn: string; geometry: DistrictFeature['geometry'] }[] {
  const collection = JSON.parse(fs.readFileSync(DATA_FILE, 'utf8')) as { features: DistrictFeature[] };
  return collection.features
    .filter((f) => String(f.properties.adcode) in CENTRAL_DISTRICTS)
    .map((f) => {
      const adcode = String(f.properties.adcode);
      const geometry = gcoord.transform(structuredClone(f.geometry) as never, gcoord.GCJ02, gcoord.WGS84) as unknown as DistrictFeature['geometry'];
      return { adcode, name: f.properties.name, nameEn: CENTRAL_DISTRICTS[adcode]!, geometry };
    });
}

export async function insertDistricts(client: pg.PoolClient): Promise<number> {
  const districts = loadCentralDistricts();
  for (const d of districts) {
    await client.query(
      `INSERT INTO districts (adcode, name, name_en, boundary, source)
       VALUES ($1, $2, $3, ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON($4), 4326)), 3)), $5)`,
      [d.adcode, d.name, d.nameEn, JSON.stringify(d.geometry), DISTRICT_SOURCE],
    );
  }
  return districts.length;
}
