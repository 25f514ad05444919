import type { Role } from '../roles.ts';
import type { CaseState } from './states.ts';

/**
 * Steps of a case and who may take them. A step names where it may start and where it leads;
 * the server runs the step's side effects (dispatches, officer status) in the same transaction.
 */
export const CASE_ACTIONS = ['register', 'void', 'dispatch', 'accept', 'decline', 'arrive', 'handle', 'close', 'rework', 'suspend', 'resume', 'extend'] as const;
export type CaseAction = (typeof CASE_ACTIONS)[number];

export interface StepRule {
  from: readonly CaseState[];
  /** null: the state does not change (延期 only moves the deadline). */
  to: CaseState | null;
  roles: readonly Role[];
  zh: string;
  en: string;
}

export const STEPS: Record<CaseAction, StepRule> = {
  register: { from: ['reported'], to: 'registered', roles: ['supervisor', 'dispatcher', 'admin'], zh: '立案', en: 'register' },
  void: { from: ['reported', 'registered'], to: 'voided', roles: ['supervisor', 'dispatcher', 'admin'], zh: '作废', en: 'void' },
  dispatch: { from: ['registered'], to: 'dispatched', roles: ['dispatcher', 'admin'], zh: '派遣', en: 'dispatch' },
  accept: { from: ['dispatched'], to: 'accepted', roles: ['officer'], zh: '接单', en: 'accept' },
  // Declining or an acceptance time-out returns the case to the dispatcher's queue.
  decline: { from: ['dispatched'], to: 'registered', roles: ['officer'], zh: '退单', en: 'decline' },
  arrive: { from: ['accepted'], to: 'on_scene', roles: ['officer'], zh: '到场', en: 'arrive' },
  handle: { from: ['on_scene'], to: 'handled', roles: ['officer'], zh: '处置反馈', en: 'handle' },
  close: { from: ['handled'], to: 'closed', roles: ['supervisor', 'admin'], zh: '核查结案', en: 'close' },
  rework: { from: ['handled'], to: 'dispatched', roles: ['supervisor', 'admin'], zh: '返工', en: 'rework' },
  suspend: { from: ['registered', 'dispatched', 'accepted', 'on_scene'], to: 'suspended', roles: ['supervisor', 'admin'], zh: '挂账', en: 'suspend' },
  resume: { from: ['suspended'], to: 'registered', roles: ['supervisor', 'admin'], zh: '销账恢复', en: 'resume' },
  extend: { from: ['registered', 'dispatched', 'accepted', 'on_scene'], to: null, roles: ['supervisor', 'admin'], zh: '延期', en: 'extend' },
};

export type StepCheck =
  | { ok: true; to: CaseState }
  | { ok: false; reason: 'state' | 'role'; message: string; allowed: CaseAction[] };

/** Steps that `role` may take from `state`. */
export function allowedSteps(state: CaseState, role: Role): CaseAction[] {
  return CASE_ACTIONS.filter((a) => STEPS[a].from.includes(state) && STEPS[a].roles.includes(role));
}

export function checkStep(state: CaseState, action: CaseAction, role: Role): StepCheck {
  const rule = STEPS[action];
  const allowed = allowedSteps(state, role);
  if (!rule.roles.includes(role)) {
    return { ok: false, reason: 'role', allowed, message: `role ${role} may not ${action} (${rule.zh}); that is for ${rule.roles.join(', ')}` };
  }
  if (!rule.from.includes(state)) {
    return {
      ok: false,
      reason: 'state',
      allowed,
      message: `cannot ${action} (${rule.zh}) a case that is ${state}; allowed now: ${allowed.length ? allowed.join(', ') : 'none for your role'}`,
    };
  }
  return { ok: true, to: rule.to ?? state };
}
