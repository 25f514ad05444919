import type pg from 'pg';
import type { LiveEvent } from '#shared/cases/contract.ts';
import type { NewCaseEvent } from '#shared/cases/events.ts';
import { commitWith, type Queryable } from '../db/transaction.ts';
import { probes } from '../metrics/probes.ts';
import { caseVisibleSql, type Viewer, viewerParams } from '../cases/repository.ts';

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
 */
export async function eventsAfter(pool: pg.Pool, viewer: Viewer, after: number, limit: number): Promise<EventRow[]> {
  const [district, officer, user] = viewerParams(viewer);
  const res = await pool.query<EventRow>(
    `SELECT ${COLUMNS} FROM incident_events
     WHERE seq > $1
       AND CASE WHEN $3::int IS NOT NULL THEN $3 = ANY(officer_ids) OR incident_id IN (
                  SELECT i.id FROM incidents i
                  WHERE i.id IN (SELECT d.incident_id FROM dispatches d WHERE d.officer_id = $3 UNION SELECT r.id FROM incidents r WHERE r.reported_by = $5)
                    AND ${caseVisibleSql('i', { district: 'NULL', officer: '$3', user: '$5' })})
                WHEN $2::text IS NOT NULL THEN district_adcode = $2
                ELSE true END
     ORDER BY seq LIMIT $4`,
    [after, district, officer, limit, user],
  );
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
