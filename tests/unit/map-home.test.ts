import { describe, expect, it } from 'vitest';
import { DEMO_START, startView } from '#shared/map-home.ts';

describe('where the console map starts', () => {
  it('opens the demo city on 天府广场', () => {
    expect(startView(true, [103.9, 30.5, 104.2, 30.8])).toEqual(DEMO_START);
  });
  it("opens a city on its districts' extent, closer in for a small one", () => {
    const dongcheng = startView(false, [116.37, 39.86, 116.45, 39.97]);
    expect(dongcheng.center).toEqual([116.41, 39.915]);
    expect(dongcheng.home.zh).toBe('城市中心');
    const beijing = startView(false, [115.4, 39.4, 117.5, 41.1]);
    expect(beijing.zoom).toBeLessThan(dongcheng.zoom);
    expect(dongcheng.zoom).toBeGreaterThanOrEqual(10);
    expect(dongcheng.zoom).toBeLessThanOrEqual(14);
  });
  it('opens a city with no districts yet on China', () => {
    expect(startView(false, null).zoom).toBeLessThan(6);
  });
});
