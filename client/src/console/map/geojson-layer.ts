// A GeoJSON overlay whose data the console holds itself (districts, key areas, squads, officers,
// cases): the data survives a style change and goes into the source as soon as our overlays are on
// the map. Subclasses add what derives from the data (labels, counts) and their own live updates.
import type { Feature, FeatureCollection } from 'geojson';
import { GeoJSONSource, type Map as MapLibreMap } from 'maplibre-gl';
import type { LayerName } from '../../common/i18n.ts';
import type { LabelSet } from '../../common/map/html-labels.ts';
import { setLayerCount } from '../console-state.svelte.ts';
import { overlays } from './layers/index.ts';

/** What a layer controller needs of the map it draws on. */
export interface MapHost {
  readonly map: MapLibreMap;
  /** our sources and layers are on the map (style loaded, overlays added) */
  readonly styled: boolean;
  readonly destroyed: boolean;
  /** a layer's data changed: an open details panel and the label layout follow it */
  changed(name: LayerName): void;
}

export class GeoJsonLayer {
  data: FeatureCollection | undefined;
  /** HTML name labels, for the layers that have them */
  labels: LabelSet | null = null;

  constructor(
    protected readonly host: MapHost,
    readonly name: LayerName,
  ) {}

  get sourceId(): string {
    return overlays[this.name].sourceId;
  }

  /** Replace the layer's data (a load, a session's reset) and draw it. */
  set(fc: FeatureCollection): Promise<void> {
    this.data = fc;
    return this.apply();
  }

  /** Push the data into the source (once the style is there) and refresh what derives from it. */
  async apply(): Promise<void> {
    const fc = this.data;
    if (!fc) return;
    this.refresh();
    if (!this.host.styled) return; // the overlays' installation applies it
    const source = this.host.map.getSource(this.sourceId);
    if (!(source instanceof GeoJSONSource)) return;
    this.beforeReplace();
    await source.setData(fc);
    // the count is of the layer's own features, not of the marker points added for drawing
    setLayerCount(this.name, fc.features.length);
  }

  /** The data changed in place or was replaced: labels, counts and the details panel follow. */
  refresh(): void {
    if (!this.data) return;
    this.derive(this.data);
    this.host.changed(this.name);
  }

  find(id: string | number): Feature | undefined {
    const key = overlays[this.name].promoteId;
    return this.data?.features.find((f) => String(f.properties?.[key]) === String(id));
  }

  source(): GeoJSONSource | undefined {
    return this.host.map.getSource<GeoJSONSource>(this.sourceId);
  }

  destroy(): void {
    this.labels?.destroy();
  }

  protected derive(_fc: FeatureCollection): void {}

  /** the whole source is about to be replaced */
  protected beforeReplace(): void {}
}
