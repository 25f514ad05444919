// Durations as people read them on a wall screen or a report: "42 分钟", "1 小时 5 分", never "0′" or
// a bare count of minutes. One formatter for the leader view, the printed report and the console.

export interface DurationText {
  zh: string;
  en: string;
}

/** Minutes (may be fractional) as zh and en text; under a minute reads "<1 分钟" / "<1 min" (0 is "0 分钟"). */
export function formatMinutes(minutes: number): DurationText {
  if (!Number.isFinite(minutes) || minutes < 0) return { zh: '—', en: '—' };
  if (minutes > 0 && minutes < 0.5) return { zh: '<1 分钟', en: '<1 min' };
  const m = Math.round(minutes);
  if (m < 60) return { zh: `${m} 分钟`, en: `${m} min` };
  const h = Math.floor(m / 60);
  const rest = m % 60;
  if (rest === 0) return { zh: `${h} 小时`, en: `${h} h` };
  return { zh: `${h} 小时 ${rest} 分`, en: `${h} h ${rest} min` };
}
