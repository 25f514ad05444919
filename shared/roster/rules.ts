// Rules about the roster (编制) an administrator keeps: squads at their bases, officers (执法队员) with
// an enforcement certificate (执法证), auxiliaries (协管员) without one. The server checks them and the
// administration screens show the same words.
import { chinaToday, isCertified } from '../workforce.ts';

/** A certificate this close to its end is flagged in the screens (and the squad board) ahead of time. */
export const CERTIFICATE_WARN_DAYS = 30;

export const CERTIFICATE_STATES = ['valid', 'expiring', 'expired', 'none'] as const;
export type CertificateState = (typeof CERTIFICATE_STATES)[number];

/** Equipment the screens offer as choices; any other item an administrator types is kept as typed. */
export const EQUIPMENT_CHOICES = ['执法车', '电动巡逻车', '执法记录仪', '手持终端', '对讲机'] as const;

function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/**
 * valid / expiring (within CERTIFICATE_WARN_DAYS) / expired / none (an auxiliary). Expired officers are
 * never recommended nor accepted by the dispatch step: isCertified is the one rule for that.
 */
export function certificateState(o: { kind: 'officer' | 'auxiliary'; certificateExpires: string | null }, today: string = chinaToday()): CertificateState {
  if (o.kind !== 'officer') return 'none';
  if (!isCertified(o, today)) return 'expired';
  if (o.certificateExpires !== null && o.certificateExpires <= addDays(today, CERTIFICATE_WARN_DAYS)) return 'expiring';
  return 'valid';
}

/** What is wrong with an officer's certificate fields, in words that say what to fix; null when right. */
export function certificateProblem(o: { kind: 'officer' | 'auxiliary'; certificateNo: string | null; certificateExpires: string | null }): string | null {
  if (o.kind === 'auxiliary') {
    return o.certificateNo !== null || o.certificateExpires !== null
      ? '协管员不持执法证 an auxiliary holds no enforcement certificate: leave certificateNo and certificateExpires empty, or make the kind officer'
      : null;
  }
  if (!o.certificateNo) return '执法队员须有执法证号 an officer needs certificateNo (执法证号)';
  if (!o.certificateExpires) return '执法证须有有效期 an officer needs certificateExpires (YYYY-MM-DD)';
  return null;
}
