import { describe, expect, it } from 'vitest';
import { byUrgency, emptyFilter, filterOptions, isFiltered, matches, matchesState, type QueueFilter } from '../../client/src/console/cases/queue-filter.ts';
import type { CaseView } from '../../client/src/common/cases/types.ts';
import { CASE_STATES } from '#shared/cases/states.ts';

let nextId = 1;
function incident(over: Partial<CaseView> = {}): CaseView {
  const id = over.id ?? nextId++;
  return {
    id,
    code: `C${id}`,
    state: 'registered',
    category: { code: '0102', nameZh: '占道经营', nameEn: 'Street vending', timeLimit: 2, timeType: 'working_hours', enforcement: false },
    source: 'public',
    sourceRef: null,
    description: '',
    lon: 104.06,
    lat: 30.65,
    address: null,
    gridCode: null,
    districtAdcode: '510104',
    districtName: '锦江区',
    streetCode: null,
    streetName: null,
    communityCode: null,
    communityName: null,
    landmark: null,
    keyAreas: [],
    priority: 50,
    deadline: null,
    overdue: false,
    reportedAt: '2026-03-01T08:00:00.000Z',
    registeredAt: null,
    dispatchedAt: null,
    acceptedAt: null,
    onSceneAt: null,
    handledAt: null,
    closedAt: null,
    outcome: null,
    feedbackNotes: null,
    stateReason: null,
    reworkCount: 0,
    extendedCount: 0,
    escalatedAt: null,
    mergedInto: null,
    building: null,
    officers: [],
    evidence: [],
    ...over,
  };
}
const filter = (over: Partial<QueueFilter>): QueueFilter => ({ ...emptyFilter(), ...over });

describe('the queue order (byUrgency)', () => {
  it('puts the highest priority first, then the longest waiting, then the lower id', () => {
    const list = [
      incident({ id: 1, priority: 50, reportedAt: '2026-03-01T09:00:00.000Z' }),
      incident({ id: 2, priority: 90, reportedAt: '2026-03-01T10:00:00.000Z' }),
      incident({ id: 3, priority: 50, reportedAt: '2026-03-01T08:00:00.000Z' }),
      incident({ id: 5, priority: 50, reportedAt: '2026-03-01T09:00:00.000Z' }),
      incident({ id: 4, priority: 50, reportedAt: '2026-03-01T09:00:00.000Z' }),
      incident({ id: 6, priority: 70, reportedAt: '2026-03-02T00:00:00.000Z' }),
    ];
    expect([...list].sort(byUrgency).map((i) => i.id)).toEqual([2, 6, 3, 1, 4, 5]);
  });

  it('is a total order: any starting order sorts the same', () => {
    const list = Array.from({ length: 40 }, (_, i) =>
      incident({ id: 100 + i, priority: ((i * 7) % 3) * 30, reportedAt: `2026-03-0${1 + (i % 3)}T0${i % 5}:00:00.000Z` }),
    );
    const once = [...list].sort(byUrgency).map((i) => i.id);
    expect(
      [...list]
        .reverse()
        .sort(byUrgency)
        .map((i) => i.id),
    ).toEqual(once);
    expect(new Set(once).size).toBe(list.length);
  });
});

