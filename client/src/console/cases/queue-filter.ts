// The queue's order and filters (state, district, category, source, key area). Options are offered from the
// open cases themselves, with counts, so a dispatcher never picks a filter that shows nothing.
import { byQueueOrder } from '#shared/cases/queue-order.ts';
import { FIELD_STATES, TODO_STATES } from '#shared/cases/states.ts';
import type { CaseState, CaseView, Source } from '../../common/cases/types.ts';

/** a case state, or one of the groups a dispatcher thinks in */
export type StateFilter = '' | CaseState | 'todo' | 'field' | 'overdue';

export interface QueueFilter {
  state: StateFilter;
  district: string;
  category: string;
  source: '' | Source;
  keyArea: string;
  /** words to find in the code, category, place or description (a citizen calls back with a number) */
  text: string;
}

/** The queue's order: waiting for dispatch first, then overdue, then priority (shared/cases/queue-order.ts). */
export const byUrgency = byQueueOrder;

export const emptyFilter = (): QueueFilter => ({ state: '', district: '', category: '', source: '', keyArea: '', text: '' });

function matchesText(inc: CaseView, text: string): boolean {
  const hay = [
    inc.code,
    inc.category.nameZh,
    inc.category.nameEn,
    inc.category.code,
    inc.description,
    inc.address ?? '',
    inc.districtName ?? '',
    inc.streetName ?? '',
    inc.gridCode ?? '',
    ...inc.keyAreas.map((k) => k.name),
  ]
    .join(' ')
    .toLowerCase();
  return text
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((w) => hay.includes(w));
}

export function matchesState(inc: CaseView, s: StateFilter): boolean {
  switch (s) {
    case '':
      return true;
    case 'todo':
      return TODO_STATES.includes(inc.state);
    case 'field':
      return FIELD_STATES.includes(inc.state);
    case 'overdue':
      return inc.overdue;
    default:
      return inc.state === s;
  }
}

export function matches(inc: CaseView, f: QueueFilter): boolean {
  return (
    matchesState(inc, f.state) &&
    (f.district === '' || inc.districtAdcode === f.district) &&
    (f.category === '' || inc.category.code === f.category) &&
    (f.source === '' || inc.source === f.source) &&
    (f.keyArea === '' || inc.keyAreas.some((k) => String(k.id) === f.keyArea)) &&
    (f.text.trim() === '' || matchesText(inc, f.text))
  );
}

export const isFiltered = (f: QueueFilter): boolean => Object.values(f).some((v) => v.trim() !== '');

export interface FilterOption {
  value: string;
  label: string;
  count: number;
}

/** What each filter can be set to, given the open cases: label and count, most frequent first. */
export function filterOptions(list: CaseView[]): Record<'district' | 'category' | 'source' | 'keyArea', FilterOption[]> {
  const tally = (key: (i: CaseView) => [string, string][]) => {
    const m = new Map<string, FilterOption>();
    for (const inc of list) {
      for (const [value, label] of key(inc)) {
        const o = m.get(value);
        if (o) o.count += 1;
        else m.set(value, { value, label, count: 1 });
      }
    }
    return [...m.values()].sort((a, b) => b.count - a.count || a.label.localeCompare(b.label, 'zh-CN'));
  };
  return {
    district: tally((i) => (i.districtAdcode ? [[i.districtAdcode, i.districtName ?? i.districtAdcode]] : [])),
    category: tally((i) => [[i.category.code, i.category.nameZh]]),
    source: tally((i) => [[i.source, i.source]]),
    keyArea: tally((i) => i.keyAreas.map((k) => [String(k.id), k.name] as [string, string])),
  };
}
