import type pg from 'pg';
import { DEFAULT_RECTIFY_WORKING_DAYS, STAGE_LIMIT_WORKING_DAYS, type BuildingStage } from '#shared/buildings/stage-machine.ts';
import { computeDeadline, shanghaiDay } from '#shared/time/deadlines.ts';
import { between, pick, seededRandom } from './random.ts';

const PARTIES = ['某餐饮店', '某汽修店', '个体经营户', '某物业公司', '某小区业主', '某建材经营部', '某农贸市场商户', '某酒店', null];
const USES = ['商铺', '仓储', '住宅', '餐饮', '办公', '车棚', null];
const DAY_MS = 86_400_000;

type Path = BuildingStage | 'closed-demolished' | 'closed-rectified' | 'closed-dismissed';
// Weighted draws: stock spread over the whole workflow, most of it demolished or closed by now; new
// ones mostly still being checked (zero tolerance: found this year, a few already taken down).
const STOCK_PATHS: [Path, number][] = [
  ['discovered', 4],
  ['verified', 8],
  ['filed', 12],
  ['ordered', 20],
  ['demolished', 20],
  ['rectified', 8],
  ['closed-demolished', 20],
  ['closed-rectified', 8],
];
const NEW_PATHS: [Path, number][] = [
  ['discovered', 30],
  ['verified', 25],
  ['filed', 12],
  ['ordered', 10],
  ['demolished', 12],
  ['closed-demolished', 6],
  ['closed-dismissed', 5],
];

function weighted(rand: () => number, items: [Path, number][]): Path {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let x = rand() * total;
  for (const [p, w] of items) if ((x -= w) < 0) return p;
  return items[items.length - 1]![0];
}

