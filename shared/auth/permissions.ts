import type { Role } from '../roles.ts';

/**
 * Who may do what, outside the case steps (those are in cases/state-machine.ts). Scope comes on top:
 * a user with a district scope only sees and acts on that district; an officer only on the cases
 * dispatched to them.
 */
export const PERMISSIONS = {
  // Own session: who am I, refresh, change my password.
  'session.own': ['admin', 'dispatcher', 'supervisor', 'leader', 'officer'],
  // Map layers: districts, grid, key areas, illegal buildings, squad bases (public only when PUBLIC_MAP_LAYERS=true).
  'map.read': ['admin', 'dispatcher', 'supervisor', 'leader', 'officer'],
  'incident.create': ['admin', 'dispatcher', 'supervisor', 'officer'],
  'incident.read': ['admin', 'dispatcher', 'supervisor', 'leader', 'officer'],
  'incident.recommend': ['admin', 'dispatcher'],
  // Duplicates and place of a report before it is saved: those who register, void and merge.
  'incident.triage': ['admin', 'dispatcher', 'supervisor'],
  'events.read': ['admin', 'dispatcher', 'supervisor', 'leader', 'officer'],
  'evidence.upload': ['officer', 'supervisor', 'admin'],
  'evidence.read': ['admin', 'dispatcher', 'supervisor', 'leader', 'officer'],
  'officer.self': ['officer'],
  // Officers' names, duty and live positions (GET /api/officers); officers see only their own (officer.self).
  'positions.read': ['admin', 'dispatcher', 'supervisor', 'leader'],
  'squads.board': ['admin', 'dispatcher', 'supervisor', 'leader'],
  // 考核指标 per district / squad and their exports (GET /api/indicators…).
  'indicators.read': ['admin', 'dispatcher', 'supervisor', 'leader'],
  // What district leaders watch: heatmap, key-area board, escalations (督办), trend and category stats.
  'leader.read': ['admin', 'dispatcher', 'supervisor', 'leader'],
  // 存量违建巡查: the patrol tasks of a district, and running the cycle sweep by hand (the clocks run it too).
  'inspections.read': ['admin', 'dispatcher', 'supervisor', 'leader'],
  'inspections.sweep': ['admin', 'supervisor'],
  'users.manage': ['admin'],
  // 城市底图数据: import, check, commit and export districts, the grid, key areas and illegal buildings.
  'gis.manage': ['admin'],
  // 编制: squads (中队) with base and district, officers with certificate, expiry and equipment.
  'roster.manage': ['admin'],
  // 节假日安排: the holiday calendar per year, which every working-day time limit counts on.
  'calendar.manage': ['admin'],
  // 案件分类目录: catalogue versions (create from JSON or CSV, make one current).
  'categories.manage': ['admin'],
  // The administrative change log (admin_audit): who changed what, before → after.
  'audit.read': ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

/** Roles whose scope is a district they were given (null = the whole city). */
export interface Scope {
  role: Role;
  districtAdcode: string | null;
  officerId: number | null;
}

export function seesDistrict(scope: Scope, adcode: string | null): boolean {
  return scope.districtAdcode === null || scope.districtAdcode === adcode;
}

/**
 * The district a list is narrowed to: the one asked for, within the user's own scope. A district-scoped
 * user asking for another district is refused (not silently given their own).
 */
export function listDistrict(
  scope: Pick<Scope, 'districtAdcode'> | null,
  requested: string | null,
): { ok: true; district: string | null } | { ok: false; message: string } {
  const own = scope?.districtAdcode ?? null;
  if (own && requested && requested !== own) return { ok: false, message: `you see district ${own} only, not ${requested}` };
  return { ok: true, district: own ?? requested };
}
