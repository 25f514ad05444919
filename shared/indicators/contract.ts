// The wire contract of GET /api/indicators (考核指标): what the server answers and the console reads.
// TypeBox schemas that validate and document it are in schemas.ts; the meaning of every field is in
// definitions.ts (and travels with every answer as `definitions`).
import type { CountKey, IndicatorDefinitions, IndicatorKey } from './definitions.ts';

export type IndicatorGrouping = 'district' | 'squad';
export const INDICATOR_GROUPINGS = ['district', 'squad'] as const satisfies readonly IndicatorGrouping[];
export type ExportFormat = 'csv' | 'xlsx';
export const EXPORT_FORMATS = ['csv', 'xlsx'] as const satisfies readonly ExportFormat[];

/** GET /api/indicators?from=&to=&by= (from/to: ISO 8601 date-time with offset, or a date = 00:00 Asia/Shanghai). */
export interface IndicatorsQuery {
  from: string;
  to: string;
  by?: IndicatorGrouping;
}

/** Raw numerators and denominators (see definitions.ts COUNT_DEFINITIONS). */
export type IndicatorCounts = Record<CountKey, number>;

/** Ratios are fractions 0–1 (null when the denominator is 0); avg…Minutes are minutes (null when no case). */
export type IndicatorValues = Record<IndicatorKey, number | null>;

export interface IndicatorRow {
  /** district adcode, or squad id as a string; null: cases with no district / never dispatched */
  key: string | null;
  /** district or squad name (zh); for key null "未派遣" / "未知区县" */
  name: string;
  /** the district of the row (of the squad when by=squad); null for the key-null row */
  districtAdcode: string | null;
  counts: IndicatorCounts;
  indicators: IndicatorValues;
}

export interface IndicatorsReport {
  /** the period asked for, as instants (UTC ISO) */
  from: string;
  to: string;
  /** the earlier of `to` and the time of the answer: what the figures are measured at */
  asOf: string;
  by: IndicatorGrouping;
  /** district of a district-scoped user (a district leader): the rows and the total cover it only; null = the whole city */
  scopeDistrict: string | null;
  rows: IndicatorRow[];
  /** the same figures over every case in scope (not a sum of ratios) */
  total: Omit<IndicatorRow, 'key' | 'districtAdcode'> & { key: null; districtAdcode: string | null };
  definitions: IndicatorDefinitions;
}