/**
 * A few hundred illegal-building footprints (违法建设): rotated rectangles of shed to small-block
 * size at random spots in the districts (one per district in a key area), about a tenth new (新增),
 * spread over every stage with the dates, deadlines and demolitions (some partial, some in two goes)
 * a real register would hold at `today`, placed in their cells, streets and key areas; and this
 * year's targets per district (zero new construction). Demo data, the same on every run for a `today`.
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
  // a point inside one key area per district: where a new building sets off the alarm
  const keyAreaSpots = await client.query<{ adcode: string; lon: number; lat: number }>(
    `SELECT DISTINCT ON (d.adcode) d.adcode, ST_X(p) AS lon, ST_Y(p) AS lat
     FROM key_areas k CROSS JOIN LATERAL ST_PointOnSurface(k.geom) p JOIN districts d ON ST_Covers(d.boundary, p)
     ORDER BY d.adcode, k.id`,
  );
  const inKeyArea = new Map(keyAreaSpots.rows.map((r) => [r.adcode, r]));
  const mPerDegLon = 111_320 * Math.cos((30.66 * Math.PI) / 180);
  const mPerDegLat = 110_860;
  const todayDay = shanghaiDay(today);
  const base = Date.parse(`${todayDay}T00:00:00Z`);
  const year = Number(todayDay.slice(0, 4));
  const ago = (n: number) => new Date(base - Math.round(n) * DAY_MS).toISOString().slice(0, 10);
  // a step recorded in office hours, Beijing time (10:00 = 02:00 UTC)
  const at = (day: string) => new Date(`${day}T02:00:00Z`);
  const cols = {
    code: [] as string[],
    geom: [] as string[],
    floors: [] as number[],
    kind: [] as string[],
    stage: [] as string[],
    party: [] as (string | null)[],
    use: [] as (string | null)[],
    adcode: [] as string[],
    discovered: [] as string[],
    verified: [] as (string | null)[],
    filed: [] as (string | null)[],
    ordered: [] as (string | null)[],
    rectifyBy: [] as (string | null)[],
    rectified: [] as (string | null)[],
    closed: [] as (string | null)[],
    stageAt: [] as string[],
    stageDue: [] as (string | null)[],
    escalated: [] as (string | null)[],
    inspected: [] as (string | null)[],
    notes: [] as (string | null)[],
  };
  const dem = { code: [] as string[], on: [] as string[], share: [] as number[], first: [] as boolean[] };
  let serial = 0;
  let inDistrict = 0;
  let lastDistrict = '';
  for (const s0 of spots.rows) {
    serial++;
    inDistrict = s0.adcode === lastDistrict ? inDistrict + 1 : 0;
    lastDistrict = s0.adcode;
    const alarm = inDistrict === 3 && inKeyArea.has(s0.adcode);
    const s = alarm ? inKeyArea.get(s0.adcode)! : s0;
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
    const isNew = alarm || rand() < 0.1;
    const path: Path = alarm ? 'discovered' : weighted(rand, isNew ? NEW_PATHS : STOCK_PATHS);
    const stage: BuildingStage = path.startsWith('closed') ? 'closed' : (path as BuildingStage);
    const code = `WJ-${s.adcode}-${String(serial).padStart(4, '0')}`;

    // The steps after discovery, as day offsets from it; then the whole chain is placed so its last
    // step is `enterAgo` days before today.
    const steps: { step: string; off: number }[] = [];
    let off = 0;
    const next = (step: string, min: number, max: number) => steps.push({ step, off: (off += Math.round(between(rand, min, max))) });
    const reached = (p: Path, ...any: Path[]) => any.includes(p);
    if (reached(path, 'verified', 'filed', 'ordered', 'demolished', 'rectified', 'closed-demolished', 'closed-rectified')) next('verified', 1, 4);
    if (reached(path, 'filed', 'ordered', 'demolished', 'rectified', 'closed-demolished', 'closed-rectified')) next('filed', 2, 6);
    if (reached(path, 'ordered', 'demolished', 'rectified', 'closed-demolished', 'closed-rectified')) next('ordered', 2, 6);
    const twoGoes = reached(path, 'demolished', 'closed-demolished') && rand() < 0.3;
    if (reached(path, 'demolished', 'closed-demolished')) next('demolished', 8, 30);
    if (twoGoes) next('demolished2', 10, 60);
    if (reached(path, 'rectified', 'closed-rectified')) next('rectified', 8, 30);
    if (path === 'closed-dismissed') next('closed', 1, 4);
    else if (path.startsWith('closed')) next('closed', 3, 12);
    const active = !reached(path, 'demolished', 'closed-demolished', 'closed-rectified', 'closed-dismissed');
    // active stages entered lately (some past their due date); demolitions over this year and last,
    // so the year's progress has a history
    // (a quarter of the active ones have waited past their limit; a partly demolished one is mostly recent)
    const recent = rand() < 0.75;
    const enterAgo = alarm
      ? between(rand, 1, 6)
      : active
        ? recent
          ? between(rand, 0, 3)
          : between(rand, 8, 40)
        : isNew
          ? between(rand, 2, 40)
          : path === 'demolished'
            ? recent
              ? between(rand, 2, 12)
              : between(rand, 15, 330)
            : between(rand, 3, 600);
    const last = steps.length ? steps[steps.length - 1]!.off : 0;
    const dayOf = (o: number) => ago(enterAgo + last - o);
    const stepDay = (name: string) => {
      const f = steps.find((x) => x.step === name);
      return f ? dayOf(f.off) : null;
    };
    // stock was on the register (the baseline survey) long before its steps; new is found where the chain starts
    const discovered = isNew ? dayOf(0) : ago(Math.max(enterAgo + last, 200) + between(rand, 0, 1500));
    const stageAt = at(dayOf(last));
    const ordered = stepDay('ordered');
    const rectifyBy = ordered ? shanghaiDay(computeDeadline(at(ordered), DEFAULT_RECTIFY_WORKING_DAYS, 'working_days')) : null;
    const limit = STAGE_LIMIT_WORKING_DAYS[stage];
    let stageDue: Date | null = null;
    if (stage === 'ordered' && rectifyBy) stageDue = new Date(`${rectifyBy}T10:00:00Z`);
    else if (limit !== null) stageDue = computeDeadline(stageAt, limit, 'working_days');
    const d1 = stepDay('demolished');
    if (d1) {
      // partial while still 拆除 (the rest to come), all of it when closed
      const share = path === 'closed-demolished' ? between(rand, 0.9, 1) : between(rand, 0.3, 0.95);
      const firstShare = twoGoes ? share * between(rand, 0.4, 0.7) : share;
      dem.code.push(code);
      dem.on.push(d1);
      dem.share.push(firstShare);
      dem.first.push(true);
      if (twoGoes) {
        dem.code.push(code);
        dem.on.push(stepDay('demolished2')!);
        dem.share.push(share - firstShare);
        dem.first.push(false);
      }
    }
    const standing = stage !== 'closed';
    cols.code.push(code);
    cols.geom.push(JSON.stringify({ type: 'Polygon', coordinates: [[...corners, corners[0]]] }));
    cols.floors.push(1 + Math.floor(rand() ** 2 * 4));
    cols.kind.push(isNew ? 'new' : 'stock');
    cols.stage.push(stage);
    cols.party.push(pick(rand, PARTIES));
    cols.use.push(pick(rand, USES));
    cols.adcode.push(s.adcode);
    cols.discovered.push(discovered);
    cols.verified.push(stepDay('verified'));
    cols.filed.push(stepDay('filed'));
    cols.ordered.push(ordered);
    cols.rectifyBy.push(rectifyBy);
    cols.rectified.push(stepDay('rectified'));
    cols.closed.push(stepDay('closed'));
    cols.stageAt.push(stageAt.toISOString());
    cols.stageDue.push(stageDue?.toISOString() ?? null);
    // every new one found this year is escalated (督办): the demo districts allow no new construction
    cols.escalated.push(isNew && discovered.startsWith(String(year)) ? new Date(at(discovered).getTime() + 3_600_000).toISOString() : null);
    // stock still standing was last patrolled up to four months ago: some are past their cycle
    cols.inspected.push(!isNew && standing ? [ago(between(rand, 0, 130))].map((d) => (d < discovered ? discovered : d))[0]! : null);
    cols.notes.push(path === 'closed-dismissed' ? '核查不实：已取得规划许可 (dismissed: permitted)' : null);
  }
  const res = await client.query(
    `INSERT INTO illegal_buildings (code, geom, area_m2, floors, kind, stage, party, use, district_adcode, discovered_on, verified_on, filed_on,
                                    ordered_on, rectify_by, rectified_on, closed_on, stage_at, stage_due, escalated_at, last_inspected_on, notes,
                                    declared_area_m2)
     SELECT code, g, ST_Area(g::geography), floors, kind, stage, party, use, adcode, discovered::date, verified::date, filed::date,
            ordered::date, rectify_by::date, rectified::date, closed::date, stage_at::timestamptz, stage_due::timestamptz, escalated::timestamptz,
            inspected::date, notes, round(ST_Area(g::geography)::numeric, -1)
     FROM (
       SELECT *, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(geom), 4326)) AS g
       FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
                   $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[], $19::text[], $20::text[])
         AS t(code, geom, floors, kind, stage, party, use, adcode, discovered, verified, filed, ordered, rectify_by, rectified, closed,
              stage_at, stage_due, escalated, inspected, notes)
     ) x`,
    [
      cols.code,
      cols.geom,
      cols.floors,
      cols.kind,
      cols.stage,
      cols.party,
      cols.use,
      cols.adcode,
      cols.discovered,
      cols.verified,
      cols.filed,
      cols.ordered,
      cols.rectifyBy,
      cols.rectified,
      cols.closed,
      cols.stageAt,
      cols.stageDue,
      cols.escalated,
      cols.inspected,
      cols.notes,
    ],
  );
  // Placed as a case is: the cell (and its street) under a point of the footprint, every key area it meets.
  await client.query(
    `UPDATE illegal_buildings b SET grid_cell_id = c.id, street_code = coalesce(c.street, s.code),
            key_area_ids = array(SELECT k.id FROM key_areas k WHERE ST_Intersects(k.geom, b.geom) ORDER BY k.id)
     FROM illegal_buildings b0
       CROSS JOIN LATERAL ST_PointOnSurface(b0.geom) p
       LEFT JOIN LATERAL (SELECT g.id, left(g.code, 9) AS street FROM grid_cells g
                          WHERE g.valid_to IS NULL AND ST_Covers(g.geom, p) ORDER BY g.id LIMIT 1) c ON true
       LEFT JOIN LATERAL (SELECT st.code FROM streets st WHERE ST_Covers(st.boundary, p) LIMIT 1) s ON true
     WHERE b.id = b0.id AND b.code = ANY($1::text[])`,
    [cols.code],
  );
  // Each go of a demolition, placed where and by whom it was done (the cell's squad).
  await client.query(
    `INSERT INTO building_demolitions (building_id, demolished_on, area_m2, kind, first, district_adcode, street_code, squad_id, recorded_at)
     SELECT b.id, t.on_::date, round((b.area_m2 * b.floors * t.share)::numeric, 2), b.kind, t.first, b.district_adcode, b.street_code, g.squad_id,
            t.on_::date + time '18:00' - interval '8 hours'
     FROM unnest($1::text[], $2::text[], $3::float8[], $4::bool[]) AS t(code, on_, share, first)
       JOIN illegal_buildings b ON b.code = t.code LEFT JOIN grid_cells g ON g.id = b.grid_cell_id
     ORDER BY t.on_, b.id`,
    [dem.code, dem.on, dem.share, dem.first],
  );
  await client.query(
    `UPDATE illegal_buildings b SET demolished_area_m2 = d.m2, demolished_on = d.first_on
     FROM (SELECT building_id, sum(area_m2) AS m2, min(demolished_on) AS first_on FROM building_demolitions GROUP BY 1) d
     WHERE d.building_id = b.id`,
  );
  // This year's targets: a little above what the districts have done so far (the year is not over),
  // and no new construction (零增长).
  await client.query(
    `INSERT INTO building_targets (district_adcode, year, stock_demolish_m2, stock_demolish_count, new_max)
     SELECT d.adcode, $1, greatest(1000, ceil(coalesce(x.m2, 0) * 1.2 / 500) * 500), greatest(3, ceil(coalesce(x.n, 0) * 1.2)), 0
     FROM districts d LEFT JOIN (
       SELECT district_adcode, sum(area_m2) AS m2, count(*) FILTER (WHERE first) AS n FROM building_demolitions
       WHERE kind = 'stock' AND demolished_on >= make_date($1, 1, 1) AND demolished_on < make_date($1 + 1, 1, 1) GROUP BY 1
     ) x ON x.district_adcode = d.adcode
     ON CONFLICT (district_adcode, year) DO NOTHING`,
    [year],
  );
  return res.rowCount ?? 0;
}
