// Names and colours of case states, steps, sources and events (Chinese first), and clock formats.
import { STEPS } from '#shared/cases/state-machine.ts';
import { CASE_STATE_NAMES, isFinal } from '#shared/cases/states.ts';
import { TIME_TYPE_NAMES } from '#shared/categories/time-types.ts';
import { ROLE_NAMES } from '#shared/roles.ts';
import type { EventType } from '#shared/cases/events.ts';
import { bi, type Bi } from '../i18n.ts';
import type { CaseAction, CaseState, Outcome, Role, Source } from './types.ts';

export const stateName = (s: CaseState): Bi => CASE_STATE_NAMES[s] ?? bi(s, '');
export const stepName = (a: CaseAction): Bi => ({ zh: STEPS[a].zh, en: STEPS[a].en });
export const roleName = (r: Role): Bi => ROLE_NAMES[r] ?? bi(r, '');
export const timeTypeName = (t: keyof typeof TIME_TYPE_NAMES): Bi => TIME_TYPE_NAMES[t] ?? bi(t, '');

/** Map and badge colour of each state; the dispatcher's own work (registered) stands out most. */
export const stateColor: Record<CaseState, string> = {
  reported: '#e879f9',
  registered: '#ff8c1a',
  dispatched: '#ffd84d',
  accepted: '#4dabff',
  on_scene: '#32d6ff',
  handled: '#3ddc84',
  suspended: '#8c98b0',
  closed: '#5a6a85',
  voided: '#5a6a85',
};
export const OVERDUE_COLOR = '#ff3355';

export const sourceName: Record<Source, Bi> = {
  supervisor: bi('监督员上报', 'grid supervisor'),
  public: bi('公众举报', 'public complaint'),
  video: bi('视频监控', 'video'),
  department: bi('部门移送', 'department'),
  media: bi('媒体曝光', 'media'),
  inspection: bi('督查检查', 'inspection'),
  patrol: bi('巡查发现', 'patrol'),
  dispatcher: bi('指挥中心', 'command centre'),
};

export const outcomeName: Record<Outcome, Bi & { share: string }> = {
  service: { zh: '服务', en: 'service', share: '70%' },
  management: { zh: '管理', en: 'management', share: '20%' },
  enforcement: { zh: '执法', en: 'enforcement', share: '10%' },
};

export const dispatchStateName: Record<string, Bi> = {
  pending: bi('待接单', 'pending'),
  accepted: bi('已接单', 'accepted'),
  declined: bi('已退单', 'declined'),
  done: bi('已完成', 'done'),
  timed_out: bi('接单超时', 'timed out'),
  cancelled: bi('已撤销', 'cancelled'),
};

export const eventName: Record<EventType, Bi> = {
  'incident.reported': bi('上报', 'reported'),
  'incident.registered': bi('立案', 'registered'),
  'incident.dispatched': bi('派遣', 'dispatched'),
  'incident.accepted': bi('接单', 'accepted'),
  'incident.declined': bi('退单', 'declined'),
  'incident.arrived': bi('到场', 'arrived'),
  'incident.evidence_added': bi('上传照片', 'photos added'),
  'incident.handled': bi('处置反馈', 'handled'),
  'incident.closed': bi('核查结案', 'closed'),
  'incident.reworked': bi('返工', 'rework'),
  'incident.suspended': bi('挂账', 'suspended'),
  'incident.resumed': bi('销账恢复', 'resumed'),
  'incident.extended': bi('延期', 'extended'),
  'incident.voided': bi('作废', 'voided'),
  'incident.overdue': bi('超期', 'overdue'),
  'incident.escalated': bi('督办', 'escalated'),
  'incident.dispatch_timed_out': bi('接单超时', 'acceptance timed out'),
  'incident.merged': bi('合并', 'merged'),
  'incident.reassigned': bi('改派', 'reassigned'),
  'officer.duty': bi('上岗/下岗', 'duty change'),
  'map.updated': bi('底图更新', 'map updated'),
  'roster.updated': bi('编制变更', 'roster changed'),
  'building.discovered': bi('违建登记', 'building registered'),
  'building.verified': bi('违建核查', 'building verified'),
  'building.filed': bi('违建立案', 'building filed'),
  'building.ordered': bi('责令整改', 'rectification ordered'),
  'building.demolished': bi('违建拆除', 'building demolished'),
  'building.rectified': bi('整改完成', 'building rectified'),
  'building.closed': bi('违建销号', 'building closed'),
  'building.dismissed': bi('核查不实', 'building dismissed'),
  'building.escalated': bi('违建督办', 'building escalated'),
  'building.case_linked': bi('案件关联违建', 'case joined to building'),
  'building.inspection_due': bi('违建待巡查', 'building due for inspection'),
  'building.inspected': bi('违建巡查', 'building inspected'),
};
export const eventLabel = (type: string): Bi => eventName[type as EventType] ?? bi(type, '');

