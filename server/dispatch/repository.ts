import type pg from 'pg';
import { FIX_USABLE_MINUTES } from '#shared/position-fix.ts';
import {
  accessSeconds,
  ETA_POOL,
  estimateSeconds,
  MAX_ACCESS_METERS,
  RIDE_MPS,
  travelModeOf,
  type TravelMode,
  WALK_MPS,
} from '#shared/dispatch/travel-speeds.ts';
import { isCertified } from '#shared/workforce.ts';
import type { Queryable } from '../db/transaction.ts';
import type { RoadNetwork } from './road-network.ts';

export type { Candidate } from '#shared/cases/contract.ts';
import type { Candidate } from '#shared/cases/contract.ts';

/** Positions older than this are not trusted for recommending (Resgrid/TicketsCAD practice): shared/position-fix.ts. */
export const FRESH_POSITION_MINUTES = FIX_USABLE_MINUTES;

/**
 * Available officers nearest a point by KNN on the GiST index (constant point, ORDER BY <->), the
 * responsible squad's first. Two index scans, each bounded by the pool size; distances are on the spheroid.
 * `district`: only officers of that district's squads (a district-scoped dispatcher); null = any.
 * `certified` is {@link isCertified} on the row, the rule the dispatch step checks (kind and expiry),
 * so the console never offers as certified an officer the step then refuses.
 *
 * Then the travel time: the nearest ETA_POOL (or `limit`, if more) are routed on the road network
 * where the database has pgRouting and a network is loaded ({@link networkSeconds}), each by their
 * mode (shared/dispatch/travel-speeds.ts), and the list is re-ranked by it within the responsible
 * squad and the rest; elsewhere, and for an officer or a case beyond the loaded roads, the ETA is the
 * straight-line estimate (etaMethod 'estimate').
 */
export async function recommend(
  db: Queryable,
  point: { lon: number; lat: number },
  responsibleSquadId: number | null,
  limit: number,
  district: string | null = null,
  /** false: estimates only, never routed (the bench's KNN-only figure) */
  route = true,
): Promise<Candidate[]> {
  const pool = Math.max(limit, ETA_POOL);
  const res = await db.query<
    Omit<Candidate, 'certified' | 'travelMode' | 'etaSeconds' | 'etaMethod'> & {
      certificateExpires: string | null;
      equipment: string[];
      lon: number;
      lat: number;
    }
  >(
    `
    WITH p AS (SELECT ST_SetSRID(ST_MakePoint($1, $2), 4326) AS g),
    pool AS (
      (SELECT o.*, true AS responsible FROM officers o
        WHERE $3::int IS NOT NULL AND o.squad_id = $3 AND o.duty_status = 'available'
          AND o.position_at > app_now() - make_interval(mins => $5)
          AND ($6::text IS NULL OR o.squad_id IN (SELECT id FROM squads WHERE district_adcode = $6))
        ORDER BY o.position <-> (SELECT g FROM p) LIMIT $4)
      UNION ALL
      (SELECT o.*, false FROM officers o
        WHERE o.duty_status = 'available' AND o.position_at > app_now() - make_interval(mins => $5)
          AND ($6::text IS NULL OR o.squad_id IN (SELECT id FROM squads WHERE district_adcode = $6))
        ORDER BY o.position <-> (SELECT g FROM p) LIMIT $4)
    )
    SELECT DISTINCT ON (c.id) c.id AS "officerId", c.name, c.kind, c.certificate_expires AS "certificateExpires", c.squad_id AS "squadId",
           s.name AS "squadName", c.duty_status AS "dutyStatus",
           round(ST_Distance(c.position::geography, (SELECT g FROM p)::geography)::numeric, 1) AS meters,
           to_char(c.position_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "positionAt",
           c.squad_id = $3 AS "responsibleSquad", c.equipment, ST_X(c.position) AS lon, ST_Y(c.position) AS lat
    FROM pool c JOIN squads s ON s.id = c.squad_id
    ORDER BY c.id, c.responsible DESC`,
    [point.lon, point.lat, responsibleSquadId, pool, FRESH_POSITION_MINUTES, district],
  );
  const rows = res.rows.map(({ certificateExpires, equipment, lon, lat, ...c }) => {
    const travelMode = travelModeOf(equipment);
    return {
      candidate: {
        ...c,
        meters: Number(c.meters),
        certified: isCertified({ kind: c.kind, certificateExpires }),
        travelMode,
        etaSeconds: estimateSeconds(Number(c.meters), travelMode),
        etaMethod: 'estimate' as Candidate['etaMethod'],
      },
      lon,
      lat,
    };
  });
  if (route && rows.length > 0 && (await routingReady(db))) {
    const routed = await networkSeconds(
      db,
      point,
      rows.map((r) => ({ key: r.candidate.officerId, lon: r.lon, lat: r.lat, mode: r.candidate.travelMode })),
    );
    for (const r of rows) {
      const s = routed.get(r.candidate.officerId);
      if (s !== undefined) Object.assign(r.candidate, { etaSeconds: s, etaMethod: 'network' });
    }
  }
  return rows
    .map((r) => r.candidate)
    .sort((a, b) => Number(b.responsibleSquad) - Number(a.responsibleSquad) || a.etaSeconds - b.etaSeconds || a.meters - b.meters || a.officerId - b.officerId)
    .slice(0, limit);
}

