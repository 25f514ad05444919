// The districts, key areas and squads: loaded per session, named by HTML labels.
import type { FeatureCollection } from 'geojson';
import type { BBox, KeyAreaProps, SquadProps } from '../../common/api-types.ts';
import { labelPoint, visibleLabelPoint } from '../../common/map/geo.ts';
import { LabelSet } from '../../common/map/html-labels.ts';
import { districtLabels } from '../../common/map/layers/districts.ts';
import { consoleState } from '../console-state.svelte.ts';
import { GeoJsonLayer, type MapHost } from './geojson-layer.ts';

/** screen margins kept free of district labels (legend on the left, buttons, status bar) */
const LABEL_INSET = { top: 90, bottom: 110, left: 420, right: 100 };

export class DistrictsLayer extends GeoJsonLayer {
  override labels: LabelSet;

  constructor(host: MapHost) {
    super(host, 'districts');
    this.labels = new LabelSet(host.map, 'district', {
      priority: 1,
      alternatives: [
        [0, -70],
        [0, 70],
        [-140, 0],
        [140, 0],
        [0, -140],
        [0, 140],
      ],
    });
  }

  /** District names go in the visible part of each district, clear of the legend and the edges. */
  placeLabels(): void {
    const fc = this.data;
    if (!fc) return;
    const map = this.host.map;
    const c = map.getContainer();
    const nw = map.unproject([LABEL_INSET.left, LABEL_INSET.top]);
    const se = map.unproject([c.clientWidth - LABEL_INSET.right, c.clientHeight - LABEL_INSET.bottom]);
    const view: BBox = [nw.lng, se.lat, se.lng, nw.lat];
    this.labels.set(districtLabels(fc, (g) => visibleLabelPoint(g, view)));
  }

  protected override derive(): void {
    this.placeLabels();
  }
}

export class KeyAreasLayer extends GeoJsonLayer {
  override labels: LabelSet;

  constructor(host: MapHost) {
    super(host, 'keyAreas');
    this.labels = new LabelSet(host.map, 'key-area', { minzoom: 11.5, priority: 3 });
  }

  protected override derive(fc: FeatureCollection): void {
    consoleState.keyAreasActive = fc.features.filter((f) => (f.properties as KeyAreaProps).active).length;
    this.labels.set(
      fc.features.flatMap((f) => {
        const p = f.properties as KeyAreaProps;
        const at = f.geometry ? labelPoint(f.geometry) : null;
        const variant = p.active ? `ka-${p.level}` : 'ka-inactive';
        return at ? [{ id: String(p.id), lngLat: at, zh: p.name, en: p.nameEn ?? undefined, variant }] : [];
      }),
    );
  }
}

export class SquadsLayer extends GeoJsonLayer {
  override labels: LabelSet;

  constructor(host: MapHost) {
    super(host, 'squads');
    this.labels = new LabelSet(host.map, 'squad', { minzoom: 14, anchor: 'top', offset: [0, 16], priority: 2 });
  }

  protected override derive(fc: FeatureCollection): void {
    this.labels.set(
      fc.features.flatMap((f) => {
        const p = f.properties as SquadProps;
        const at = f.geometry ? labelPoint(f.geometry) : null;
        return at ? [{ id: String(p.id), lngLat: at, zh: p.name }] : [];
      }),
    );
  }
}
