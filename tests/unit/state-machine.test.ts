import { describe, expect, it } from 'vitest';
import {
  allowedSteps,
  CASE_ACTIONS,
  type CaseAction,
  checkStep,
  mergedReason,
  mergeTargetProblem,
  reassignProblem,
  STEPS,
} from '#shared/cases/state-machine.ts';
import { CASE_STATES, type CaseState } from '#shared/cases/states.ts';
import { ROLES, type Role } from '#shared/roles.ts';

const OPEN: CaseState[] = ['reported', 'registered', 'dispatched', 'accepted', 'on_scene', 'handled', 'suspended'];
const ACTIVE: CaseState[] = ['registered', 'dispatched', 'accepted', 'on_scene'];
const INTAKE: Role[] = ['supervisor', 'dispatcher', 'admin'];
const SUPERVISION: Role[] = ['supervisor', 'admin'];

/**
 * The case loop as the domain describes it (立案 → 派遣 → 接单 → 到场 → 处置 → 核查结案, with 退单, 返工,
 * 挂账/销账, 延期, 作废, 合并, 督办, 改派), written out by hand: each step, where it may start, where it
 * leads (null: the state stays), and who may take it.
 */
const TABLE: [CaseAction, CaseState[], CaseState | null, Role[]][] = [
  ['register', ['reported'], 'registered', INTAKE],
  ['void', ['reported', 'registered'], 'voided', INTAKE],
  ['dispatch', ['registered'], 'dispatched', ['dispatcher', 'admin']],
  ['accept', ['dispatched'], 'accepted', ['officer']],
  ['decline', ['dispatched'], 'registered', ['officer']],
  ['arrive', ['accepted'], 'on_scene', ['officer']],
  ['handle', ['on_scene'], 'handled', ['officer']],
  ['close', ['handled'], 'closed', SUPERVISION],
  ['rework', ['handled'], 'dispatched', SUPERVISION],
  ['suspend', ACTIVE, 'suspended', SUPERVISION],
  ['resume', ['suspended'], 'registered', SUPERVISION],
  ['extend', ACTIVE, null, SUPERVISION],
  ['merge', ['reported', 'registered'], 'voided', INTAKE],
  ['escalate', OPEN, null, ['dispatcher', 'supervisor', 'admin']],
  ['reassign', ['dispatched', 'accepted'], 'dispatched', ['dispatcher', 'admin']],
];
const RULE = new Map(TABLE.map(([action, from, to, roles]) => [action, { from, to, roles }]));

