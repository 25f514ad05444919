import { MAX_PERIOD_DAYS, MAX_TREND_POINTS, type TrendBucket } from './contract.ts';

const DAY_MS = 86_400_000;
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const INSTANT_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export interface Period {
  from: Date;
  to: Date;
}

export type PeriodResult = { ok: true; value: Period } | { ok: false; message: string };

function validDay(y: string, m: string, d: string): boolean {
  const iso = `${y}-${m}-${d}`;
  const t = Date.parse(`${iso}T00:00:00Z`);
  return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === iso;
}

/** An ISO 8601 instant with a zone, or a plain day (00:00 Asia/Shanghai); null if neither. */
export function parseInstant(text: string): Date | null {
  const day = DAY_RE.exec(text);
  if (day) return validDay(day[1]!, day[2]!, day[3]!) ? new Date(Date.parse(`${text}T00:00:00Z`) - SHANGHAI_OFFSET_MS) : null;
  const m = INSTANT_RE.exec(text);
  if (!m || !validDay(m[1]!, m[2]!, m[3]!) || Number(m[4]) > 23 || Number(m[5]) > 59 || (m[6] && Number(m[6].slice(1, 3)) > 59)) return null;
  const t = Date.parse(text);
  return Number.isFinite(t) ? new Date(t) : null;
}

/** The half-open period [from, to) of a leader query; default the 30 days up to `now`. */
export function parsePeriod(q: { from?: string; to?: string }, now = new Date()): PeriodResult {
  const to = q.to === undefined ? now : parseInstant(q.to);
  if (!to) return { ok: false, message: `to "${q.to}" is not an ISO 8601 instant with a zone (2025-04-30T00:00:00+08:00) or a day (2025-04-30)` };
  const from = q.from === undefined ? new Date(to.getTime() - 30 * DAY_MS) : parseInstant(q.from);
  if (!from) return { ok: false, message: `from "${q.from}" is not an ISO 8601 instant with a zone (2025-04-01T00:00:00+08:00) or a day (2025-04-01)` };
  if (from.getTime() >= to.getTime()) return { ok: false, message: `from (${from.toISOString()}) must be before to (${to.toISOString()})` };
  const days = (to.getTime() - from.getTime()) / DAY_MS;
  if (days > MAX_PERIOD_DAYS) return { ok: false, message: `the period is ${Math.ceil(days)} days; at most ${MAX_PERIOD_DAYS} days` };
  return { ok: true, value: { from, to } };
}

/** The Asia/Shanghai day of an instant, YYYY-MM-DD. */
export function shanghaiDayOf(instant: Date): string {
  return new Date(instant.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/**
 * Trend buckets of a period: by Asia/Shanghai day when it touches at most 60 days, else by week
 * (7 days from the first day). `starts` are the buckets' first days.
 */
export function trendBuckets(p: Period): { bucket: TrendBucket; stepDays: number; starts: string[] } {
  const first = Date.parse(`${shanghaiDayOf(p.from)}T00:00:00Z`);
  const last = Date.parse(`${shanghaiDayOf(new Date(p.to.getTime() - 1))}T00:00:00Z`);
  const dayCount = Math.round((last - first) / DAY_MS) + 1;
  const stepDays = dayCount <= MAX_TREND_POINTS ? 1 : 7;
  const starts: string[] = [];
  for (let i = 0; i * stepDays < dayCount; i++) starts.push(new Date(first + i * stepDays * DAY_MS).toISOString().slice(0, 10));
  return { bucket: stepDays === 1 ? 'day' : 'week', stepDays, starts };
}
