// A landmark in words, the same on every screen: "人民南路三段与玉林北路交叉口东北约 40 米",
// "about 40 m NE of 人民南路三段与玉林北路交叉口". The bearing is from the landmark to the point.
import type { Landmark } from './contract.ts';

const COMPASS_ZH = ['北', '东北', '东', '东南', '南', '西南', '西', '西北'] as const;
const COMPASS_EN = ['N', 'NE', 'E', 'SE', 'S', 'SW', 'W', 'NW'] as const;

/** Closer than this the point is at the landmark: a GPS fix is no better, and a direction would mislead. */
export const AT_LANDMARK_M = 10;

/** One of the 8 compass points (45° sectors centred on N, NE, …) of a bearing in degrees. */
export function compassPoint(bearing: number): number {
  const b = ((bearing % 360) + 360) % 360;
  return Math.round(b / 45) % 8;
}

/** A distance as said: to 5 m under 100 m, to 10 m under 1 km, then km to one decimal. */
export function roundedDistance(meters: number): { value: number; unit: 'm' | 'km' } {
  if (meters < 100) return { value: Math.round(meters / 5) * 5, unit: 'm' };
  if (meters < 995) return { value: Math.round(meters / 10) * 10, unit: 'm' };
  return { value: Math.round(meters / 100) / 10, unit: 'km' };
}

export function landmarkInWords(l: Landmark, lang: 'zh' | 'en'): string {
  if (!(l.meters >= AT_LANDMARK_M)) return lang === 'zh' ? `${l.name}附近` : `at ${l.name}`;
  const d = roundedDistance(l.meters);
  const p = compassPoint(l.bearing);
  if (lang === 'zh') return `${l.name}${COMPASS_ZH[p]}约 ${d.value} ${d.unit === 'm' ? '米' : '公里'}`;
  return `about ${d.value} ${d.unit} ${COMPASS_EN[p]} of ${l.name}`;
}
