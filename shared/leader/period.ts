// Trend buckets of a leader query's period; the period itself is shared/time/period.ts.
import { shanghaiDay } from '../time/deadlines.ts';
import type { Period } from '../time/period.ts';
import { MAX_TREND_POINTS, type TrendBucket } from './contract.ts';

export { parsePeriod, type Period } from '../time/period.ts';

const DAY_MS = 86_400_000;
/**
 * Trend buckets of a period: by Asia/Shanghai day when it touches at most 60 days, else by week
 * (7 days from the first day). `starts` are the buckets' first days.
 */
export function trendBuckets(p: Period): { bucket: TrendBucket; stepDays: number; starts: string[] } {
  const first = Date.parse(`${shanghaiDay(p.from)}T00:00:00Z`);
  const last = Date.parse(`${shanghaiDay(new Date(p.to.getTime() - 1))}T00:00:00Z`);
  const dayCount = Math.round((last - first) / DAY_MS) + 1;
  const stepDays = dayCount <= MAX_TREND_POINTS ? 1 : 7;
  const starts: string[] = [];
  for (let i = 0; i * stepDays < dayCount; i++) starts.push(new Date(first + i * stepDays * DAY_MS).toISOString().slice(0, 10));
  return { bucket: stepDays === 1 ? 'day' : 'week', stepDays, starts };
}
