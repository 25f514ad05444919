// The bench city for bench/console.ts: the demo city grown to OFFICERS officers on duty with a
// position and CASES open cases in every open state, written in bulk with SQL (generate_series),
// respecting every constraint and shaped so that the API (GET /api/incidents, /api/events,
// /api/officers) and the console read them exactly as they read cases made through the service.
import type pg from 'pg';

export interface BenchCity {
  /** officers on duty (available or busy) with a position */
  onDuty: number;
  /** officers with a position (the officers layer: on and off duty) */
  onMap: number;
  /** open cases (not closed or voided) the city-wide dispatcher sees */
  open: number;
  byState: Record<string, number>;
  overdue: number;
  events: number;
  liveDispatches: number;
  ms: number;
}

/** Cases in open states, per 20: reported 3, registered 6, dispatched 2, accepted 1, on scene 1, handled 4, suspended 3. */
const STATE_PATTERN = [
  'reported',
  'registered',
  'handled',
  'registered',
  'suspended',
  'dispatched',
  'registered',
  'reported',
  'handled',
  'accepted',
  'registered',
  'suspended',
  'reported',
  'handled',
  'on_scene',
  'registered',
  'dispatched',
  'registered',
  'handled',
  'suspended',
];
const LIVE = `('dispatched', 'accepted', 'on_scene')`;