/** Whether travel times can be routed here: pgRouting installed and a road network loaded. */
export async function routingReady(db: Queryable): Promise<boolean> {
  const r = await db.query<{ ready: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pgrouting') AND EXISTS (SELECT 1 FROM road_nodes WHERE routable) AS ready`,
  );
  return r.rows[0]?.ready ?? false;
}

/** pgRouting's edge query per travel mode: seconds each way (-1 closed). Cars and bikes keep one-ways, walkers do not. */
const EDGES_SQL: Readonly<Record<TravelMode, string>> = {
  drive: 'SELECT id, source, target, cost, reverse_cost FROM road_edges',
  ride: `SELECT id, source, target, length_m / ${RIDE_MPS} AS cost, CASE WHEN oneway THEN -1 ELSE length_m / ${RIDE_MPS} END AS reverse_cost FROM road_edges`,
  walk: `SELECT id, source, target, length_m / ${WALK_MPS} AS cost, length_m / ${WALK_MPS} AS reverse_cost FROM road_edges`,
};

/**
 * Door-to-door seconds on the road network from each start to `to`, for the starts it can route:
 * each start and the case are snapped to their nearest routable junction (KNN), the legs to those
 * junctions go at the mode's access speed, and the junction-to-junction part is one many-to-one
 * pgr_dijkstraCost per mode present (a start nearest the case's own junction: the straight leg between
 * them at access speed). A start (or the case) further than MAX_ACCESS_METERS from the
 * network, or with no route, is left out: its ETA stays the estimate. Needs pgRouting ({@link routingReady}).
 */
export async function networkSeconds(
  db: Queryable,
  to: { lon: number; lat: number },
  starts: { key: number; lon: number; lat: number; mode: TravelMode }[],
): Promise<Map<number, number>> {
  const res = await db.query<{
    key: number;
    mode: TravelMode;
    accessM: number;
    caseAccessM: number;
    directM: number;
    sameJunction: boolean;
    routeS: number | null;
  }>(
    `
    WITH p AS (SELECT ST_SetSRID(ST_MakePoint($1, $2), 4326) AS g),
    c AS (
      SELECT n.id, ST_Distance(n.geom::geography, p.g::geography) AS access_m
      FROM p CROSS JOIN LATERAL (SELECT id, geom FROM road_nodes WHERE routable ORDER BY geom <-> p.g LIMIT 1) n
      WHERE ST_Distance(n.geom::geography, p.g::geography) <= $10),
    o AS (
      SELECT s.key, s.mode, n.id AS node, ST_Distance(n.geom::geography, s.g::geography) AS access_m,
             ST_Distance(s.g::geography, (SELECT g FROM p)::geography) AS direct_m
      FROM (SELECT key, mode, ST_SetSRID(ST_MakePoint(lon, lat), 4326) AS g FROM unnest($3::int[], $4::float8[], $5::float8[], $6::text[]) AS u(key, lon, lat, mode)) s
      CROSS JOIN LATERAL (SELECT id, geom FROM road_nodes WHERE routable ORDER BY geom <-> s.g LIMIT 1) n
      WHERE ST_Distance(n.geom::geography, s.g::geography) <= $10),
    starts AS (SELECT o.mode, array_agg(DISTINCT o.node) AS nodes FROM o, c WHERE o.node <> c.id GROUP BY o.mode),
    r AS (
      SELECT s.mode, d.start_vid, d.agg_cost FROM starts s, c, pgr_dijkstraCost($7, s.nodes, c.id, true) d WHERE s.mode = 'drive'
      UNION ALL
      SELECT s.mode, d.start_vid, d.agg_cost FROM starts s, c, pgr_dijkstraCost($8, s.nodes, c.id, true) d WHERE s.mode = 'ride'
      UNION ALL
      SELECT s.mode, d.start_vid, d.agg_cost FROM starts s, c, pgr_dijkstraCost($9, s.nodes, c.id, true) d WHERE s.mode = 'walk')
    SELECT o.key, o.mode, o.access_m AS "accessM", c.access_m AS "caseAccessM", o.direct_m AS "directM", o.node = c.id AS "sameJunction", r.agg_cost AS "routeS"
    FROM o CROSS JOIN c LEFT JOIN r ON r.mode = o.mode AND r.start_vid = o.node`,
    [
      to.lon,
      to.lat,
      starts.map((s) => s.key),
      starts.map((s) => s.lon),
      starts.map((s) => s.lat),
      starts.map((s) => s.mode),
      EDGES_SQL.drive,
      EDGES_SQL.ride,
      EDGES_SQL.walk,
      MAX_ACCESS_METERS,
    ],
  );
  const out = new Map<number, number>();
  for (const r of res.rows) {
    // officer and case nearest the same junction: both are in its side streets, one leg between them
    if (r.sameJunction) out.set(r.key, Math.round(accessSeconds(r.directM, r.mode)));
    else if (r.routeS !== null) out.set(r.key, Math.round(accessSeconds(r.accessM, r.mode) + Number(r.routeS) + accessSeconds(r.caseAccessM, r.mode)));
  }
  return out;
}

