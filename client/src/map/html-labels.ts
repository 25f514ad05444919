// Map labels as HTML markers: Chinese text needs no glyph server this way, and the browser's own
// fonts render it crisply. A handful per layer (districts, key areas, squads), never per officer.
import { Marker, type Map as MapLibreMap } from 'maplibre-gl';

export interface LabelItem {
  id: string;
  lngLat: [number, number];
  zh: string;
  en?: string;
  /** extra class for colour variants */
  variant?: string;
}

export class LabelSet {
  private markers = new Map<string, Marker>();
  private shown = true;
  private zoomOk = true;

  constructor(
    private readonly map: MapLibreMap,
    private readonly kind: string,
    /** the labels are shown only from this zoom on */
    private readonly minzoom = 0,
  ) {
    this.onZoom = this.onZoom.bind(this);
    map.on('zoom', this.onZoom);
    this.onZoom();
  }

  set(items: LabelItem[]): void {
    const keep = new Set(items.map((i) => i.id));
    for (const [id, m] of this.markers) {
      if (!keep.has(id)) {
        m.remove();
        this.markers.delete(id);
      }
    }
    for (const item of items) {
      const old = this.markers.get(item.id);
      if (old) {
        old.setLngLat(item.lngLat);
        fill(old.getElement(), item);
        continue;
      }
      const el = document.createElement('div');
      fill(el, item);
      el.classList.add('map-label', `map-label--${this.kind}`);
      if (item.variant) el.classList.add(`map-label--${item.variant}`);
      const m = new Marker({ element: el, anchor: 'center' }).setLngLat(item.lngLat).addTo(this.map);
      // labels never catch the pointer: clicks go through to the map features under them
      el.style.pointerEvents = 'none';
      this.markers.set(item.id, m);
    }
    this.apply();
  }

  setVisible(shown: boolean): void {
    this.shown = shown;
    this.apply();
  }

  destroy(): void {
    this.map.off('zoom', this.onZoom);
    for (const m of this.markers.values()) m.remove();
    this.markers.clear();
  }

  private onZoom(): void {
    const ok = this.map.getZoom() >= this.minzoom;
    if (ok !== this.zoomOk) {
      this.zoomOk = ok;
      this.apply();
    }
  }

  private apply(): void {
    const visible = this.shown && this.zoomOk;
    for (const m of this.markers.values()) m.getElement().style.display = visible ? '' : 'none';
  }
}

function fill(el: HTMLElement, item: LabelItem): void {
  el.replaceChildren();
  const zh = document.createElement('span');
  zh.className = 'map-label__zh';
  zh.textContent = item.zh;
  el.append(zh);
  if (item.en) {
    const en = document.createElement('span');
    en.className = 'map-label__en';
    en.textContent = item.en;
    el.append(en);
  }
}
