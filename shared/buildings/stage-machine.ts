import type { Role } from '../roles.ts';

/**
 * 违法建设治理: the stages of an illegal building and the steps between them, as data that drives
 * the routes, the checks, the docs and the buttons (as shared/cases/state-machine.ts does for a case).
 *
 * discovered (发现) → verified (核查) → filed (立案) → ordered (责令停止 / 限期整改)
 *   → demolished (拆除, possibly partial, possibly in several goes) | rectified (整改)
 *   → closed (销号).
 * A discovery that proves false (not illegal, already permitted, not there) is dismissed to closed.
 */
export const BUILDING_STAGES = ['discovered', 'verified', 'filed', 'ordered', 'demolished', 'rectified', 'closed'] as const;
export type BuildingStage = (typeof BUILDING_STAGES)[number];

export const BUILDING_STAGE_NAMES: Record<BuildingStage, { zh: string; en: string }> = {
  discovered: { zh: '发现', en: 'discovered' },
  verified: { zh: '核查', en: 'verified' },
  filed: { zh: '立案', en: 'filed' },
  ordered: { zh: '责令整改', en: 'ordered' },
  demolished: { zh: '拆除', en: 'demolished' },
  rectified: { zh: '整改', en: 'rectified' },
  closed: { zh: '销号', en: 'closed' },
};

/** 存量 (before the baseline survey) or 新增 (built since: zero tolerance). */
export const BUILDING_KINDS = ['stock', 'new'] as const;
export type BuildingKind = (typeof BUILDING_KINDS)[number];
export const BUILDING_KIND_NAMES: Record<BuildingKind, { zh: string; en: string }> = {
  stock: { zh: '存量', en: 'stock' },
  new: { zh: '新增', en: 'new' },
};

export const BUILDING_ACTIONS = ['verify', 'file', 'order', 'demolish', 'rectify', 'close', 'dismiss'] as const;
export type BuildingAction = (typeof BUILDING_ACTIONS)[number];

export interface BuildingStepRule {
  from: readonly BuildingStage[];
  to: BuildingStage;
  roles: readonly Role[];
  /** The step is done on site: taken from the console it opens a case that is dispatched through the loop. */
  field: boolean;
  /** What the step must carry besides a note. */
  needs: readonly ('demolishedAreaM2' | 'rectifyBy' | 'reason')[];
  zh: string;
  en: string;
}

const DESK: readonly Role[] = ['supervisor', 'admin'];
const FIELD: readonly Role[] = ['officer', 'supervisor', 'admin'];

export const BUILDING_STEPS: Record<BuildingAction, BuildingStepRule> = {
  verify: { from: ['discovered'], to: 'verified', roles: FIELD, field: true, needs: [], zh: '核查属实', en: 'verify' },
  file: { from: ['verified'], to: 'filed', roles: DESK, field: false, needs: [], zh: '立案', en: 'file' },
  order: { from: ['filed'], to: 'ordered', roles: DESK, field: false, needs: ['rectifyBy'], zh: '责令停止/限期整改', en: 'order' },
  // A second demolition of what a partial one left keeps the stage and adds to the demolished area.
  demolish: { from: ['ordered', 'demolished'], to: 'demolished', roles: FIELD, field: true, needs: ['demolishedAreaM2'], zh: '拆除', en: 'demolish' },
  rectify: { from: ['ordered'], to: 'rectified', roles: FIELD, field: false, needs: [], zh: '整改完成', en: 'rectify' },
  close: { from: ['demolished', 'rectified'], to: 'closed', roles: DESK, field: false, needs: [], zh: '销号', en: 'close' },
  dismiss: { from: ['discovered', 'verified'], to: 'closed', roles: DESK, field: false, needs: ['reason'], zh: '核查不实/不予立案', en: 'dismiss' },
};

/**
 * Time allowed in each stage before the next step is due, in working days (工作日) from entering it.
 * `ordered` runs to the date the order gave the party (限期), not a fixed count.
 */
export const STAGE_LIMIT_WORKING_DAYS: Record<BuildingStage, number | null> = {
  discovered: 3,
  verified: 5,
  filed: 5,
  ordered: null,
  demolished: 10,
  rectified: 10,
  closed: null,
};

/** The time limit an order to rectify gives when it names no date (限期整改, working days). */
export const DEFAULT_RECTIFY_WORKING_DAYS = 15;

export type BuildingStepCheck = { ok: true; to: BuildingStage } | { ok: false; reason: 'state' | 'role'; message: string; allowed: BuildingAction[] };

export function allowedBuildingSteps(stage: BuildingStage, role: Role): BuildingAction[] {
  return BUILDING_ACTIONS.filter((a) => BUILDING_STEPS[a].from.includes(stage) && BUILDING_STEPS[a].roles.includes(role));
}

export function checkBuildingStep(stage: BuildingStage, action: BuildingAction, role: Role): BuildingStepCheck {
  const rule = BUILDING_STEPS[action];
  const allowed = allowedBuildingSteps(stage, role);
  if (!rule.roles.includes(role)) {
    return { ok: false, reason: 'role', allowed, message: `role ${role} may not ${action} (${rule.zh}) a building; that is for ${rule.roles.join(', ')}` };
  }
  if (!rule.from.includes(stage)) {
    return {
      ok: false,
      reason: 'state',
      allowed,
      message: `cannot ${action} (${rule.zh}) a building that is ${stage} (${BUILDING_STAGE_NAMES[stage].zh}); allowed now: ${allowed.length ? allowed.join(', ') : 'none for your role'}`,
    };
  }
  return { ok: true, to: rule.to };
}

/**
 * Why `demolishedAreaM2` cannot be recorded (422), or null. The limit is the building's floor area
 * (footprint × floors, 建筑面积) less what earlier demolitions took.
 */
export function demolitionProblem(areaM2: number, floors: number, alreadyM2: number, demolishedAreaM2: number): string | null {
  const floorArea = areaM2 * floors;
  const left = Math.max(0, floorArea - alreadyM2);
  if (!(demolishedAreaM2 > 0)) return 'demolishedAreaM2 must be greater than 0: the m² taken down in this demolition';
  // A centimetre-square of slack: areas come from the spheroid and are typed in rounded.
  if (demolishedAreaM2 > left + 0.01) {
    return `demolishedAreaM2 ${demolishedAreaM2} m² is more than the building has left: ${left.toFixed(2)} m² (${areaM2.toFixed(2)} m² × ${floors} floor(s)${alreadyM2 > 0 ? ` less ${alreadyM2.toFixed(2)} m² already demolished` : ''})`;
  }
  return null;
}
