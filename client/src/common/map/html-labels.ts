// Map labels as HTML markers: Chinese text needs no glyph server this way, and the browser's own
// fonts render it crisply. A handful per layer (districts, key areas, squads), never per officer.
import { Marker, type Map as MapLibreMap, type PositionAnchor } from 'maplibre-gl';

export interface LabelSetOptions {
  /** the labels are shown only from this zoom on */
  minzoom?: number;
  /** which part of the label sits on the point (default: its centre) */
  anchor?: PositionAnchor;
  /** pixels to shift the label by, e.g. below a point symbol */
  offset?: [number, number];
  /** further offsets to try, in order, when the label would overlap a label placed before it */
  alternatives?: [number, number][];
  /** higher is placed first by `declutter` and so wins overlaps */
  priority?: number;
}

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
    private readonly opts: LabelSetOptions = {},
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
      const m = new Marker({ element: el, anchor: this.opts.anchor ?? 'center', offset: this.opts.offset ?? [0, 0] }).setLngLat(item.lngLat).addTo(this.map);
      // labels never catch the pointer: clicks go through to the map features under them
      el.style.pointerEvents = 'none';
      this.markers.set(item.id, m);
    }
    this.apply();
  }

  get priority(): number {
    return this.opts.priority ?? 0;
  }

  /** the offsets to try for each label, the preferred one first */
  get candidates(): [number, number][] {
    return [this.opts.offset ?? [0, 0], ...(this.opts.alternatives ?? [])];
  }

  /** markers currently displayed (not hidden by zoom or by the layer switch) */
  displayed(): Marker[] {
    return this.shown && this.zoomOk ? [...this.markers.values()] : [];
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
    const ok = this.map.getZoom() >= (this.opts.minzoom ?? 0);
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

const PAD = 4;

function overlaps(a: DOMRect, b: DOMRect): boolean {
  return a.left < b.right + PAD && b.left < a.right + PAD && a.top < b.bottom + PAD && b.top < a.bottom + PAD;
}

/**
 * Keep HTML labels from covering each other: labels are placed by priority; one that would overlap
 * a placed label tries its alternative offsets, and is hidden when none is free. Cheap (tens of
 * labels), so it runs after every camera move.
 */
export function declutter(sets: LabelSet[]): void {
  const placed: DOMRect[] = [];
  for (const set of [...sets].sort((a, b) => b.priority - a.priority)) {
    const candidates = set.candidates;
    for (const m of set.displayed()) {
      const el = m.getElement();
      let free = false;
      for (const off of candidates) {
        m.setOffset(off);
        const r = el.getBoundingClientRect();
        if (!placed.some((p) => overlaps(p, r))) {
          placed.push(r);
          free = true;
          break;
        }
      }
      if (!free && candidates[0]) m.setOffset(candidates[0]);
      el.style.visibility = free ? '' : 'hidden';
    }
  }
}
