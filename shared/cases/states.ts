/** Case states of the loop discover → dispatch → handle → feedback (domain.md §5). */
export const CASE_STATES = ['reported', 'registered', 'voided', 'dispatched', 'accepted', 'on_scene', 'handled', 'closed', 'suspended'] as const;
export type CaseState = (typeof CASE_STATES)[number];

export const CASE_STATE_NAMES: Record<CaseState, { zh: string; en: string }> = {
  reported: { zh: '上报', en: 'reported' },
  registered: { zh: '立案', en: 'registered' },
  voided: { zh: '作废', en: 'voided' },
  dispatched: { zh: '已派遣', en: 'dispatched' },
  accepted: { zh: '已接单', en: 'accepted' },
  on_scene: { zh: '到场', en: 'on scene' },
  handled: { zh: '已处置', en: 'handled' },
  closed: { zh: '结案', en: 'closed' },
  suspended: { zh: '挂账', en: 'suspended' },
};

// State groups: the server's rules, the console's queue and the officer's phone all use these.

/** States in which the case is finished: no clock runs, no officer is held. */
export const FINAL_STATES: readonly CaseState[] = ['voided', 'closed'];
/** States in which an officer holds the case. */
export const FIELD_STATES: readonly CaseState[] = ['dispatched', 'accepted', 'on_scene'];
/** States waiting for the command centre: to register (立案) or to dispatch (派遣). */
export const TODO_STATES: readonly CaseState[] = ['reported', 'registered'];

export const isFinal = (s: CaseState): boolean => FINAL_STATES.includes(s);
export const isInField = (s: CaseState): boolean => FIELD_STATES.includes(s);

/** 721 method: how a problem was solved. */
export const OUTCOMES = ['service', 'management', 'enforcement'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Where cases come from (发现渠道). */
export const SOURCES = ['supervisor', 'public', 'video', 'department', 'media', 'inspection', 'patrol', 'dispatcher'] as const;
export type Source = (typeof SOURCES)[number];
