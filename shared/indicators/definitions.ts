/**
 * The indicators district leaders are judged by (考核, domain.md §7), with the exact meaning the
 * server computes them with (server/indicators/repository.ts). Shown to a leader on hover and
 * written into every export.
 *
 * The rules every figure follows, for a period [from, to):
 * - "as of" = the earlier of `to` and now: a period still running is measured up to now; a period
 *   that has ended is measured at its end, so its figures never change afterwards.
 * - Only registered (立案) cases count. A report not registered by "as of", and a case voided (作废,
 *   合并) before "as of", count nowhere.
 * - Each case is due to close (and due to handle) in exactly one period: the one containing its
 *   deadline, or, if it was closed (handled) earlier, the moment it was closed (handled).
 * - The deadline is the case's deadline with its approved extensions (延期); "on time" = at or
 *   before it.
 * - A case belongs to the district it lies in, and to the squad (中队) of the officer first sent to
 *   it (the first dispatch record: 首问负责制, first-responder responsibility). A case never
 *   dispatched falls under "not dispatched" when grouped by squad.
 * - Ratios are fractions 0–1, null when the denominator is 0; averages are minutes, null when no case.
 */

/** 按时派遣: the first dispatch within this many minutes of registration (domain.md §5: verify + register + dispatch ≤ 1 working hour; the command centre is staffed around the clock, so continuous minutes). */
export const DISPATCH_LIMIT_MINUTES = 60;

import { PROGRESS_DEFINITIONS, PROGRESS_RULES, type ProgressDefinition } from '../buildings/progress.ts';

export { MAX_PERIOD_DAYS } from '../time/period.ts';

export const COUNT_KEYS = [
  'registered',
  'registeredClosed',
  'dueToClose',
  'closedOnTime',
  'reworked',
  'dueToHandle',
  'handled',
  'handledOnTime',
  'overdueOpen',
  'dueToDispatch',
  'dispatched',
  'dispatchedOnTime',
  'dispatchedReworked',
  'arrived',
  'registeredHandled',
] as const;
export type CountKey = (typeof COUNT_KEYS)[number];

export const INDICATOR_KEYS = [
  'closeRate',
  'onTimeCloseRate',
  'handleRate',
  'onTimeHandleRate',
  'reworkRate',
  'overdueOpenRate',
  'onTimeDispatchRate',
  'accurateDispatchRate',
  'avgDispatchMinutes',
  'avgArriveMinutes',
  'avgHandleMinutes',
] as const;
export type IndicatorKey = (typeof INDICATOR_KEYS)[number];

export interface Bilingual {
  zh: string;
  en: string;
}

export interface CountDefinition {
  key: CountKey;
  name: Bilingual;
  definition: Bilingual;
}

export interface IndicatorDefinition {
  key: IndicatorKey;
  /** ratio: a fraction 0–1; minutes: an average duration */
  kind: 'ratio' | 'minutes';
  name: Bilingual;
  /** one sentence, shown on hover */
  definition: Bilingual;
  numerator: Bilingual;
  denominator: Bilingual;
  /** the same in terms of the count keys, e.g. "(dispatched − dispatchedReworked) / dispatched" */
  formula: string;
}

export interface IndicatorDefinitions {
  dispatchLimitMinutes: number;
  /** the rules every figure follows (period, what counts, attribution) */
  rules: Bilingual[];
  counts: CountDefinition[];
  indicators: IndicatorDefinition[];
  /** 控违拆违: the illegal-building progress figures (shared/buildings/progress.ts) */
  buildings: { rules: Bilingual[]; figures: ProgressDefinition[] };
}

const L = DISPATCH_LIMIT_MINUTES;

