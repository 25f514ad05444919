// The wall's camera padding: whatever the docked panels cover, the padding MapLibre gets and the
// margin 全市 adds on top of it leave part of the canvas free, so a fit is never refused (issue 14, item 1:
// a case opened on a 1920 wall once left 1612 px of padding plus the fit's own, and 全市 died).
import { describe, expect, it } from 'vitest';
import { clampInsets, fitMargin, inFree, MIN_FREE_PX } from '../../client/src/console/map/insets.ts';

describe('wall insets', () => {
  it('keeps panels that would cover the canvas to what leaves MIN_FREE_PX of map', () => {
    const p = clampInsets({ top: 0, right: 1412, bottom: 50, left: 660 }, 1920, 1080);
    expect(1920 - p.left - p.right).toBeGreaterThanOrEqual(MIN_FREE_PX);
    expect(p.right / p.left).toBeCloseTo(1412 / 660, 1);
    expect(clampInsets({ top: 0, right: 700, bottom: 50, left: 500 }, 1920, 1080)).toEqual({ top: 0, right: 700, bottom: 50, left: 500 });
  });

  it('cuts the fit margin so that insets and margin together still fit', () => {
    const insets = clampInsets({ top: 0, right: 1412, bottom: 50, left: 660 }, 1920, 1080);
    const m = fitMargin({ top: 40, right: 40, bottom: 40, left: 420 }, insets, 1920, 1080);
    expect(1920 - insets.left - insets.right - m.left - m.right).toBeGreaterThan(0);
    expect(1080 - insets.top - insets.bottom - m.top - m.bottom).toBeGreaterThan(0);
  });

  it('tells a point in the free part from one under a panel', () => {
    const insets = { top: 0, right: 800, bottom: 50, left: 500 };
    expect(inFree({ x: 800, y: 500 }, insets, 1920, 1080, 60)).toBe(true);
    expect(inFree({ x: 1500, y: 500 }, insets, 1920, 1080, 60)).toBe(false);
    expect(inFree({ x: 300, y: 500 }, insets, 1920, 1080, 60)).toBe(false);
  });
});
