import { MAX_PERIOD_DAYS } from './definitions.ts';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.\d{1,9})?)?(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/**
 * An instant from an ISO 8601 string: a date-time with its offset (Z or ±hh:mm), or a date alone,
 * read as 00:00 in Asia/Shanghai (the day a leader means). Null when it is not one.
 */
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

export type PeriodCheck = { ok: true; from: Date; to: Date } | { ok: false; message: string };

/** A period [from, to) for the indicators: both instants valid, from before to, at most MAX_PERIOD_DAYS long. */
export function checkPeriod(fromText: string, toText: string): PeriodCheck {
  const example = 'e.g. 2025-03-01 (00:00 Asia/Shanghai) or 2025-03-01T00:00:00+08:00';
  const from = parseInstant(fromText);
  if (!from) return { ok: false, message: `from "${fromText}" is not an ISO 8601 date or date-time with offset; ${example}` };
  const to = parseInstant(toText);
  if (!to) return { ok: false, message: `to "${toText}" is not an ISO 8601 date or date-time with offset; ${example}` };
  if (from.getTime() >= to.getTime()) return { ok: false, message: `from (${from.toISOString()}) must be before to (${to.toISOString()}); the period is [from, to)` };
  const days = (to.getTime() - from.getTime()) / 86_400_000;
  if (days > MAX_PERIOD_DAYS) return { ok: false, message: `the period is ${Math.ceil(days)} days; at most ${MAX_PERIOD_DAYS} days per request` };
  return { ok: true, from, to };
}