export const RULES: Bilingual[] = [
  {
    zh: '统计期为 [起, 止)；截至时点 = 止 与当前时刻中较早者：进行中的统计期算到此刻，已结束的统计期按期末计算，此后不再变化。',
    en: 'The period is [from, to); "as of" is the earlier of `to` and now: a running period is measured up to now, an ended one at its end, and its figures never change afterwards.',
  },
  {
    zh: '只统计已立案案件；截至时点仍未立案的上报、截至时点前已作废（含合并）的案件均不计入。',
    en: 'Only registered (立案) cases count; reports not registered by "as of" and cases voided or merged before it count nowhere.',
  },
  {
    zh: '每个案件只在一个统计期内“应结案”（“应处置”）：其处置时限所在的统计期；若提前结案（处置），则为结案（首次处置）时刻所在的统计期。',
    en: 'Each case is due to close (to handle) in exactly one period: the one holding its deadline or, if closed (first handled) earlier, the one holding that moment.',
  },
  {
    zh: '时限为案件的处置时限（含批准的延期）；“按期” = 在时限之时或之前完成。',
    en: 'The deadline is the case\'s deadline including approved extensions (延期); "on time" = at or before it.',
  },
  {
    zh: `按时派遣：立案后 ${L} 分钟内（连续计时，指挥中心全天值守）首次派遣。`,
    en: `Dispatched on time: first dispatched within ${L} minutes of registration (continuous minutes; the command centre is staffed around the clock).`,
  },
  {
    zh: '案件归属其所在区县；按中队统计时归属首次派遣（首条派遣记录）的队员所在中队（首问负责制），从未派遣的案件归入“未派遣”。',
    en: 'A case belongs to the district it lies in and to the squad of the officer of its first dispatch record (首问负责制, first-responder responsibility); cases never dispatched go under "not dispatched".',
  },
  {
    zh: '比率为 0–1 的小数，分母为 0 时为空；平均时长单位为分钟，无样本时为空。',
    en: 'Ratios are fractions 0–1, null when the denominator is 0; averages are in minutes, null when there is no case to average.',
  },
];

export const COUNT_DEFINITIONS: CountDefinition[] = [
  {
    key: 'registered',
    name: { zh: '立案数', en: 'registered' },
    definition: { zh: '统计期内立案（首次立案时刻在统计期内）的案件数。', en: 'Cases first registered in the period.' },
  },
  {
    key: 'registeredClosed',
    name: { zh: '立案已结案数', en: 'registered and closed' },
    definition: { zh: '统计期内立案的案件中，截至时点已结案的件数。', en: 'Of the cases registered in the period, those closed by "as of".' },
  },
  {
    key: 'dueToClose',
    name: { zh: '应结案数', en: 'due to close' },
    definition: {
      zh: '处置时限在统计期内的案件，加上在统计期内提前结案的案件（时限在统计期之后）。',
      en: 'Cases whose deadline falls in the period, plus those closed in the period ahead of a later deadline.',
    },
  },
  {
    key: 'closedOnTime',
    name: { zh: '按期结案数', en: 'closed on time' },
    definition: {
      zh: '应结案案件中，截至时点已结案且结案时刻不晚于时限的件数。',
      en: 'Of the cases due to close, those closed by "as of" at or before their deadline.',
    },
  },
  {
    key: 'reworked',
    name: { zh: '返工案件数', en: 'reworked' },
    definition: {
      zh: '应结案案件中，截至时点至少返工一次的件数（据事件日志）。',
      en: 'Of the cases due to close, those sent back for rework at least once by "as of" (from the event log).',
    },
  },
  {
    key: 'dueToHandle',
    name: { zh: '应处置数', en: 'due to handle' },
    definition: {
      zh: '处置时限在统计期内的案件，加上在统计期内提前首次处置反馈的案件（时限在统计期之后）。',
      en: 'Cases whose deadline falls in the period, plus those first handled in the period ahead of a later deadline.',
    },
  },
  {
    key: 'handled',
    name: { zh: '处置数', en: 'handled' },
    definition: {
      zh: '应处置案件中，截至时点已有处置反馈的件数（以首次处置反馈计）。',
      en: 'Of the cases due to handle, those with a handling report (处置反馈; the first counts) by "as of".',
    },
  },
  {
    key: 'handledOnTime',
    name: { zh: '按期处置数', en: 'handled on time' },
    definition: { zh: '应处置案件中，首次处置反馈不晚于时限的件数。', en: 'Of the cases due to handle, those first handled at or before their deadline.' },
  },
  {
    key: 'overdueOpen',
    name: { zh: '超期待处置数', en: 'overdue still open' },
    definition: {
      zh: '应处置案件中，截至时点已过时限仍无处置反馈的件数（含挂账）。',
      en: 'Of the cases due to handle, those past their deadline with no handling report at "as of" (suspended 挂账 ones included).',
    },
  },
  {
    key: 'dueToDispatch',
    name: { zh: '应派遣数', en: 'due to dispatch' },
    definition: {
      zh: `统计期内立案的案件中，截至时点已派遣或立案已满 ${L} 分钟的件数。`,
      en: `Of the cases registered in the period, those dispatched or registered at least ${L} minutes before "as of".`,
    },
  },
  {
    key: 'dispatched',
    name: { zh: '派遣数', en: 'dispatched' },
    definition: { zh: '统计期内立案的案件中，截至时点已派遣的件数。', en: 'Of the cases registered in the period, those dispatched by "as of".' },
  },
  {
    key: 'dispatchedOnTime',
    name: { zh: '按时派遣数', en: 'dispatched on time' },
    definition: {
      zh: `统计期内立案的案件中，立案后 ${L} 分钟内首次派遣的件数。`,
      en: `Of the cases registered in the period, those first dispatched within ${L} minutes of registration.`,
    },
  },
  {
    key: 'dispatchedReworked',
    name: { zh: '派遣后返工数', en: 'dispatched then reworked' },
    definition: { zh: '已派遣案件中，截至时点至少返工一次的件数。', en: 'Of the dispatched cases, those reworked at least once by "as of".' },
  },
  {
    key: 'arrived',
    name: { zh: '到场数', en: 'arrived' },
    definition: {
      zh: '统计期内立案的案件中，截至时点队员已到场的件数（平均到场时长的样本）。',
      en: 'Of the cases registered in the period, those with an officer on scene by "as of" (the cases the average time to arrive is over).',
    },
  },
  {
    key: 'registeredHandled',
    name: { zh: '立案已处置数', en: 'registered and handled' },
    definition: {
      zh: '统计期内立案的案件中，截至时点已有处置反馈的件数（平均处置时长的样本）。',
      en: 'Of the cases registered in the period, those handled by "as of" (the cases the average time to handle is over).',
    },
  },
];