describe('the case state machine (shared/cases/state-machine.ts)', () => {
  it('has exactly the steps of the table', () => {
    expect([...CASE_ACTIONS].sort()).toEqual(TABLE.map(([a]) => a).sort());
  });

  it.each(TABLE)('%s: from %j to %j, by %j', (action, from, to, roles) => {
    const rule = STEPS[action];
    expect([...rule.from].sort()).toEqual([...from].sort());
    expect(rule.to).toBe(to);
    expect([...rule.roles].sort()).toEqual([...roles].sort());
    expect(rule.zh).not.toBe('');
    expect(rule.en).toBe(action);
  });

  it('nothing leaves a closed or voided case', () => {
    for (const role of ROLES) {
      expect(allowedSteps('closed', role)).toEqual([]);
      expect(allowedSteps('voided', role)).toEqual([]);
    }
  });

  it('leaders take no step at all; only officers accept, decline, arrive and handle', () => {
    for (const state of CASE_STATES) expect(allowedSteps(state, 'leader')).toEqual([]);
    for (const action of ['accept', 'decline', 'arrive', 'handle'] as const) expect(STEPS[action].roles).toEqual(['officer']);
  });

  // every state × step × role: checkStep and allowedSteps agree with the table
  const every = CASE_STATES.flatMap((state) => ROLES.flatMap((role) => CASE_ACTIONS.map((action) => [state, action, role] as const)));
  it(`checkStep answers all ${every.length} combinations of state, step and role as the table says`, () => {
    for (const [state, action, role] of every) {
      const rule = RULE.get(action)!;
      const check = checkStep(state, action, role);
      const label = `${role} ${action} on ${state}`;
      if (!rule.roles.includes(role)) {
        // the role is checked first: a role that may never take the step is told so, whatever the state
        expect(check, label).toMatchObject({ ok: false, reason: 'role' });
        if (!check.ok) expect(check.message, label).toContain(`role ${role} may not ${action}`);
      } else if (!rule.from.includes(state)) {
        expect(check, label).toMatchObject({ ok: false, reason: 'state' });
        if (!check.ok) expect(check.message, label).toContain(`a case that is ${state}`);
      } else {
        expect(check, label).toEqual({ ok: true, to: rule.to ?? state });
      }
      const allowed = TABLE.filter(([, from, , roles]) => from.includes(state) && roles.includes(role)).map(([a]) => a);
      if (!check.ok) expect(check.allowed, label).toEqual(allowed);
      expect(allowedSteps(state, role).includes(action), label).toBe(check.ok);
    }
  });

  it('allowedSteps lists the steps in the order of CASE_ACTIONS', () => {
    expect(allowedSteps('registered', 'admin')).toEqual(['void', 'dispatch', 'suspend', 'extend', 'merge', 'escalate']);
    expect(allowedSteps('dispatched', 'officer')).toEqual(['accept', 'decline']);
    expect(allowedSteps('handled', 'supervisor')).toEqual(['close', 'rework', 'escalate']);
  });

  it('escalates a case once: after 督办 the step is blocked, and no longer offered', () => {
    const facts = { escalatedAt: '2026-03-01T08:00:00Z' };
    expect(checkStep('dispatched', 'escalate', 'dispatcher')).toEqual({ ok: true, to: 'dispatched' });
    const again = checkStep('dispatched', 'escalate', 'dispatcher', facts);
    expect(again).toMatchObject({ ok: false, reason: 'state' });
    if (!again.ok) {
      expect(again.message).toContain('already escalated');
      expect(again.message).toContain(facts.escalatedAt);
      expect(again.allowed).toEqual(['reassign']);
    }
    expect(allowedSteps('dispatched', 'dispatcher', facts)).not.toContain('escalate');
    // other steps do not depend on it
    expect(checkStep('dispatched', 'reassign', 'dispatcher', facts)).toEqual({ ok: true, to: 'dispatched' });
  });

  it('says "none for your role" when a role has nothing to do in a state', () => {
    const check = checkStep('reported', 'accept', 'officer');
    expect(check).toMatchObject({ ok: false, reason: 'state', allowed: [] });
    if (!check.ok) expect(check.message).toContain('none for your role');
  });

  it('merges only into another open case, and names it in the reason', () => {
    expect(mergeTargetProblem(7, { id: 7, code: 'A', state: 'registered' })).toMatch(/into itself/);
    expect(mergeTargetProblem(7, { id: 8, code: 'B', state: 'closed' })).toMatch(/B is closed/);
    expect(mergeTargetProblem(7, { id: 8, code: 'B', state: 'voided' })).toMatch(/B is voided/);
    for (const state of OPEN) expect(mergeTargetProblem(7, { id: 8, code: 'B', state }), state).toBeNull();
    expect(mergedReason('C1', null)).toBe('合并至 C1 (merged into C1)');
    expect(mergedReason('C1', '同一地点')).toBe('合并至 C1 (merged into C1): 同一地点');
  });

  it('reassigns only to a different set of officers', () => {
    expect(reassignProblem([1, 2], [2, 1])).toMatch(/already on this case/);
    expect(reassignProblem([1], [1, 2])).toBeNull();
    expect(reassignProblem([1, 2], [3])).toBeNull();
  });
});
