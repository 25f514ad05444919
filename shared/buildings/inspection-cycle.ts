/**
 * 存量违建巡查: how often a stock building is inspected, as data. The first rule that matches a
 * building gives its cycle; a building no rule matches is not patrolled on a cycle.
 */
export interface InspectionRule {
  /** which buildings: stock ones in a key area, or any stock one */
  where: 'key_area' | 'any';
  /** stages in which the building is still standing and may grow (after 销号 nothing is left to watch) */
  stages: readonly string[];
  everyDays: number;
  zh: string;
  en: string;
}

const STANDING = ['discovered', 'verified', 'filed', 'ordered', 'demolished', 'rectified'] as const;

export const INSPECTION_RULES: readonly InspectionRule[] = [
  { where: 'key_area', stages: STANDING, everyDays: 30, zh: '重点地区存量违建每 30 天巡查一次', en: 'stock in a key area: every 30 days' },
  { where: 'any', stages: STANDING, everyDays: 90, zh: '其他存量违建每 90 天巡查一次', en: 'other stock: every 90 days' },
];

/** What an inspection found: 无变化 / 加建 (opens a new case) / 已拆除. */
export const INSPECTION_RESULTS = ['unchanged', 'extended', 'demolished'] as const;
export type InspectionResult = (typeof INSPECTION_RESULTS)[number];
export const INSPECTION_RESULT_NAMES: Record<InspectionResult, { zh: string; en: string }> = {
  unchanged: { zh: '无变化', en: 'unchanged' },
  extended: { zh: '加建', en: 'extended' },
  demolished: { zh: '已拆除', en: 'demolished' },
};

/** The cycle (days) for a stock building, or null when none applies. */
export function inspectionCycleDays(b: { kind: string; stage: string; inKeyArea: boolean }): number | null {
  if (b.kind !== 'stock') return null;
  for (const r of INSPECTION_RULES) {
    if (!r.stages.includes(b.stage)) continue;
    if (r.where === 'any' || (r.where === 'key_area' && b.inKeyArea)) return r.everyDays;
  }
  return null;
}
