import gcoord from 'gcoord';
import type pg from 'pg';
import { KEY_AREAS } from './data/key-areas.gcj02.ts';

export async function insertKeyAreas(client: pg.PoolClient): Promise<number> {
  for (const a of KEY_AREAS) {
    const ring = a.ring.map((p) => gcoord.transform(p, gcoord.GCJ02, gcoord.WGS84) as [number, number]);
    const polygon = { type: 'Polygon', coordinates: [[...ring, ring[0]]] };
    await client.query(
      `INSERT INTO key_areas (name, name_en, level, kind, geom, listed_on, delisted_on, priority_boost, complaint_baseline)
       VALUES ($1, $2, $3, $4, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($5), 4326)), $6, $7, $8, $9)`,
      [a.name, a.nameEn, a.level, a.kind, JSON.stringify(polygon), a.listedOn, a.delistedOn ?? null, a.priorityBoost, a.complaintBaseline],
    );
  }
  return KEY_AREAS.length;
}
