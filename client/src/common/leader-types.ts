// The leader API's shapes as the view reads them (the server's contract is in shared/leader and
// shared/indicators).

export type {
  CategoryCount,
  EscalationCase,
  Escalations,
  Heatmap,
  KeyAreaBoard,
  KeyAreaBoardRow,
  StatsCategories,
  StatsTrend,
  TrendDay,
} from '#shared/leader/contract.ts';

export type { IndicatorRow, IndicatorsReport as IndicatorTable } from '#shared/indicators/contract.ts';
export type { IndicatorDefinition } from '#shared/indicators/definitions.ts';