const ratio = (
  key: IndicatorKey,
  zh: string,
  en: string,
  defZh: string,
  defEn: string,
  num: Bilingual,
  den: Bilingual,
  formula: string,
): IndicatorDefinition => ({ key, kind: 'ratio', name: { zh, en }, definition: { zh: defZh, en: defEn }, numerator: num, denominator: den, formula });
const minutes = (
  key: IndicatorKey,
  zh: string,
  en: string,
  defZh: string,
  defEn: string,
  num: Bilingual,
  den: Bilingual,
  formula: string,
): IndicatorDefinition => ({ key, kind: 'minutes', name: { zh, en }, definition: { zh: defZh, en: defEn }, numerator: num, denominator: den, formula });

const REGISTERED = { zh: '统计期内立案数', en: 'cases registered in the period' };
const DUE_CLOSE = { zh: '应结案数（时限在期内或期内提前结案）', en: 'cases due to close (deadline in the period, or closed in it ahead of a later deadline)' };
const DUE_HANDLE = {
  zh: '应处置数（时限在期内或期内提前处置）',
  en: 'cases due to handle (deadline in the period, or handled in it ahead of a later deadline)',
};
const DISPATCHED = { zh: '派遣数（期内立案、截至时点已派遣）', en: 'cases registered in the period and dispatched by "as of"' };