describe('the queue filter', () => {
  it('is off when every field is empty or blank', () => {
    expect(isFiltered(emptyFilter())).toBe(false);
    expect(isFiltered(filter({ text: '   ' }))).toBe(false);
    expect(isFiltered(filter({ district: '510104' }))).toBe(true);
    expect(matches(incident(), emptyFilter())).toBe(true);
  });

  it('groups states as a dispatcher thinks of them: to do, in the field, overdue, or one state', () => {
    const groups = { todo: ['reported', 'registered'], field: ['dispatched', 'accepted', 'on_scene'] } as const;
    for (const state of CASE_STATES) {
      const inc = incident({ state });
      expect(matchesState(inc, ''), state).toBe(true);
      expect(matchesState(inc, 'todo'), state).toBe((groups.todo as readonly string[]).includes(state));
      expect(matchesState(inc, 'field'), state).toBe((groups.field as readonly string[]).includes(state));
      for (const other of CASE_STATES) expect(matchesState(inc, other), `${state} as ${other}`).toBe(state === other);
    }
    expect(matchesState(incident({ overdue: true, state: 'accepted' }), 'overdue')).toBe(true);
    expect(matchesState(incident({ overdue: false }), 'overdue')).toBe(false);
  });

  it('filters by district, category, source and key area, all of them at once', () => {
    const inc = incident({
      districtAdcode: '510105',
      source: 'video',
      keyAreas: [
        { id: 3, name: '宽窄巷子' },
        { id: 9, name: '人民公园' },
      ],
    });
    expect(matches(inc, filter({ district: '510105' }))).toBe(true);
    expect(matches(inc, filter({ district: '510104' }))).toBe(false);
    expect(matches(inc, filter({ category: '0102' }))).toBe(true);
    expect(matches(inc, filter({ category: '0403' }))).toBe(false);
    expect(matches(inc, filter({ source: 'video' }))).toBe(true);
    expect(matches(inc, filter({ source: 'public' }))).toBe(false);
    expect(matches(inc, filter({ keyArea: '9' }))).toBe(true);
    expect(matches(inc, filter({ keyArea: '4' }))).toBe(false);
    expect(matches(inc, filter({ district: '510105', source: 'video', keyArea: '3', state: 'todo' }))).toBe(true);
    expect(matches(inc, filter({ district: '510105', source: 'video', keyArea: '3', state: 'field' }))).toBe(false);
  });

  it('finds every word of the search, in any case, in the code, category, place or description', () => {
    const inc = incident({
      code: 'JJ20260301-0042',
      description: '燃气管道破裂 Gas leak',
      address: '春熙路 8 号',
      streetName: '春熙路街道',
      gridCode: '510104001001001',
      keyAreas: [{ id: 1, name: '太古里' }],
    });
    for (const text of [
      'jj20260301',
      '占道',
      'street VENDING',
      '0102',
      'gas LEAK',
      '春熙路 8',
      '锦江区',
      '春熙路街道',
      '510104001001001',
      '太古里',
      '  燃气   破裂  ',
    ])
      expect(matches(inc, filter({ text })), text).toBe(true);
    for (const text of ['燃气 水管', 'JJ2025', '青羊区']) expect(matches(inc, filter({ text })), text).toBe(false);
    // a case without an address or names still matches on what it has
    expect(matches(incident({ address: null, districtName: null, streetName: null, gridCode: null, description: '井盖缺失' }), filter({ text: '井盖' }))).toBe(
      true,
    );
  });

  it('offers each option with its count, most frequent first, ties in Chinese order', () => {
    const list = [
      incident({ districtAdcode: '510104', districtName: '锦江区', source: 'public', keyAreas: [{ id: 1, name: '太古里' }] }),
      incident({
        districtAdcode: '510105',
        districtName: '青羊区',
        source: 'video',
        keyAreas: [
          { id: 1, name: '太古里' },
          { id: 2, name: '宽窄巷子' },
        ],
      }),
      incident({ districtAdcode: '510105', districtName: '青羊区', source: 'video' }),
      incident({ districtAdcode: null, districtName: null, source: 'patrol' }),
      incident({ districtAdcode: '510106', districtName: null, category: { ...incident().category, code: '0403', nameZh: '燃气' } }),
    ];
    const o = filterOptions(list);
    expect(o.district).toEqual([
      { value: '510105', label: '青羊区', count: 2 },
      // no name: the code stands for it; ties go in zh-CN order
      { value: '510106', label: '510106', count: 1 },
      { value: '510104', label: '锦江区', count: 1 },
    ]);
    expect(o.category).toEqual([
      { value: '0102', label: '占道经营', count: 4 },
      { value: '0403', label: '燃气', count: 1 },
    ]);
    expect(o.source.map((s) => [s.value, s.count])).toEqual([
      ['public', 2],
      ['video', 2],
      ['patrol', 1],
    ]);
    expect(o.keyArea).toEqual([
      { value: '1', label: '太古里', count: 2 },
      { value: '2', label: '宽窄巷子', count: 1 },
    ]);
    expect(filterOptions([])).toEqual({ district: [], category: [], source: [], keyArea: [] });
  });
});
