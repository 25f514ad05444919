/**
 * 控违拆违 progress: what each figure of GET /api/buildings/progress means, as data the server
 * computes to (server/buildings/progress/repository.ts), the leader view shows on hover, and the
 * indicators' definitions list and the XLSX export carry.
 */
import type { Bilingual } from '../indicators/definitions.ts';

export const PROGRESS_GROUPINGS = ['district', 'street', 'squad', 'month'] as const;
export type ProgressGrouping = (typeof PROGRESS_GROUPINGS)[number];

export const PROGRESS_GROUPING_NAMES: Record<ProgressGrouping, Bilingual> = {
  district: { zh: '区县', en: 'district' },
  street: { zh: '街道', en: 'street' },
  squad: { zh: '中队', en: 'squad' },
  month: { zh: '月份', en: 'month' },
};

export const PROGRESS_KEYS = ['stockDemolishedM2', 'stockDemolishedCount', 'newFound', 'newDemolishedM2'] as const;
export type ProgressKey = (typeof PROGRESS_KEYS)[number];

export interface ProgressDefinition {
  key: ProgressKey;
  /** m2: square metres; count: buildings */
  unit: 'm2' | 'count';
  name: Bilingual;
  definition: Bilingual;
}

export const PROGRESS_DEFINITIONS: ProgressDefinition[] = [
  {
    key: 'stockDemolishedM2',
    unit: 'm2',
    name: { zh: '存量拆除面积', en: 'stock demolished, m²' },
    definition: {
      zh: '当年拆除日期在年内的存量违建拆除面积之和（m²），部分拆除按其拆除面积计，分次拆除逐次计入。',
      en: 'Sum of the m² of every demolition of a stock (存量) building dated in the year; partial demolitions count their m², one in several goes counts each go.',
    },
  },
  {
    key: 'stockDemolishedCount',
    unit: 'count',
    name: { zh: '存量拆除宗数', en: 'stock demolished, buildings' },
    definition: {
      zh: '首次拆除日期在年内的存量违建宗数（一宗违建只在其首次拆除的年份计一次）。',
      en: 'Stock buildings whose first demolition falls in the year (a building counts once, in the year of its first demolition).',
    },
  },
  {
    key: 'newFound',
    unit: 'count',
    name: { zh: '新增违建', en: 'new illegal buildings' },
    definition: {
      zh: '发现日期在年内的新增违建宗数；核查不实已销号（未拆除、未整改）的不计。目标为零增长。',
      en: 'New (新增) buildings discovered in the year, less those dismissed as not illegal (closed with nothing demolished or rectified). The target is zero growth.',
    },
  },
  {
    key: 'newDemolishedM2',
    unit: 'm2',
    name: { zh: '新增拆除面积', en: 'new demolished, m²' },
    definition: {
      zh: '当年拆除日期在年内的新增违建拆除面积之和（m²）。',
      en: 'Sum of the m² of every demolition of a new building dated in the year.',
    },
  },
];

export const PROGRESS_RULES: Bilingual[] = [
  {
    zh: '年度按北京时间自然年计；按月统计时以拆除日期（新增违建以发现日期）所在月份计。',
    en: 'A year is the calendar year in Beijing time; by month, a demolition counts in the month of its date, a new building in the month it was discovered.',
  },
  {
    zh: '拆除按登记时所在区县、街道和执行中队归属（以后调整网格不改变往年数字）；新增违建归属其所在网格的中队。',
    en: 'A demolition belongs to the district, street and squad it was recorded with (a later grid edit does not move past figures); a new building to the squad of its grid cell.',
  },
  {
    zh: '目标按区县和年度设定：存量拆除面积、宗数，新增违建上限（0 = 零增长）；合计行目标为范围内各区县目标之和。',
    en: 'Targets are per district and year: stock m² and count to demolish, new buildings allowed (0 = zero growth); the totals row carries the sum of the targets in scope.',
  },
  {
    zh: '阶段分布为当前状态：各阶段、存量/新增的宗数和占地面积（m²）。',
    en: 'The stage breakdown is the current state: buildings and footprint m² per stage and kind.',
  },
];

/** A year the progress routes accept: the register holds nothing before 2000 and the targets stop at 2100. */
export function progressYearProblem(year: number): string | null {
  if (!Number.isInteger(year) || year < 2000 || year > 2100) return `year ${year} is out of range: send a calendar year from 2000 to 2100, e.g. 2026`;
  return null;
}

/** New construction beyond the allowed number (the zero target exceeded): shown red. */
export function newOverTarget(newFound: number, newMax: number | null | undefined): boolean {
  return newMax !== null && newMax !== undefined && newFound > newMax;
}

/** Share of a target reached, 0… (null without a target above 0). */
export function targetShare(done: number, target: number | null | undefined): number | null {
  return target && target > 0 ? done / target : null;
}