export const INDICATOR_DEFINITIONS: IndicatorDefinition[] = [
  ratio(
    'closeRate',
    '结案率',
    'Close rate',
    '统计期内立案的案件中，截至时点已结案的比例。',
    'The share of the cases registered in the period that were closed by the end of the period (or now).',
    { zh: '其中已结案数', en: 'of them, closed by "as of"' },
    REGISTERED,
    'registeredClosed / registered',
  ),
  ratio(
    'onTimeCloseRate',
    '按期结案率',
    'On-time close rate',
    '应结案的案件中，在处置时限（含延期）之前结案的比例。',
    'The share of the cases due to close in the period that were closed at or before their deadline (extensions included).',
    { zh: '按期结案数', en: 'closed at or before the deadline' },
    DUE_CLOSE,
    'closedOnTime / dueToClose',
  ),
  ratio(
    'handleRate',
    '处置率',
    'Handle rate',
    '应处置的案件中，截至时点已有处置反馈的比例。',
    'The share of the cases due to handle in the period that had a handling report by the end of the period (or now).',
    { zh: '已处置数（首次处置反馈）', en: 'handled (first handling report) by "as of"' },
    DUE_HANDLE,
    'handled / dueToHandle',
  ),
  ratio(
    'onTimeHandleRate',
    '按期处置率',
    'On-time handle rate',
    '应处置的案件中，首次处置反馈不晚于处置时限的比例。',
    'The share of the cases due to handle in the period whose first handling report came at or before their deadline.',
    { zh: '按期处置数', en: 'first handled at or before the deadline' },
    DUE_HANDLE,
    'handledOnTime / dueToHandle',
  ),
  ratio(
    'reworkRate',
    '返工率',
    'Rework rate',
    '应结案的案件中，至少被返工一次的比例。',
    'The share of the cases due to close in the period that were sent back for rework at least once.',
    { zh: '返工案件数', en: 'reworked at least once by "as of"' },
    DUE_CLOSE,
    'reworked / dueToClose',
  ),
  ratio(
    'overdueOpenRate',
    '超期待处置率',
    'Overdue open rate',
    '应处置的案件中，截至时点已超时限仍未处置反馈的比例。',
    'The share of the cases due to handle in the period that were past their deadline and still not handled at the end of the period (or now).',
    { zh: '超期待处置数', en: 'past the deadline and not handled at "as of"' },
    DUE_HANDLE,
    'overdueOpen / dueToHandle',
  ),
  ratio(
    'onTimeDispatchRate',
    '按时派遣率',
    'On-time dispatch rate',
    `统计期内立案的案件中，立案后 ${L} 分钟内首次派遣的比例。`,
    `The share of the cases registered in the period, and due to be dispatched, that were first dispatched within ${L} minutes of registration.`,
    { zh: `按时派遣数（${L} 分钟内）`, en: `first dispatched within ${L} minutes of registration` },
    { zh: `应派遣数（已派遣或立案满 ${L} 分钟）`, en: `registered in the period and dispatched, or registered ${L}+ minutes before "as of"` },
    'dispatchedOnTime / dueToDispatch',
  ),
  ratio(
    'accurateDispatchRate',
    '准确派遣率',
    'Accurate dispatch rate',
    '已派遣的案件中，未被返工的比例。',
    'The share of the dispatched cases registered in the period that were never sent back for rework.',
    { zh: '派遣数 − 派遣后返工数', en: 'dispatched − reworked' },
    DISPATCHED,
    '(dispatched − dispatchedReworked) / dispatched',
  ),
  minutes(
    'avgDispatchMinutes',
    '平均派遣时长',
    'Average time to dispatch',
    '统计期内立案的案件，从立案到首次派遣的平均分钟数。',
    'For the cases registered in the period, the average minutes from registration to the first dispatch.',
    { zh: '立案至首次派遣分钟数之和', en: 'sum of minutes from registration to first dispatch' },
    DISPATCHED,
    'Σ(first dispatched − registered) / dispatched',
  ),
  minutes(
    'avgArriveMinutes',
    '平均到场时长',
    'Average time to arrive',
    '统计期内立案的案件，从首次派遣到首次到场的平均分钟数。',
    'For the cases registered in the period, the average minutes from the first dispatch to the first officer on scene.',
    { zh: '首次派遣至首次到场分钟数之和', en: 'sum of minutes from first dispatch to first on scene' },
    { zh: '到场数', en: 'cases with an officer on scene by "as of"' },
    'Σ(first on scene − first dispatched) / arrived',
  ),
  minutes(
    'avgHandleMinutes',
    '平均处置时长',
    'Average time to handle',
    '统计期内立案的案件，从立案到首次处置反馈的平均分钟数。',
    'For the cases registered in the period, the average minutes from registration to the first handling report.',
    { zh: '立案至首次处置反馈分钟数之和', en: 'sum of minutes from registration to first handling report' },
    { zh: '立案已处置数', en: 'cases registered in the period and handled by "as of"' },
    'Σ(first handled − registered) / registeredHandled',
  ),
];

export const DEFINITIONS: IndicatorDefinitions = {
  dispatchLimitMinutes: DISPATCH_LIMIT_MINUTES,
  rules: RULES,
  counts: COUNT_DEFINITIONS,
  indicators: INDICATOR_DEFINITIONS,
  buildings: { rules: PROGRESS_RULES, figures: PROGRESS_DEFINITIONS },
};
