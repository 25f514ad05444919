// The key-area verdict (重点地区考核): complaints against the baseline prorated to the period, judged
// only when enough complaints are expected. One rule for the server, the screen and the report.
import { KEY_AREA_MIN_EXPECTED, KEY_AREA_TARGET } from './contract.ts';

export type KeyAreaVerdict = 'met' | 'missed' | 'too-few';

/** change = complaints / expected − 1 (null when expected is 0); judged when expected ≥ KEY_AREA_MIN_EXPECTED. */
export function judgeKeyArea(complaints: number, expected: number): { change: number | null; judged: boolean; met: boolean } {
  const change = expected > 0 ? complaints / expected - 1 : null;
  const judged = change !== null && expected >= KEY_AREA_MIN_EXPECTED - 1e-9;
  return { change, judged, met: judged && change !== null && change <= KEY_AREA_TARGET + 1e-12 };
}

/** What a row says: met, missed, or too few complaints expected to tell. */
export function keyAreaVerdict(r: { judged: boolean; met: boolean }): KeyAreaVerdict {
  return !r.judged ? 'too-few' : r.met ? 'met' : 'missed';
}

export const VERDICT_TEXT: Record<KeyAreaVerdict, { zh: string; en: string }> = {
  met: { zh: '达标', en: 'met' },
  missed: { zh: '未达标', en: 'missed' },
  'too-few': { zh: '样本不足', en: 'too few' },
};
