// The wire contract of what district leaders watch (issue 6): the case heatmap, the key-area board
// against the complaints baseline, escalations (督办) and the trend / category statistics. The
// server builds these shapes, the console reads them; TypeBox schemas are in schemas.ts.
//
// Periods are half-open [from, to): `from` and `to` are ISO 8601 instants with a zone
// (2025-04-01T00:00:00+08:00) or plain days (2025-04-01 = 00:00 Asia/Shanghai). Both optional:
// the default period is the 30 days up to now. At most 400 days; calendar days are Asia/Shanghai.
import type { CaseState, Source } from '../cases/states.ts';

/** The key-area target: complaints at least 15% below the baseline (常量), domain.md §2/§7. */
export const KEY_AREA_TARGET = -0.15;
/**
 * Below this many expected complaints in the period a key area's change is not judged (样本不足):
 * 0 complaints against 4 expected reads −100 % and "met" though it says nothing (a day of a monthly
 * baseline). The server, the screen, the printed report and the exports all go by it.
 */
export const KEY_AREA_MIN_EXPECTED = 10;
/** key_areas.complaint_baseline is complaints per month, taken as per 30 days. */
export const BASELINE_DAYS = 30;
export { MAX_PERIOD_DAYS } from '../time/period.ts';
/** Trend series have at most this many points: by day up to 60 days, by week (7 days from `from`'s day) beyond. */
export const MAX_TREND_POINTS = 60;

export interface PeriodQuery {
  from?: string;
  to?: string;
}

/** GET /api/heatmap?from&to&category&source */
export interface HeatmapQuery extends PeriodQuery {
  /** minor category code (any catalogue version), e.g. 0501 */
  category?: string;
  source?: Source;
}

export interface HeatmapCell {
  type: 'Feature';
  geometry: { type: 'Point'; coordinates: [number, number] };
  /** `code`: the 15-digit grid code; `count`: cases reported in the period in that cell */
  properties: { code: string; count: number };
}

export interface Heatmap {
  /** the period as the server took it, ISO UTC */
  from: string;
  to: string;
  /** cases reported in the period that lie in a grid cell (sum of the cells' counts) */
  total: number;
  /** cases reported in the period outside every grid cell (not on the map) */
  unlocated: number;
  /** the largest cell count (0 when none) */
  max: number;
  /** one Point per grid cell with cases, at ST_PointOnSurface of the cell; ordered by code */
  cells: { type: 'FeatureCollection'; features: HeatmapCell[] };
}

export type TrendBucket = 'day' | 'week';

export interface TrendPoint {
  /** first Asia/Shanghai day of the bucket, YYYY-MM-DD */
  start: string;
  count: number;
}

export interface KeyAreaBoardRow {
  id: number;
  name: string;
  level: 'city' | 'district';
  /** adcodes of the districts the area lies in (interiors meet) */
  districtAdcodes: string[];
  /** complaints per 30 days (key_areas.complaint_baseline, "per month") */
  baseline: number;
  /** baseline prorated to the period: baseline × periodDays / 30, 2 decimals */
  expected: number;
  /** public complaints (source 'public') reported in the period whose key areas include this one */
  complaints: number;
  /** complaints / expected − 1 (4 decimals); null when expected is 0 */
  change: number | null;
  target: number;
  /** expected ≥ KEY_AREA_MIN_EXPECTED: enough complaints expected for the change to mean something */
  judged: boolean;
  /** judged and change ≤ target (false when not judged or change is null) */
  met: boolean;
  /** cases in the area open now (not closed or voided), any source */
  open: number;
  /** of those, overdue now */
  overdue: number;
  /** public complaints per bucket over the period, every bucket present */
  trend: TrendPoint[];
}

/** GET /api/key-areas/board?from&to — areas listed today and in your scope, worst first (highest change, then most overdue). */
export interface KeyAreaBoard {
  from: string;
  to: string;
  /** period length in days (may be fractional) */
  days: number;
  bucket: TrendBucket;
  target: number;
  /** KEY_AREA_MIN_EXPECTED: an area expecting fewer complaints in the period is not judged */
  minExpected: number;
  areas: KeyAreaBoardRow[];
}

export interface EscalationCase {
  id: number;
  code: string;
  category: { code: string; nameZh: string; nameEn: string };
  districtAdcode: string | null;
  districtName: string | null;
  state: CaseState;
  priority: number;
  deadline: string | null;
  /** when the overdue clock marked it (超期), null if not overdue */
  overdueSince: string | null;
  /** when it was escalated (督办), by hand or by the overdue clock */
  escalatedAt: string | null;
  /** escalated by hand (an incident.escalated event with manual: true) */
  manual: boolean;
  /** the reason of the first escalation event, if any */
  reason: string | null;
  keyAreas: { id: number; name: string }[];
}

/**
 * GET /api/escalations — open cases in scope that are overdue or escalated. Most urgent first:
 * overdue before merely escalated, then higher priority, then the longest waiting
 * (overdue since / escalated at), then id. At most `limit` (200); `total` counts them all.
 */
export interface Escalations {
  total: number;
  cases: EscalationCase[];
}

export interface TrendDay {
  /** Asia/Shanghai day, YYYY-MM-DD */
  date: string;
  /** cases reported that day (within the period) */
  reported: number;
  /** cases closed (结案) that day (within the period) */
  closed: number;
  /** open cases overdue at the end of that day (or at `to` for the last day) */
  overdue: number;
}

/** GET /api/stats/trend?from&to — one row per Asia/Shanghai day the period touches. */
export interface StatsTrend {
  from: string;
  to: string;
  days: TrendDay[];
}

export interface CategoryCount {
  code: string;
  nameZh: string;
  nameEn: string;
  count: number;
}

/** GET /api/stats/categories?from&to — cases reported in the period per minor category, most first. */
export interface StatsCategories {
  from: string;
  to: string;
  total: number;
  categories: CategoryCount[];
}
