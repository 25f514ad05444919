import type pg from 'pg';
import { between, pick, seededRandom } from './random.ts';

const PARTIES = ['某餐饮店', '某汽修店', '个体经营户', '某物业公司', '某小区业主', '某建材经营部', '某农贸市场商户', '某酒店', null];
const STAGES = ['discovered', 'filed', 'ordered', 'demolished', 'closed'] as const;

/**
 * A few hundred illegal-building footprints (违法建设): rotated rectangles of shed to small-block
 * size at random spots in the districts; about a third new (新增), the rest stock (存量), spread over
 * the stages from discovery to closing. Demo data.
 */
export async function insertIllegalBuildings(client: pg.PoolClient, perDistrict: number, today: Date): Promise<number> {
  const rand = seededRandom(510199);
  const spots = await client.query<{ adcode: string; lon: number; lat: number }>(
    `
    SELECT d.adcode, ST_X(p.geom) AS lon, ST_Y(p.geom) AS lat
    FROM districts d CROSS JOIN LATERAL ST_Dump(ST_GeneratePoints(d.boundary, $1, 4242)) p
    ORDER BY d.adcode, p.path[1]`,
    [perDistrict],
  );
  const mPerDegLon = 111_320 * Math.cos((30.66 * Math.PI) / 180);
  const mPerDegLat = 110_860;
  const rows = {
    code: [] as string[],
    geom: [] as string[],
    floors: [] as number[],
    kind: [] as string[],
    stage: [] as string[],
    party: [] as (string | null)[],
    demolishedShare: [] as number[],
    adcode: [] as string[],
    discovered: [] as string[],
    filed: [] as (string | null)[],
    rectifyBy: [] as (string | null)[],
    demolished: [] as (string | null)[],
    closed: [] as (string | null)[],
  };
  const day = (d: Date, plus: number) => new Date(d.getTime() + plus * 86_400_000).toISOString().slice(0, 10);
  let serial = 0;
  for (const s of spots.rows) {
    serial++;
    const w = between(rand, 6, 40);
    const h = between(rand, 5, 25);
    const angle = rand() * Math.PI;
    const corners = [
      [-w / 2, -h / 2],
      [w / 2, -h / 2],
      [w / 2, h / 2],
      [-w / 2, h / 2],
    ].map(([x, y]) => {
      const rx = x! * Math.cos(angle) - y! * Math.sin(angle);
      const ry = x! * Math.sin(angle) + y! * Math.cos(angle);
      return [s.lon + rx / mPerDegLon, s.lat + ry / mPerDegLat];
    });
    const isNew = rand() < 0.35;
    const stage = isNew ? pick(rand, STAGES.slice(0, 4)) : pick(rand, STAGES);
    const stageIdx = STAGES.indexOf(stage);
    const discovered = new Date(today.getTime() - (isNew ? between(rand, 1, 90) : between(rand, 200, 2400)) * 86_400_000);
    rows.code.push(`WJ-${s.adcode}-${String(serial).padStart(4, '0')}`);
    rows.geom.push(JSON.stringify({ type: 'Polygon', coordinates: [[...corners, corners[0]]] }));
    rows.floors.push(1 + Math.floor(rand() ** 2 * 4));
    rows.kind.push(isNew ? 'new' : 'stock');
    rows.stage.push(stage);
    rows.party.push(pick(rand, PARTIES));
    rows.demolishedShare.push(stageIdx >= 3 ? between(rand, 0.6, 1) : 0);
    rows.adcode.push(s.adcode);
    rows.discovered.push(day(discovered, 0));
    rows.filed.push(stageIdx >= 1 ? day(discovered, 3) : null);
    rows.rectifyBy.push(stageIdx >= 2 ? day(discovered, 33) : null);
    rows.demolished.push(stageIdx >= 3 ? day(discovered, 30) : null);
    rows.closed.push(stageIdx >= 4 ? day(discovered, 40) : null);
  }
  const res = await client.query(
    `INSERT INTO illegal_buildings (code, geom, area_m2, floors, kind, stage, party, demolished_area_m2, district_adcode,
                                    discovered_on, filed_on, rectify_by, demolished_on, closed_on)
     SELECT code, g, ST_Area(g::geography), floors, kind, stage, party, round((ST_Area(g::geography) * floors * share)::numeric, 2),
            adcode, discovered::date, filed::date, rectify_by::date, demolished::date, closed::date
     FROM (
       SELECT *, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(geom), 4326)) AS g
       FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::float8[], $8::text[], $9::text[],
                   $10::text[], $11::text[], $12::text[], $13::text[])
         AS t(code, geom, floors, kind, stage, party, share, adcode, discovered, filed, rectify_by, demolished, closed)
     ) x`,
    [
      rows.code,
      rows.geom,
      rows.floors,
      rows.kind,
      rows.stage,
      rows.party,
      rows.demolishedShare,
      rows.adcode,
      rows.discovered,
      rows.filed,
      rows.rectifyBy,
      rows.demolished,
      rows.closed,
    ],
  );
  return res.rowCount ?? 0;
}
