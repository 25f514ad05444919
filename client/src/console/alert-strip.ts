// The alert strip's own words (the alerts' titles come with each alert).
import type { Bi } from '../common/i18n.ts';

export const alertStripText = {
  none: { zh: '暂无新告警', en: 'No new alerts' },
  more: { zh: '条未显示', en: 'more' },
  dismiss: { zh: '关闭', en: 'Dismiss' },
} satisfies Record<string, Bi>;