const wkt = (cs: [number, number][]) => `LINESTRING(${cs.map(([x, y]) => `${x} ${y}`).join(',')})`;

/** Puts `net` in place of the loaded road network (in the caller's transaction). */
export async function replaceRoadNetwork(db: Queryable, net: RoadNetwork): Promise<void> {
  await db.query(`DELETE FROM road_edges`);
  await db.query(`DELETE FROM road_nodes`);
  await db.query(
    `INSERT INTO road_nodes (id, geom, routable)
     SELECT id, ST_SetSRID(ST_MakePoint(lon, lat), 4326), routable FROM unnest($1::bigint[], $2::float8[], $3::float8[], $4::bool[]) AS t(id, lon, lat, routable)`,
    [net.nodes.map((n) => n.id), net.nodes.map((n) => n.lon), net.nodes.map((n) => n.lat), net.nodes.map((n) => n.routable)],
  );
  const e = net.edges;
  await db.query(
    `INSERT INTO road_edges (id, source, target, cost, reverse_cost, length_m, oneway, highway, name, lanes, source_ids, geom)
     SELECT id, source, target, cost, reverse_cost, length_m, oneway, highway, name, lanes,
            ARRAY(SELECT jsonb_array_elements_text(ids::jsonb)), ST_GeomFromText(wkt, 4326)
     FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::float8[], $5::float8[], $6::float8[], $7::bool[], $8::text[], $9::text[], $10::int[], $11::text[], $12::text[])
       AS t(id, source, target, cost, reverse_cost, length_m, oneway, highway, name, lanes, ids, wkt)`,
    [
      e.map((x) => x.id),
      e.map((x) => x.source),
      e.map((x) => x.target),
      e.map((x) => x.cost),
      e.map((x) => x.reverseCost),
      e.map((x) => x.lengthM),
      e.map((x) => x.oneway),
      e.map((x) => x.highway),
      e.map((x) => x.name),
      e.map((x) => x.lanes),
      e.map((x) => JSON.stringify(x.sourceIds)),
      e.map((x) => wkt(x.coordinates)),
    ],
  );
}

export interface LockedOfficer {
  id: number;
  name: string;
  kind: 'officer' | 'auxiliary';
  dutyStatus: 'off_duty' | 'available' | 'busy';
  certificateExpires: string | null;
  /** the district of the officer's squad */
  districtAdcode: string;
  districtName: string;
}

/** Row-locks the officers in id order (so two assignments never deadlock on each other). */
export async function lockOfficers(db: Queryable, ids: number[]): Promise<LockedOfficer[]> {
  const res = await db.query<LockedOfficer>(
    `
    SELECT o.id, o.name, o.kind, o.duty_status AS "dutyStatus", o.certificate_expires AS "certificateExpires",
           s.district_adcode AS "districtAdcode", d.name AS "districtName"
    FROM officers o JOIN squads s ON s.id = o.squad_id JOIN districts d ON d.adcode = s.district_adcode
    WHERE o.id = ANY($1::int[]) ORDER BY o.id FOR UPDATE OF o`,
    [ids],
  );
  return res.rows;
}

