import type { Role } from '../roles.ts';

/**
 * An import's life: an upload is read, staged and checked at once (previewed); the administrator then
 * commits it as a new version or discards it. Both end it. Routes, their checks and the screen's buttons
 * come from this table.
 */
export const IMPORT_STATES = ['previewed', 'committed', 'discarded'] as const;
export type ImportState = (typeof IMPORT_STATES)[number];

export const IMPORT_ACTIONS = ['commit', 'discard'] as const;
export type ImportAction = (typeof IMPORT_ACTIONS)[number];

export interface ImportStepRule {
  from: readonly ImportState[];
  to: ImportState;
  roles: readonly Role[];
  zh: string;
  en: string;
}

export const IMPORT_STEPS: Record<ImportAction, ImportStepRule> = {
  commit: { from: ['previewed'], to: 'committed', roles: ['admin'], zh: '提交为新版本', en: 'commit as a new version' },
  discard: { from: ['previewed'], to: 'discarded', roles: ['admin'], zh: '放弃', en: 'discard' },
};

/** Why `action` can't be taken on an import in `state`; null when it can. */
export function importStepRefusal(action: ImportAction, state: ImportState): string | null {
  const rule = IMPORT_STEPS[action];
  if (rule.from.includes(state)) return null;
  return `导入已${state === 'committed' ? '提交' : '放弃'} the import is ${state}: only a previewed import can be ${rule.en === 'discard' ? 'discarded' : 'committed'}; upload the file again for a new preview`;
}

/** What a problem found in a row does to it: an error keeps the row out of the commit, a warning only reports. */
export const PROBLEM_KINDS = {
  no_geometry: { severity: 'error', zh: '缺少几何', en: 'no geometry' },
  wrong_geometry_type: { severity: 'error', zh: '几何类型不符', en: 'wrong geometry type' },
  invalid_geometry: { severity: 'error', zh: '几何无效', en: 'invalid geometry' },
  repaired_geometry: { severity: 'warning', zh: '几何已修复', en: 'geometry repaired (ST_MakeValid)' },
  point_footprint: { severity: 'warning', zh: '以点代面', en: 'a point taken as a footprint of its area' },
  missing_field: { severity: 'error', zh: '缺少必填值', en: 'required value missing' },
  bad_value: { severity: 'error', zh: '取值不合规', en: 'value not accepted' },
  bad_code: { severity: 'error', zh: '编码不合规', en: 'code breaks the rule' },
  code_mismatch: { severity: 'error', zh: '编码与上级不符', en: 'code disagrees with its street/community' },
  duplicate_code: { severity: 'error', zh: '编码重复', en: 'duplicate code' },
  unknown_district: { severity: 'error', zh: '所属行政区不存在', en: 'district not in Zhihui' },
  outside_district: { severity: 'error', zh: '超出所属行政区', en: 'outside its district' },
  overlap: { severity: 'error', zh: '网格重叠', en: 'overlaps another cell' },
  gap: { severity: 'warning', zh: '网格间隙', en: 'gap between cells' },
} as const satisfies Record<string, { severity: 'error' | 'warning'; zh: string; en: string }>;
export type ProblemKind = keyof typeof PROBLEM_KINDS;
