// Officers: loaded per session and refreshed every 30 s, moved in place by the live position batches
// (merged when several arrive together, gliding where it shows), drawn hollow when their last position
// is old (`look`, shared/position-fix.ts), and recoloured by duty events.
import type { Feature, FeatureCollection, Point } from 'geojson';
import type { GeoJSONFeatureDiff } from 'maplibre-gl';
import type { OfficerProps } from '../../common/api-types.ts';
import type { PositionUpdate } from '../../common/cases/types.ts';
import { consoleState } from '../console-state.svelte.ts';
import { GeoJsonLayer, type MapHost } from './geojson-layer.ts';
import { OfficerMotion, type OfficerMove } from './officer-motion.ts';
import { officerLook, type OfficerLook } from '#shared/position-fix.ts';

const POSITIONS_MERGE_MS = 100;
const STALE_SWEEP_MS = 15_000;

type Props = OfficerProps & { look?: OfficerLook };

export class OfficersLayer extends GeoJsonLayer {
  /** performance.now() of the last positions batch applied (-Infinity before any) */
  lastBatchAt = -Infinity;
  private index = new Map<number, Feature>();
  private readonly pending = new Map<number, PositionUpdate>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly sweep: ReturnType<typeof setInterval>;
  private readonly motion: OfficerMotion;

  /** `onBatch` runs after each batch moved officers: other changes may share its frame */
  constructor(
    host: MapHost,
    private readonly onBatch: () => void,
  ) {
    super(host, 'officers');
    this.motion = new OfficerMotion(host.map, this.sourceId);
    this.sweep = setInterval(() => this.sweepStale(), STALE_SWEEP_MS);
  }

  /**
   * Live officer positions (a batch about once a second). Batches that arrive close together (a
   * page that fell behind) are merged, newest position per officer, and applied once.
   */
  updatePositions(batch: PositionUpdate[]): void {
    for (const p of batch) this.pending.set(p.officerId, p);
    this.timer ??= setTimeout(() => {
      this.timer = null;
      const merged = [...this.pending.values()];
      this.pending.clear();
      if (!this.host.destroyed) this.applyPositions(merged);
    }, POSITIONS_MERGE_MS);
  }

  /** An officer went on or off duty (officer.duty event). */
  setDuty(officerId: number, dutyStatus: string): void {
    const f = this.index.get(officerId);
    if (!this.data || !f?.properties) return;
    f.properties.dutyStatus = dutyStatus;
    const look = officerLook(dutyStatus, f.properties.positionAt);
    f.properties.look = look;
    this.refresh();
    if (!this.host.styled) return;
    void this.source()?.updateData({
      update: [
        {
          id: officerId,
          addOrUpdateProperties: [
            { key: 'dutyStatus', value: dutyStatus },
            { key: 'look', value: look },
          ],
        },
      ],
    });
  }

  /** The session changed: positions meant for the old one are dropped. */
  forgetPending(): void {
    this.pending.clear();
  }

  override destroy(): void {
    if (this.timer) clearTimeout(this.timer);
    clearInterval(this.sweep);
    this.motion.destroy();
    super.destroy();
  }

  protected override beforeReplace(): void {
    this.motion.reset();
  }

  protected override derive(fc: FeatureCollection): void {
    const now = Date.now();
    for (const f of fc.features) {
      const p = f.properties as Props;
      p.look = officerLook(p.dutyStatus, p.positionAt, now);
    }
    if (this.index.size !== fc.features.length || fc.features.some((f) => this.index.get((f.properties as OfficerProps).id) !== f)) {
      this.index = new Map(fc.features.map((f) => [(f.properties as OfficerProps).id, f]));
    }
    const props = fc.features.map((f) => f.properties as OfficerProps);
    consoleState.officersTotal = props.length;
    consoleState.officersOnDuty = props.filter((p) => p.dutyStatus !== 'off_duty').length;
  }

  /** Officers moved in place, gliding where it shows. */
  private applyPositions(batch: PositionUpdate[]): void {
    this.lastBatchAt = performance.now();
    if (!this.data) return;
    const moved: OfficerMove[] = [];
    for (const p of batch) {
      const f = this.index.get(p.officerId);
      if (!f || !f.properties) continue;
      f.properties.positionAt = p.at;
      f.properties.dutyStatus = p.dutyStatus;
      f.properties.look = officerLook(p.dutyStatus, p.at);
      moved.push({ id: p.officerId, feature: f as Feature<Point>, to: [p.lon, p.lat] });
    }
    if (moved.length === 0) return;
    this.refresh();
    if (!this.host.styled) {
      for (const m of moved) m.feature.geometry = { type: 'Point', coordinates: m.to };
      return;
    }
    this.motion.move(moved);
    this.onBatch();
  }

  /** Officers whose last position grew old are drawn hollow (checked every STALE_SWEEP_MS). */
  private sweepStale(): void {
    const fc = this.data;
    if (!fc || !this.host.styled) return;
    const now = Date.now();
    const update: GeoJSONFeatureDiff[] = [];
    for (const f of fc.features) {
      const p = f.properties as Props;
      const look = officerLook(p.dutyStatus, p.positionAt, now);
      if (look !== p.look) {
        p.look = look;
        update.push({ id: p.id, addOrUpdateProperties: [{ key: 'look', value: look }] });
      }
    }
    if (update.length) void this.source()?.updateData({ update });
  }
}
