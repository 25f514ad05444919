// Periods [from, to) of the leader's questions (indicators, heatmap, key areas, trends): instants
// given as ISO 8601 date-times with an offset, or as days meaning 00:00 Asia/Shanghai.

/** Longest period one request may cover. */
export const MAX_PERIOD_DAYS = 400;
const DAY_MS = 86_400_000;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.\d{1,9})?)?(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;
const FORMS =
  'an ISO 8601 date or date-time with offset (an ISO 8601 instant with a zone, e.g. 2025-03-01T00:00:00+08:00, or a day, e.g. 2025-03-01 = 00:00 Asia/Shanghai)';

/** An instant from a date-time with its offset (Z or ±hh:mm) or a date alone (00:00 Asia/Shanghai); null when neither. */
export function parseInstant(text: string): Date | null {
  const d = DATE.exec(text);
  const dt = d ? null : DATE_TIME.exec(text);
  const m = d ?? dt;
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return null;
  const ms = Date.parse(d ? `${text}T00:00:00+08:00` : text);
  return Number.isNaN(ms) ? null : new Date(ms);
}

export interface Period {
  from: Date;
  to: Date;
}

export type PeriodResult = { ok: true; value: Period } | { ok: false; message: string };

/** [from, to): both instants valid, from before to, at most MAX_PERIOD_DAYS; a missing end defaults (to = now, from = 30 days before to). */
export function parsePeriod(q: { from?: string; to?: string }, now = new Date()): PeriodResult {
  const to = q.to === undefined ? now : parseInstant(q.to);
  if (!to) return { ok: false, message: `to "${q.to}" is not ${FORMS}` };
  const from = q.from === undefined ? new Date(to.getTime() - 30 * DAY_MS) : parseInstant(q.from);
  if (!from) return { ok: false, message: `from "${q.from}" is not ${FORMS}` };
  if (from.getTime() >= to.getTime())
    return { ok: false, message: `from (${from.toISOString()}) must be before to (${to.toISOString()}); the period is [from, to)` };
  const days = (to.getTime() - from.getTime()) / DAY_MS;
  if (days > MAX_PERIOD_DAYS) return { ok: false, message: `the period is ${Math.ceil(days)} days; at most ${MAX_PERIOD_DAYS} days per request` };
  return { ok: true, value: { from, to } };
}
