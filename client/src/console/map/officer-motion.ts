// Officers glide from their last position to the new one instead of jumping, but only where it
// shows: on screen and moved by more than a pixel. At city zoom a second of walking is under a
// pixel, so most of 2,000 officers just jump and the main thread stays free; the few that visibly
// move get ~12 frames a second for the second until the next batch. Without a GPU nobody glides.
import type { Feature, Point } from 'geojson';
import type { GeoJSONFeatureDiff, GeoJSONSource, Map as MapLibreMap } from 'maplibre-gl';
import { softwareRendering } from './render-cost.ts';

const GLIDE_MS = 900;
const FRAME_MS = 80;
/** at most this many officers glide at once; the rest jump */
const MAX_GLIDING = 300;
const MIN_PX = 1;
const MAX_PX = 400;

export interface OfficerMove {
  id: number;
  /** the source's feature; its geometry is set to `to` (the model holds targets, not frames) */
  feature: Feature<Point>;
  to: [number, number];
}

interface Glide {
  from: [number, number];
  to: [number, number];
}

export class OfficerMotion {
  private gliding = new Map<number, Glide>();
  private frame = 0;
  private started = 0;
  private lastFrame = 0;
  private readonly glide = !softwareRendering();

  constructor(
    private readonly map: MapLibreMap,
    private readonly sourceId: string,
  ) {}

  move(moves: OfficerMove[]): void {
    this.finish();
    const container = this.map.getContainer();
    const w = container.clientWidth;
    const h = container.clientHeight;
    const update: GeoJSONFeatureDiff[] = [];
    for (const m of moves) {
      const p = m.feature.properties ?? {};
      const props = [
        { key: 'positionAt', value: p.positionAt },
        { key: 'dutyStatus', value: p.dutyStatus },
        { key: 'look', value: p.look },
      ];
      const from = m.feature.geometry?.coordinates as [number, number] | undefined;
      m.feature.geometry = { type: 'Point', coordinates: m.to };
      if (this.glide && from && this.gliding.size < MAX_GLIDING) {
        const a = this.map.project(from);
        const b = this.map.project(m.to);
        const px = Math.hypot(a.x - b.x, a.y - b.y);
        const onScreen = (a.x > -50 && a.x < w + 50 && a.y > -50 && a.y < h + 50) || (b.x > -50 && b.x < w + 50 && b.y > -50 && b.y < h + 50);
        if (onScreen && px >= MIN_PX && px <= MAX_PX) {
          this.gliding.set(m.id, { from, to: m.to });
          update.push({ id: m.id, addOrUpdateProperties: props });
          continue;
        }
      }
      update.push({ id: m.id, newGeometry: m.feature.geometry, addOrUpdateProperties: props });
    }
    this.source()?.updateData({ update });
    if (this.gliding.size > 0) {
      this.started = performance.now();
      this.lastFrame = 0;
      this.frame = requestAnimationFrame((t) => this.tick(t));
    }
  }

  /** The whole layer was replaced: forget what was in flight. */
  reset(): void {
    cancelAnimationFrame(this.frame);
    this.gliding.clear();
  }

  destroy(): void {
    this.reset();
  }

  /** Put every gliding officer at its target now (a new batch has come). */
  private finish(): void {
    cancelAnimationFrame(this.frame);
    if (this.gliding.size === 0) return;
    const update = [...this.gliding].map(([id, g]) => ({ id, newGeometry: { type: 'Point' as const, coordinates: g.to } }));
    this.gliding.clear();
    this.source()?.updateData({ update });
  }

  private tick(t: number): void {
    if (this.gliding.size === 0) return;
    const k = Math.min(1, (t - this.started) / GLIDE_MS);
    if (k < 1 && t - this.lastFrame < FRAME_MS) {
      this.frame = requestAnimationFrame((t2) => this.tick(t2));
      return;
    }
    this.lastFrame = t;
    const e = k * (2 - k); // ease out
    const update: GeoJSONFeatureDiff[] = [];
    for (const [id, g] of this.gliding) {
      const at: [number, number] = [g.from[0] + (g.to[0] - g.from[0]) * e, g.from[1] + (g.to[1] - g.from[1]) * e];
      update.push({ id, newGeometry: { type: 'Point', coordinates: at } });
    }
    this.source()?.updateData({ update });
    if (k >= 1) {
      this.gliding.clear();
      return;
    }
    this.frame = requestAnimationFrame((t2) => this.tick(t2));
  }

  private source(): GeoJSONSource | undefined {
    return this.map.getSource<GeoJSONSource>(this.sourceId);
  }
}
