import type pg from 'pg';
import type { LiveEvent } from '#shared/cases/contract.ts';
import type { NewCaseEvent } from '#shared/cases/events.ts';
import { commitWith, type Queryable } from '../db/transaction.ts';
import { probes } from '../metrics/probes.ts';
import { OFFICER_VISIBLE_DISPATCH_STATES, type Viewer, viewerParams } from '../cases/repository.ts';

/** An event as stored and as the feed carries it. */
export type EventRow = LiveEvent;

/** An event to append: its payload is the one its type carries (shared/cases/events.ts). */
export type NewEvent = NewCaseEvent;

const COLUMNS = `seq, incident_id AS "incidentId", building_id AS "buildingId", type, actor_user_id AS "actorUserId", payload,
  to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "occurredAt",
  CASE WHEN position IS NULL THEN NULL ELSE json_build_array(ST_X(position), ST_Y(position)) END AS position,
  district_adcode AS "districtAdcode", officer_ids AS "officerIds"`;

const APPEND = (events: string) => `WITH ordered AS MATERIALIZED (SELECT pg_advisory_xact_lock(hashtext('zhihui-event-log')))
     INSERT INTO incident_events (incident_id, building_id, type, actor_user_id, payload, position, district_adcode, officer_ids)
     SELECT e.incident_id, e.building_id, e.type, e.actor, e.payload,
            CASE WHEN e.lon IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint(e.lon, e.lat), 4326) END,
            e.district, ARRAY(SELECT jsonb_array_elements_text(e.officers)::int)
     FROM ordered, jsonb_to_recordset(${events}::jsonb) AS e(ord int, incident_id bigint, building_id int, type text, actor int, payload jsonb, lon float8, lat float8, district text, officers jsonb)
     ORDER BY e.ord
     RETURNING ${COLUMNS}`;

function appendJson(events: NewEvent[]): string {
  return JSON.stringify(
    events.map((e, ord) => ({
      ord,
      incident_id: e.incidentId,
      building_id: e.buildingId ?? null,
      type: e.type,
      actor: e.actorUserId,
      payload: e.payload ?? {},
      lon: e.position?.[0] ?? null,
      lat: e.position?.[1] ?? null,
      district: e.districtAdcode,
      officers: e.officerIds ?? [],
    })),
  );
}

/**
 * The append-only log (执法全过程记录) and the live feed. Appends take one transaction-scoped
 * advisory lock, so events commit in `seq` order across transactions and server instances: a
 * reader that has seen seq N never later finds a smaller seq appear behind it. The lock is held
 * until COMMIT: where the append is a transaction's last statement, `appendAndCommit` sends both at
 * once and the lock lasts only as long as the database's own work.
 */
export async function appendEvents(client: Queryable, events: NewEvent[]): Promise<EventRow[]> {
  if (events.length === 0) return [];
  // The lock is taken in the same statement (the CTE runs before any row gets its seq): one round trip.
  const started = performance.now();
  const res = await client.query<EventRow>({ name: 'events-append', text: APPEND('$1'), values: [appendJson(events)] });
  // includes the wait for the log's lock: what other writers cost this one
  probes.emit('event-append', (performance.now() - started) / 1000, events.length);
  return res.rows.sort((a, b) => a.seq - b.seq);
}

/**
 * `appendEvents` as the last statement of a `withTransaction`, with its COMMIT in the same message.
 * Held across a round trip, the log's lock made every other intake wait out this process's slowest
 * turn of the event loop (a GC, a burst of socket writes): 200 intakes a second queued behind it.
 */
export async function appendAndCommit(client: pg.PoolClient, events: NewEvent[]): Promise<EventRow[]> {
  if (events.length === 0) return [];
  // a client that is not a connection of its own (the demo history's clocked transaction, where COMMIT
  // releases a savepoint): appended as usual, and withTransaction sends its COMMIT
  if (typeof client.escapeLiteral !== 'function') return appendEvents(client, events);
  const started = performance.now();
  const rows = await commitWith<EventRow>(client, APPEND(client.escapeLiteral(appendJson(events))));
  probes.emit('event-append', (performance.now() - started) / 1000, events.length);
  return rows.sort((a, b) => a.seq - b.seq);
}

