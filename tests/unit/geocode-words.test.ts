import { describe, expect, it } from 'vitest';
import type { Landmark } from '#shared/geocode/contract.ts';
import { compassPoint, landmarkInWords, roundedDistance } from '#shared/geocode/words.ts';

const J = '人民南路三段与玉林北路交叉口';
const at = (meters: number, bearing: number, kind: Landmark['kind'] = 'intersection', name = J): Landmark => ({ kind, name, meters, bearing });

describe('a landmark in words', () => {
  it('says the direction from the landmark and the rounded distance, in Chinese and English', () => {
    expect(landmarkInWords(at(41.3, 44), 'zh')).toBe(`${J}东北约 40 米`);
    expect(landmarkInWords(at(41.3, 44), 'en')).toBe(`about 40 m NE of ${J}`);
    expect(landmarkInWords(at(120, 180, 'road', '玉林街'), 'zh')).toBe('玉林街南约 120 米');
    expect(landmarkInWords(at(120, 180, 'road', '玉林街'), 'en')).toBe('about 120 m S of 玉林街');
  });

  it('says “附近” / “at” under 10 m, where a direction would mislead', () => {
    expect(landmarkInWords(at(0, 0), 'zh')).toBe(`${J}附近`);
    expect(landmarkInWords(at(9.9, 270), 'en')).toBe(`at ${J}`);
    expect(landmarkInWords(at(10, 270), 'zh')).toBe(`${J}西约 10 米`);
    expect(landmarkInWords(at(Number.NaN, 0), 'zh')).toBe(`${J}附近`);
  });

  it('has 8 compass points, each 45° centred on its direction', () => {
    const zh = [0, 45, 90, 135, 180, 225, 270, 315].map((b) => landmarkInWords(at(50, b), 'zh').replace(J, ''));
    expect(zh).toEqual(['北约 50 米', '东北约 50 米', '东约 50 米', '东南约 50 米', '南约 50 米', '西南约 50 米', '西约 50 米', '西北约 50 米']);
    const en = [0, 45, 90, 135, 180, 225, 270, 315].map((b) => landmarkInWords(at(50, b), 'en').split(' ')[3]);
    expect(en).toEqual(['N', 'NE', 'E', 'SE', 'S', 'SW', 'W', 'NW']);
    expect(compassPoint(22.4)).toBe(0);
    expect(compassPoint(22.6)).toBe(1);
    expect(compassPoint(337.6)).toBe(0);
    expect(compassPoint(359.9)).toBe(0);
    expect(compassPoint(-45)).toBe(7);
    expect(compassPoint(360)).toBe(0);
  });

  it('rounds to 5 m under 100 m, to 10 m under 1 km, then to 0.1 km', () => {
    expect(roundedDistance(42)).toEqual({ value: 40, unit: 'm' });
    expect(roundedDistance(43)).toEqual({ value: 45, unit: 'm' });
    expect(roundedDistance(99)).toEqual({ value: 100, unit: 'm' });
    expect(roundedDistance(154)).toEqual({ value: 150, unit: 'm' });
    expect(roundedDistance(994)).toEqual({ value: 990, unit: 'm' });
    expect(roundedDistance(1234)).toEqual({ value: 1.2, unit: 'km' });
    expect(landmarkInWords(at(1234, 90, 'road', '二环路南三段'), 'zh')).toBe('二环路南三段东约 1.2 公里');
    expect(landmarkInWords(at(1234, 90, 'road', '二环路南三段'), 'en')).toBe('about 1.2 km E of 二环路南三段');
  });
});
