// The leader's period: a window ending now (1 h … 30 d) or a custom [from, to) in Beijing dates.
export type Preset = '1h' | '6h' | '24h' | '7d' | '30d' | 'custom';

export const PRESETS: { value: Preset; zh: string; en: string; ms: number }[] = [
  { value: '1h', zh: '1小时', en: '1 h', ms: 3600_000 },
  { value: '6h', zh: '6小时', en: '6 h', ms: 6 * 3600_000 },
  { value: '24h', zh: '24小时', en: '24 h', ms: 24 * 3600_000 },
  { value: '7d', zh: '7天', en: '7 d', ms: 7 * 86_400_000 },
  { value: '30d', zh: '30天', en: '30 d', ms: 30 * 86_400_000 },
];

export interface Period {
  from: string;
  to: string;
}

/** A preset ending now; `custom` takes Beijing calendar days, `to` inclusive. */
export function periodOf(preset: Preset, customFrom: string, customTo: string, now = Date.now()): Period | null {
  if (preset === 'custom') {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(customFrom) || !/^\d{4}-\d{2}-\d{2}$/.test(customTo)) return null;
    const from = new Date(`${customFrom}T00:00:00+08:00`);
    const to = new Date(new Date(`${customTo}T00:00:00+08:00`).getTime() + 86_400_000);
    return from < to ? { from: from.toISOString(), to: to.toISOString() } : null;
  }
  const p = PRESETS.find((x) => x.value === preset)!;
  // a little past now, so a case reported this second is inside the window
  const to = new Date(now + 60_000);
  return { from: new Date(to.getTime() - p.ms).toISOString(), to: to.toISOString() };
}
