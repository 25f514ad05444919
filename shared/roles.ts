export const ROLES = ['admin', 'dispatcher', 'supervisor', 'leader', 'officer'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_NAMES: Record<Role, { zh: string; en: string }> = {
  admin: { zh: '系统管理员', en: 'Administrator' },
  dispatcher: { zh: '指挥调度员', en: 'Dispatcher' },
  supervisor: { zh: '监督核查员', en: 'Supervisor' },
  leader: { zh: '领导', en: 'Leader (district or city)' },
  officer: { zh: '执法队员', en: 'Officer' },
};

/** An officer's user is linked to their officer record (officerId); no one else's is. Why not, or null. */
export function officerLinkProblem(role: Role, officerId: number | null): string | null {
  return (role === 'officer') === (officerId !== null) ? null : 'officerId is required for role officer, and only for it';
}
