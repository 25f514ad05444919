/** The four time types of case time limits (domain.md §5). */
export const TIME_TYPES = ['emergency_hours', 'working_hours', 'working_days', 'natural_days'] as const;
export type TimeType = (typeof TIME_TYPES)[number];

export const TIME_TYPE_NAMES: Record<TimeType, { zh: string; en: string }> = {
  emergency_hours: { zh: '紧急工作时', en: 'continuous hours' },
  working_hours: { zh: '工作时', en: 'working hours' },
  working_days: { zh: '工作日', en: 'working days' },
  natural_days: { zh: '自然日', en: 'natural days' },
};