export async function createDispatches(db: Queryable, incidentId: number, officerIds: number[], by: number): Promise<void> {
  await db.query(`INSERT INTO dispatches (incident_id, officer_id, dispatched_by) SELECT $1, unnest($2::int[]), $3`, [incidentId, officerIds, by]);
  await db.query(`UPDATE officers SET duty_status = 'busy' WHERE id = ANY($1::int[])`, [officerIds]);
}

/** Live (pending or accepted) dispatches of a case. */
export async function liveDispatches(db: Queryable, incidentId: number): Promise<{ id: number; officerId: number; state: 'pending' | 'accepted' }[]> {
  const res = await db.query<{ id: number; officerId: number; state: 'pending' | 'accepted' }>(
    `SELECT id, officer_id AS "officerId", state FROM dispatches WHERE incident_id = $1 AND state IN ('pending', 'accepted') ORDER BY id`,
    [incidentId],
  );
  return res.rows;
}

/** Ends dispatches and frees their officers (unless they went off duty meanwhile). */
export async function finishDispatches(
  db: Queryable,
  dispatchIds: number[],
  state: 'done' | 'declined' | 'timed_out' | 'cancelled',
  reason: string | null = null,
): Promise<number[]> {
  if (dispatchIds.length === 0) return [];
  const res = await db.query<{ officerId: number }>(
    `
    UPDATE dispatches SET state = $2, finished_at = app_now(), reason = coalesce($3, reason) WHERE id = ANY($1::bigint[]) RETURNING officer_id AS "officerId"`,
    [dispatchIds, state, reason],
  );
  const officerIds = res.rows.map((r) => r.officerId);
  await db.query(`UPDATE officers SET duty_status = 'available' WHERE id = ANY($1::int[]) AND duty_status = 'busy'`, [officerIds]);
  return officerIds;
}

export async function acceptDispatch(db: Queryable, dispatchId: number): Promise<void> {
  await db.query(`UPDATE dispatches SET state = 'accepted', accepted_at = app_now() WHERE id = $1`, [dispatchId]);
}

/** The officers who handled the case last, for a rework that goes back to them. */
export async function lastHandlers(db: Queryable, incidentId: number): Promise<number[]> {
  const res = await db.query<{ officerId: number }>(
    `
    SELECT officer_id AS "officerId" FROM dispatches
    WHERE incident_id = $1 AND state = 'done' AND finished_at = (SELECT max(finished_at) FROM dispatches WHERE incident_id = $1 AND state = 'done')
    ORDER BY officer_id`,
    [incidentId],
  );
  return res.rows.map((r) => r.officerId);
}

export async function responsibleSquad(db: Queryable | pg.Pool, gridCellId: number | null): Promise<number | null> {
  if (gridCellId === null) return null;
  const res = await db.query<{ squad_id: number | null }>(`SELECT squad_id FROM grid_cells WHERE id = $1`, [gridCellId]);
  return res.rows[0]?.squad_id ?? null;
}

/** What is loaded: junctions (routable ones), edges (one-way ones), and whether pgRouting is here to route on them. */
export async function roadNetworkStatus(
  db: Queryable,
): Promise<{ nodes: number; routableNodes: number; edges: number; onewayEdges: number; kilometres: number; pgrouting: string | null }> {
  const r = await db.query<{ nodes: number; routableNodes: number; edges: number; onewayEdges: number; kilometres: number; pgrouting: string | null }>(`
    SELECT (SELECT count(*)::int FROM road_nodes) AS nodes, (SELECT count(*)::int FROM road_nodes WHERE routable) AS "routableNodes",
           (SELECT count(*)::int FROM road_edges) AS edges, (SELECT count(*)::int FROM road_edges WHERE oneway) AS "onewayEdges",
           (SELECT coalesce(round((sum(length_m) / 1000)::numeric, 1), 0)::float8 FROM road_edges) AS kilometres,
           (SELECT extversion FROM pg_extension WHERE extname = 'pgrouting') AS pgrouting`);
  return r.rows[0]!;
}

/** Planner statistics for the freshly loaded network (the embedded database has no autovacuum). */
export async function analyzeRoadNetwork(db: Queryable): Promise<void> {
  await db.query(`ANALYZE road_nodes, road_edges`);
}
