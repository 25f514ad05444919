// Zhihui's own offline basemap (streets, water, rail and place names from GET /api/basemap/style),
// shared by the wall console and the officer's phone. Its layers go under our overlays; its tiles and
// glyphs are on this server and behind the same login as the map layers.
import { AttributionControl, type Map as MapLibreMap, type SourceSpecification, type StyleSpecification } from 'maplibre-gl';
import { BASEMAP_SOURCE, type BasemapTheme } from '#shared/basemap-style.ts';
import { api, ApiError } from '../api.ts';

/** The server wrote its URLs for the host it was asked by; a proxy in front (Vite, a balancer) is ours. */
function sameOrigin(url: string): string {
  return url.replace(/^https?:\/\/[^/]+\/api\//, `${location.origin}/api/`);
}

/** The style with its tile and glyph URLs on this page's origin; null when the server has no basemap. */
export async function fetchStreetStyle(theme: BasemapTheme, signal?: AbortSignal): Promise<StyleSpecification | null> {
  try {
    const style = await api.basemapStyle(theme, signal);
    if (style.glyphs) style.glyphs = sameOrigin(style.glyphs);
    for (const src of Object.values(style.sources)) {
      if ('tiles' in src && src.tiles) src.tiles = src.tiles.map(sameOrigin);
    }
    return style;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

/** The credit and the partial-coverage note of a street style, as one line. */
export function streetCredit(style: StyleSpecification): string {
  const src = style.sources[BASEMAP_SOURCE] as (SourceSpecification & { attribution?: string }) | undefined;
  return src?.attribution ?? '';
}

/**
 * Puts the street layers on the console's style, under its overlays (all but the ground), with the
 * credit shown in the map's corner; `remove` takes them off again.
 */
export class StreetLayers {
  private control: AttributionControl | null = null;

  constructor(
    private readonly map: MapLibreMap,
    private readonly style: StyleSpecification,
  ) {}

  get onMap(): boolean {
    return this.map.getSource(BASEMAP_SOURCE) !== undefined;
  }

  add(groundId: string): void {
    if (this.onMap) return;
    if (this.style.glyphs) this.map.setGlyphs(this.style.glyphs);
    this.map.addSource(BASEMAP_SOURCE, this.style.sources[BASEMAP_SOURCE]!);
    const layers = this.map.getStyle().layers;
    const ground = layers.findIndex((l) => l.id === groundId);
    const before = layers[ground + 1]?.id;
    for (const layer of this.style.layers) {
      if (layer.type === 'background') continue; // ours stays
      this.map.addLayer(layer, before);
    }
    this.control = new AttributionControl({ compact: false });
    this.map.addControl(this.control, 'bottom-right');
  }

  remove(): void {
    if (this.control) this.map.removeControl(this.control);
    this.control = null;
    for (const layer of this.style.layers) if (this.map.getLayer(layer.id)) this.map.removeLayer(layer.id);
    if (this.map.getSource(BASEMAP_SOURCE)) this.map.removeSource(BASEMAP_SOURCE);
  }
}
