import { shanghaiDay } from './deadlines.ts';

/**
 * The whole days (Asia/Shanghai) inside [from, to): the first and the day after the last as dates
 * (a half-open range) and as instants. None: both at `from`. What the day sums answer; the partial
 * days at either end are read case by case.
 */
export function wholeDays(from: Date, to: Date): { first: string; last: string; firstAt: Date; lastAt: Date } {
  const midnight = (day: string) => new Date(`${day}T00:00:00+08:00`);
  let firstAt = midnight(shanghaiDay(from));
  if (firstAt < from) firstAt = new Date(firstAt.getTime() + 86_400_000);
  const lastAt = midnight(shanghaiDay(to));
  if (firstAt >= lastAt) return { first: shanghaiDay(from), last: shanghaiDay(from), firstAt: from, lastAt: from };
  return { first: shanghaiDay(firstAt), last: shanghaiDay(lastAt), firstAt, lastAt };
}