export async function growCity(pool: pg.Pool, opts: { officers: number; cases: number; dispatcherId: number }): Promise<BenchCity> {
  const started = performance.now();
  const count = async (sql: string, params: unknown[] = []) => (await pool.query<{ n: number }>(sql, params)).rows[0]!.n;

  // ---- officers: on duty, spread over the city (a prime stride through the grid), in the squad
  // responsible for the cell they stand in; 3 in 5 certified (执法证), the rest auxiliaries.
  const have = await count(`SELECT count(*)::int AS n FROM officers WHERE duty_status <> 'off_duty' AND position IS NOT NULL`);
  await pool.query(
    `
    WITH cells AS (
      SELECT g.geom, g.squad_id, row_number() OVER (ORDER BY g.id) AS rn
      FROM grid_cells g WHERE g.squad_id IS NOT NULL AND g.valid_to IS NULL),
    k AS (SELECT count(*) AS n FROM cells)
    INSERT INTO officers (name, squad_id, kind, certificate_no, certificate_expires, duty_status, position, position_at, equipment, phone)
    SELECT '压测队员' || lpad(i::text, 5, '0'), c.squad_id,
           CASE WHEN i % 5 < 3 THEN 'officer' ELSE 'auxiliary' END,
           CASE WHEN i % 5 < 3 THEN 'BENCH-' || lpad(i::text, 6, '0') END,
           CASE WHEN i % 5 < 3 THEN date '2030-12-31' END,
           'available', ST_PointOnSurface(c.geom), now() - make_interval(secs => i % 50),
           CASE WHEN i % 5 < 3 THEN ARRAY['执法记录仪', '手持终端'] ELSE ARRAY['对讲机'] END, NULL
    FROM generate_series(1, $1::int) i CROSS JOIN k JOIN cells c ON c.rn = 1 + (i::bigint * 7919) % k.n`,
    [Math.max(0, opts.officers - have)],
  );

  // Officers a live dispatch can go to (certified, so enforcement categories are allowed too).
  const certified = await count(`SELECT count(*)::int AS n FROM officers WHERE kind = 'officer' AND duty_status = 'available' AND position IS NOT NULL`);

  // ---- cases: states by a fixed pattern; live cases (dispatched/accepted/on scene) only as many as
  // there are certified officers to hold their dispatches (one live dispatch per officer), the rest
  // stay registered. Times are consistent with the state: a pending dispatch is minutes old (within
  // the acceptance time-out), every stamp is in the past, deadlines follow the category's limit and
  // a case past its deadline is marked overdue and escalated as the clock would have done.
  await pool.query(
    `
    WITH cats AS (
      SELECT array_agg(c.id ORDER BY c.minor_code) AS ids
      FROM categories c JOIN category_catalogs v ON v.version = c.catalog_version AND v.is_current),
    cells AS (SELECT g.id, g.code, g.district_adcode, g.geom, row_number() OVER (ORDER BY g.id) AS rn FROM grid_cells g WHERE g.valid_to IS NULL),
    k AS (SELECT count(*) AS n FROM cells),
    planned AS (SELECT i, ($3::text[])[1 + i % array_length($3::text[], 1)] AS intended FROM generate_series(1, $1::int) i),
    capped AS (
      SELECT i, CASE WHEN intended IN ${LIVE} AND row_number() OVER (PARTITION BY intended IN ${LIVE} ORDER BY i) > $4 THEN 'registered' ELSE intended END AS state
      FROM planned),
    timed AS (
      SELECT i, state, now() - make_interval(secs => i % 60) - make_interval(mins => CASE state
          WHEN 'reported' THEN 1 + (i * 7919) % 240
          WHEN 'dispatched' THEN 6 + i % 8
          WHEN 'accepted' THEN 25 + (i * 7919) % 600
          WHEN 'on_scene' THEN 25 + (i * 7919) % 600
          ELSE 65 + (i * 7919) % 10080 END) AS reported_at
      FROM capped),
    rows AS (
      SELECT t.i, t.state, t.reported_at, c.id AS category_id, c.catalog_version, c.base_priority, g.id AS cell_id, g.code AS cell_code,
             g.district_adcode, pt.p,
             t.reported_at + CASE c.time_type
               WHEN 'emergency_hours' THEN c.time_limit * interval '1 hour'
               WHEN 'working_hours' THEN c.time_limit * interval '1 hour'
               WHEN 'working_days' THEN c.time_limit * interval '1 day' * 7 / 5
               ELSE c.time_limit * interval '1 day' END AS deadline,
             ka.ids AS key_area_ids, least(100, c.base_priority + ka.area + ka.ev) AS priority
      FROM timed t CROSS JOIN cats CROSS JOIN k
      JOIN cells g ON g.rn = 1 + (t.i::bigint * 7919 + 13) % k.n
      JOIN categories c ON c.id = cats.ids[1 + (t.i * 31) % array_length(cats.ids, 1)]
      CROSS JOIN LATERAL (SELECT ST_PointOnSurface(g.geom) AS p) pt
      CROSS JOIN LATERAL (
        SELECT coalesce(array_agg(a.id ORDER BY a.priority_boost DESC, a.id), '{}') AS ids,
               coalesce(max(a.priority_boost) FILTER (WHERE a.kind <> 'major_event'), 0) AS area,
               coalesce(max(a.priority_boost) FILTER (WHERE a.kind = 'major_event'), 0) AS ev
        FROM key_areas a
        WHERE ST_Covers(a.geom, pt.p) AND a.listed_on <= current_date AND (a.delisted_on IS NULL OR a.delisted_on > current_date)) ka)
    INSERT INTO incidents (code, category_id, catalog_version, source, source_ref, description, position, address, grid_cell_id,
                           district_adcode, street_code, key_area_ids, priority, state, deadline, reported_by, reported_at,
                           registered_at, dispatched_at, accepted_at, on_scene_at, handled_at, suspended_at, outcome, state_reason,
                           overdue_at, escalated_at, updated_at)
    SELECT 'ZH' || to_char(r.reported_at AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || '-' || lpad(nextval('incident_code_seq')::text, 6, '0'),
           r.category_id, r.catalog_version,
           (ARRAY['public', 'video', 'dispatcher', 'inspection', 'department', 'media'])[1 + r.i % 6],
           'bench-console-' || r.i, '压测案件 bench case ' || r.i, r.p, NULL, r.cell_id, r.district_adcode, left(r.cell_code, 9),
           r.key_area_ids, r.priority, r.state, r.deadline, $2, r.reported_at,
           CASE WHEN r.state <> 'reported' THEN r.reported_at + interval '1 minute' END,
           CASE WHEN r.state IN ('dispatched', 'accepted', 'on_scene', 'handled') THEN r.reported_at + interval '3 minutes' END,
           CASE WHEN r.state IN ('accepted', 'on_scene', 'handled') THEN r.reported_at + interval '8 minutes' END,
           CASE WHEN r.state IN ('on_scene', 'handled') THEN r.reported_at + interval '20 minutes' END,
           CASE WHEN r.state = 'handled' THEN r.reported_at + interval '45 minutes' END,
           CASE WHEN r.state = 'suspended' THEN r.reported_at + interval '30 minutes' END,
           CASE WHEN r.state = 'handled' THEN (ARRAY['service', 'management', 'enforcement'])[1 + r.i % 3] END,
           CASE WHEN r.state = 'suspended' THEN '压测挂账 bench: waiting for the owner' END,
           CASE WHEN r.deadline < now() AND r.state IN ('reported', 'registered', 'dispatched', 'accepted', 'on_scene') THEN r.deadline END,
           CASE WHEN r.deadline < now() AND r.state IN ('reported', 'registered', 'dispatched', 'accepted', 'on_scene') THEN r.deadline END,
           r.reported_at + CASE r.state WHEN 'reported' THEN interval '0' WHEN 'registered' THEN interval '1 minute'
             WHEN 'dispatched' THEN interval '3 minutes' WHEN 'accepted' THEN interval '8 minutes' WHEN 'on_scene' THEN interval '20 minutes'
             WHEN 'handled' THEN interval '45 minutes' ELSE interval '30 minutes' END
    FROM rows r ORDER BY r.i`,
    [opts.cases, opts.dispatcherId, STATE_PATTERN, certified],
  );

  // ---- dispatches: one certified officer per dispatched case; live ones (pending/accepted) each
  // hold a distinct officer, who is busy; handled cases keep a finished ('done') dispatch.
  await pool.query(
    `
    WITH c AS (
      SELECT id, state, dispatched_at, accepted_at, handled_at,
             row_number() OVER (PARTITION BY state = 'handled' ORDER BY id) AS rn
      FROM incidents WHERE source_ref LIKE 'bench-console-%' AND dispatched_at IS NOT NULL),
    o AS (
      SELECT id, row_number() OVER (ORDER BY id) AS rn, count(*) OVER () AS n
      FROM officers WHERE kind = 'officer' AND duty_status = 'available' AND position IS NOT NULL)
    INSERT INTO dispatches (incident_id, officer_id, dispatched_by, state, dispatched_at, accepted_at, finished_at)
    SELECT c.id, o.id, $1, CASE c.state WHEN 'dispatched' THEN 'pending' WHEN 'handled' THEN 'done' ELSE 'accepted' END,
           c.dispatched_at, c.accepted_at, c.handled_at
    FROM c JOIN o ON o.rn = CASE WHEN c.state = 'handled' THEN 1 + (c.rn - 1) % o.n ELSE c.rn END`,
    [opts.dispatcherId],
  );
  await pool.query(`UPDATE officers SET duty_status = 'busy' WHERE id IN (SELECT officer_id FROM dispatches WHERE state IN ('pending', 'accepted'))`);

  // ---- the record (执法全过程记录): every step each case went through, as the service and the clock
  // append them. The freshest case (as the console judges it: its newest step stamp) gets the last
  // seqs, so a console whose snapshot holds every open case starts at the log's head.
  await pool.query(
    `
    WITH fresh AS (
      SELECT id FROM incidents
      ORDER BY greatest(reported_at, registered_at, dispatched_at, accepted_at, on_scene_at, handled_at) DESC, id DESC LIMIT 1),
    x AS (
      SELECT i.*, c.minor_code, g.code AS grid_code, d.officer_id
      FROM incidents i JOIN categories c ON c.id = i.category_id LEFT JOIN grid_cells g ON g.id = i.grid_cell_id
      LEFT JOIN LATERAL (SELECT officer_id FROM dispatches WHERE incident_id = i.id ORDER BY id DESC LIMIT 1) d ON true
      WHERE i.source_ref LIKE 'bench-console-%')
    INSERT INTO incident_events (incident_id, type, actor_user_id, payload, occurred_at, position, district_adcode, officer_ids)
    SELECT x.id, e.type, e.actor, e.payload, e.at, x.position, x.district_adcode, e.officers
    FROM x CROSS JOIN LATERAL (VALUES
      (1, x.reported_at, 'incident.reported', $1::int, jsonb_build_object('code', x.code, 'category', x.minor_code, 'source', x.source,
        'sourceRef', x.source_ref, 'priority', x.priority, 'gridCode', x.grid_code, 'keyAreaIds', to_jsonb(x.key_area_ids), 'duplicates', '[]'::jsonb), '{}'::int[]),
      (2, x.registered_at, 'incident.registered', $1, jsonb_build_object('code', x.code, 'from', 'reported', 'to', 'registered'), '{}'),
      (3, x.dispatched_at, 'incident.dispatched', $1, jsonb_build_object('code', x.code, 'from', 'registered', 'to', 'dispatched',
        'officerIds', jsonb_build_array(x.officer_id), 'reason', NULL), ARRAY[x.officer_id]),
      (4, x.accepted_at, 'incident.accepted', NULL, jsonb_build_object('code', x.code, 'from', 'dispatched', 'to', 'accepted', 'officerId', x.officer_id), ARRAY[x.officer_id]),
      (5, x.on_scene_at, 'incident.arrived', NULL, jsonb_build_object('code', x.code, 'from', 'accepted', 'to', 'on_scene', 'officerId', x.officer_id), ARRAY[x.officer_id]),
      (6, x.handled_at, 'incident.handled', NULL, jsonb_build_object('code', x.code, 'from', 'on_scene', 'to', 'handled', 'officerId', x.officer_id,
        'outcome', x.outcome, 'notes', NULL, 'evidenceIds', '[]'::jsonb), ARRAY[x.officer_id]),
      (7, x.suspended_at, 'incident.suspended', $1, jsonb_build_object('code', x.code, 'from', 'registered', 'to', 'suspended', 'reason', x.state_reason), '{}'),
      (8, x.overdue_at, 'incident.overdue', NULL, jsonb_build_object('code', x.code, 'state', x.state, 'deadline', x.deadline), '{}'),
      (9, x.escalated_at, 'incident.escalated', NULL, jsonb_build_object('code', x.code, 'to', 'leader', 'reason', '超期督办 overdue'), '{}')
    ) AS e(ord, at, type, actor, payload, officers)
    WHERE e.at IS NOT NULL
    ORDER BY x.id = (SELECT id FROM fresh), e.at, x.id, e.ord`,
    [opts.dispatcherId],
  );
  await pool.query('ANALYZE officers');
  await pool.query('ANALYZE incidents');
  await pool.query('ANALYZE dispatches');
  await pool.query('ANALYZE incident_events');

  const byState: Record<string, number> = {};
  for (const r of (
    await pool.query<{ state: string; n: number }>(
      `
    SELECT state, count(*)::int AS n FROM incidents WHERE state NOT IN ('closed', 'voided') GROUP BY state ORDER BY min(array_position($1::text[], state))`,
      [['reported', 'registered', 'dispatched', 'accepted', 'on_scene', 'handled', 'suspended']],
    )
  ).rows)
    byState[r.state] = r.n;
  return {
    onDuty: await count(`SELECT count(*)::int AS n FROM officers WHERE duty_status <> 'off_duty' AND position IS NOT NULL`),
    onMap: await count(`SELECT count(*)::int AS n FROM officers WHERE position IS NOT NULL`),
    open: Object.values(byState).reduce((a, b) => a + b, 0),
    byState,
    overdue: await count(`SELECT count(*)::int AS n FROM incidents WHERE overdue_at IS NOT NULL AND state NOT IN ('closed', 'voided')`),
    events: await count(`SELECT count(*)::int AS n FROM incident_events`),
    liveDispatches: await count(`SELECT count(*)::int AS n FROM dispatches WHERE state IN ('pending', 'accepted')`),
    ms: performance.now() - started,
  };
}