/**
 * Events after `after` that `viewer` may see, oldest first. Consoles: their district's events (every
 * event when city-wide). An officer: the events addressed to them (officer_ids: their dispatches, the
 * reassignment that took them off, their duty changes) and the events of the cases they may see now
 * by the case rule (caseVisibleSql): nothing further of a case they were taken off or declined.
 *
 * One statement per scope rather than one with a CASE: each is then planned for its own index and the
 * cost is the page, not the log. The district form compares (district_adcode, seq) as a row, which only
 * the (district_adcode, seq) index answers: with `district_adcode = $2 AND seq > $1` the planner walks
 * the seq key and drops the other districts' rows (measured at 3.6 million events: 95,016 rows read
 * for a page of 5,001, 40 ms, against 12 ms). Only the indexes on (seq), (district_adcode, seq),
 * (incident_id, seq) and the GIN on officer_ids are used, so this holds when the log is partitioned.
 */
export async function eventsAfter(pool: Queryable, viewer: Viewer, after: number, limit: number): Promise<EventRow[]> {
  const [district, officer, user] = viewerParams(viewer);
  if (officer !== null) {
    // the officer's cases (reported by them, or with a dispatch of theirs the case rule shows), each
    // read from its (incident_id, seq) index; the addressed events from the GIN: a union of small sets.
    // No ORDER BY/LIMIT on the GIN branch: with them a generic plan walks the seq key filtering every
    // row after `after` (1.5 s at 3.6 million events); without, the GIN answers the officer's events.
    const res = await pool.query<EventRow>({
      name: 'events-after-officer',
      text: `WITH mine AS (
         SELECT i.id FROM incidents i WHERE i.reported_by = $3::int
         UNION
         SELECT d.incident_id FROM dispatches d WHERE d.officer_id = $2::int
           AND d.state IN (${OFFICER_VISIBLE_DISPATCH_STATES.map((x) => `'${x}'`).join(', ')})
       ), picked AS (
         SELECT x.seq FROM incident_events x WHERE x.officer_ids @> ARRAY[$2::int] AND x.seq > $1
         UNION
         (SELECT e.seq FROM mine m CROSS JOIN LATERAL (
            SELECT x.seq FROM incident_events x WHERE x.incident_id = m.id AND x.seq > $1 ORDER BY x.seq LIMIT $4) e)
       )
       SELECT ${COLUMNS} FROM incident_events WHERE seq IN (SELECT seq FROM picked ORDER BY seq LIMIT $4) ORDER BY seq`,
      values: [after, officer, user, limit],
    });
    return res.rows;
  }
  if (district !== null) {
    const res = await pool.query<EventRow>({
      name: 'events-after-district',
      text: `SELECT ${COLUMNS} FROM incident_events
       WHERE district_adcode = $2::bpchar AND (district_adcode, seq) > ($2::bpchar, $1::bigint)
       ORDER BY district_adcode, seq LIMIT $3`,
      values: [after, district, limit],
    });
    return res.rows;
  }
  const res = await pool.query<EventRow>({
    name: 'events-after-city',
    text: `SELECT ${COLUMNS} FROM incident_events WHERE seq > $1 ORDER BY seq LIMIT $2`,
    values: [after, limit],
  });
  return res.rows;
}

/**
 * Every committed event after `after`, oldest first, for the live publisher. Appends are serialised
 * by the log's advisory lock and become visible before it is released, so what this returns is a
 * prefix of the log: no smaller seq can commit later behind it.
 */
export async function eventsSince(pool: pg.Pool, after: number, limit: number): Promise<EventRow[]> {
  const res = await pool.query<EventRow>({
    name: 'events-since',
    text: `SELECT ${COLUMNS} FROM incident_events WHERE seq > $1 ORDER BY seq LIMIT $2`,
    values: [after, limit],
  });
  return res.rows;
}

export async function incidentEvents(pool: pg.Pool, incidentId: number): Promise<EventRow[]> {
  const res = await pool.query<EventRow>(`SELECT ${COLUMNS} FROM incident_events WHERE incident_id = $1 ORDER BY seq`, [incidentId]);
  return res.rows;
}

export async function latestSeq(pool: pg.Pool): Promise<number> {
  const res = await pool.query<{ seq: number | null }>(`SELECT max(seq) AS seq FROM incident_events`);
  return res.rows[0]?.seq ?? 0;
}

/** Months of the event log created ahead of time, so appends never fall into the default partition. */
export const MONTHS_AHEAD = 3;

/** Creates the missing month partitions of incident_events from this month to MONTHS_AHEAD ahead; returns how many it made. */
export async function addEventLogMonths(pool: pg.Pool): Promise<number> {
  const res = await pool.query<{ made: number }>(
    `SELECT incident_events_add_months(current_date, (current_date + $1::int * interval '1 month')::date) AS made`,
    [MONTHS_AHEAD],
  );
  return res.rows[0]!.made;
}