/** Event types that raise a toast on the wall (alerts), with their tone. */
export const alertTone: Record<string, 'alert' | 'warn' | 'info'> = {
  'incident.overdue': 'alert',
  'incident.escalated': 'alert',
  'building.escalated': 'alert',
  'incident.dispatch_timed_out': 'alert',
  'incident.declined': 'warn',
  'incident.reworked': 'warn',
  'incident.reported': 'info',
};

/** "1:05:09", "2天 03:10" — the time left, or the time over when negative. */
export function formatSpan(ms: number): string {
  const total = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (d > 0) return `${d}天 ${pad(h)}:${pad(m)}`;
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${pad(m)}:${pad(s)}`;
}

export interface Countdown {
  text: string;
  overdue: boolean;
  /** less than 20 % of an hour or 30 minutes left */
  soon: boolean;
}

export function countdown(deadline: string | null, overdueFlag: boolean, now: number): Countdown | null {
  if (!deadline) return null;
  const left = new Date(deadline).getTime() - now;
  if (!Number.isFinite(left)) return null;
  const overdue = overdueFlag || left < 0;
  return { text: overdue ? `超期 ${formatSpan(left)}` : formatSpan(left), overdue, soon: !overdue && left < 30 * 60_000 };
}

/**
 * A case's clock as the console shows it. An open case counts down to its deadline (or up past it);
 * a finished case (FINAL_STATES: 结案, 作废) has no clock running: a closed case shows the time it took
 * and, if it closed after its deadline, by how much (超时); a voided case shows no time at all.
 */
export function caseClock(
  inc: { state: CaseState; deadline: string | null; overdue: boolean; reportedAt: string; closedAt: string | null },
  now: number,
): (Countdown & { final: boolean }) | null {
  if (!isFinal(inc.state)) {
    const cd = countdown(inc.deadline, inc.overdue, now);
    return cd && { ...cd, final: false };
  }
  if (inc.state !== 'closed') return { text: `已${CASE_STATE_NAMES[inc.state].zh}`, overdue: false, soon: false, final: true };
  const closed = inc.closedAt ? Date.parse(inc.closedAt) : NaN;
  const used = closed - Date.parse(inc.reportedAt);
  const late = inc.deadline ? closed - Date.parse(inc.deadline) : NaN;
  const parts = ['已结案'];
  if (Number.isFinite(used)) parts.push(`用时 ${formatSpan(used)}`);
  if (late > 0) parts.push(`超时 ${formatSpan(late)}`);
  return { text: parts.join(' · '), overdue: late > 0, soon: false, final: true };
}

export function formatMeters(m: number): string {
  return m < 1000 ? `${Math.round(m)} m` : `${(m / 1000).toFixed(m < 10_000 ? 2 : 1)} km`;
}

const hmFmt = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
const mdFmt = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', month: '2-digit', day: '2-digit' });

/** 14:05:09 today, "03/12 14:05:09" on another day (Beijing time). */
export function formatWhen(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const sameDay = mdFmt.format(d) === mdFmt.format(new Date(now));
  return sameDay ? hmFmt.format(d) : `${mdFmt.format(d)} ${hmFmt.format(d)}`;
}

/** "5 分钟前" style age ("5 min ago" for an English-first console). */
export function formatAge(iso: string | null | undefined, now = Date.now(), lang: 'zh' | 'en' = 'zh'): string {
  if (!iso) return '—';
  const ms = now - new Date(iso).getTime();
  if (!Number.isFinite(ms)) return '—';
  const en = lang === 'en';
  const min = Math.floor(ms / 60_000);
  if (min < 1) return en ? 'just now' : '刚刚';
  if (min < 60) return en ? `${min} min ago` : `${min} 分钟前`;
  const h = Math.floor(min / 60);
  if (h < 48) return en ? `${h} h ago` : `${h} 小时前`;
  return en ? `${Math.floor(h / 24)} days ago` : `${Math.floor(h / 24)} 天前`;
}

/** Priority bands for the badge colour. */
export function priorityTone(p: number): 'p-high' | 'p-mid' | 'p-low' {
  return p >= 70 ? 'p-high' : p >= 40 ? 'p-mid' : 'p-low';
}
