// The administration screens, in the order of their tabs: the routes, the tab labels and who may open
// each come from here (the shell, App.svelte's routing and the tests read the same list).
import type { Permission } from '#shared/auth/permissions.ts';

export interface AdminScreen {
  path: string;
  zh: string;
  en: string;
  permission: Permission;
}

export const ADMIN_SCREENS = [
  { path: 'gis', zh: '底图数据', en: 'GIS data', permission: 'gis.manage' },
  { path: 'users', zh: '用户', en: 'Users', permission: 'users.manage' },
  { path: 'squads', zh: '中队', en: 'Squads', permission: 'roster.manage' },
  { path: 'officers', zh: '队员', en: 'Officers', permission: 'roster.manage' },
  { path: 'categories', zh: '案件分类', en: 'Categories', permission: 'categories.manage' },
  { path: 'holidays', zh: '节假日', en: 'Holidays', permission: 'calendar.manage' },
  { path: 'audit', zh: '审计日志', en: 'Audit log', permission: 'audit.read' },
] as const satisfies readonly AdminScreen[];

export type AdminPath = (typeof ADMIN_SCREENS)[number]['path'];

/** The screen a hash names (#/admin/users → users); the first one for #/admin or an unknown name. */
export function adminScreen(hash: string): (typeof ADMIN_SCREENS)[number] {
  const name = hash.replace(/^#\/admin\/?/, '').split(/[/?]/)[0];
  return ADMIN_SCREENS.find((s) => s.path === name) ?? ADMIN_SCREENS[0];
}
