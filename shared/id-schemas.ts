import { Type } from 'typebox';

/**
 * Ids and counters as the API accepts them, bounded by the column they are looked up in, so a number
 * past the column's range is a 400 that says so instead of an error from PostgreSQL. Every route's
 * params, query and body use these (see migrations/ for the column types).
 */

/** Largest value of a PostgreSQL `integer` column (int4). */
export const INT4_MAX = 2_147_483_647;
/** Largest `bigint` (int8) value a JSON number carries exactly: 2^53 − 1. */
export const INT8_SAFE_MAX = Number.MAX_SAFE_INTEGER;

type IdOptions = { description?: string; minimum?: number };

/** An id of an `integer` column: officers, users, squads, key areas, categories. */
export const IntId = (opts: IdOptions = {}) => Type.Integer({ minimum: 1, ...opts, maximum: INT4_MAX });

/** An id of a `bigint` column: incidents, evidence, dispatches. */
export const BigId = (opts: IdOptions = {}) => Type.Integer({ minimum: 1, ...opts, maximum: INT8_SAFE_MAX });

/** A position in the event log (incident_events.seq, bigint); 0 = before the first event. */
export const Seq = (opts: { description?: string } = {}) => Type.Integer({ minimum: 0, ...opts, maximum: INT8_SAFE_MAX });

/** `:id` of a case (incidents.id) or a photo (evidence.id). */
export const BigIdParams = Type.Object({ id: BigId() }, { additionalProperties: false });

/** `:id` of a user (users.id). */
export const IntIdParams = Type.Object({ id: IntId() }, { additionalProperties: false });
