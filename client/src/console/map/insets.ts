// The part of the map the docked panels leave free. MapLibre keeps it as the camera's padding: the
// view's centre is the free part's centre, and fitBounds adds its own padding to it — so the sum
// must always leave some canvas, or MapLibre refuses every fit ("Map cannot fit within canvas").
/** px from each edge of the map (MapLibre's PaddingOptions, every side given) */
export interface Insets {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

export const NO_INSETS: Insets = { top: 0, right: 0, bottom: 0, left: 0 };

/** the panels never take more of the canvas than leaves this much map, each way */
export const MIN_FREE_PX = 240;

/** Shrink the insets proportionally where they would leave less than `minFree` px of a `size` canvas. */
function fitPair(a: number, b: number, size: number, minFree: number): [number, number] {
  const room = Math.max(0, size - minFree);
  if (a + b <= room) return [a, b];
  const k = room / (a + b);
  return [Math.floor(a * k), Math.floor(b * k)];
}

export function clampInsets(p: Insets, width: number, height: number, minFree = MIN_FREE_PX): Insets {
  const [left, right] = fitPair(Math.max(0, p.left), Math.max(0, p.right), width, Math.min(minFree, width));
  const [top, bottom] = fitPair(Math.max(0, p.top), Math.max(0, p.bottom), height, Math.min(minFree, height));
  return { top, right, bottom, left };
}

export const sameInsets = (a: Insets, b: Insets): boolean =>
  Math.abs(a.top - b.top) < 1 && Math.abs(a.right - b.right) < 1 && Math.abs(a.bottom - b.bottom) < 1 && Math.abs(a.left - b.left) < 1;

/** Is the screen point inside the free part, at least `margin` px from its edges? */
export function inFree(pt: { x: number; y: number }, insets: Insets, width: number, height: number, margin: number): boolean {
  const m = (free: number) => Math.min(margin, free / 4);
  const mx = m(width - insets.left - insets.right);
  const my = m(height - insets.top - insets.bottom);
  return pt.x >= insets.left + mx && pt.x <= width - insets.right - mx && pt.y >= insets.top + my && pt.y <= height - insets.bottom - my;
}

/** Extra padding for fitBounds on top of the insets, cut down so that the sum still fits the canvas. */
export function fitMargin(want: Insets, insets: Insets, width: number, height: number): Insets {
  const freeW = width - insets.left - insets.right;
  const freeH = height - insets.top - insets.bottom;
  const [left, right] = fitPair(want.left, want.right, freeW, Math.min(MIN_FREE_PX / 2, freeW));
  const [top, bottom] = fitPair(want.top, want.bottom, freeH, Math.min(MIN_FREE_PX / 2, freeH));
  return { top, right, bottom, left };
}
