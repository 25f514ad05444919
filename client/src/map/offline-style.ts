// The style used when no basemap is configured: a dark background and our own GeoJSON overlays.
// No glyphs, no sprite, no tiles: nothing is fetched from anywhere (labels are HTML markers).
import type { Map as MapLibreMap, StyleSpecification } from 'maplibre-gl';
import { palette } from './palette.ts';
import { overlayLayers, overlaySources } from './layers/index.ts';

export function buildOfflineStyle(): StyleSpecification {
  return {
    version: 8,
    name: 'zhihui-offline',
    sources: overlaySources(),
    layers: [
      { id: 'zh-background', type: 'background', paint: { 'background-color': palette.background } },
      ...overlayLayers(),
    ],
  };
}

/** Put our overlays on top of a basemap style once it has loaded; a no-op if they are there. */
export function addOverlays(map: MapLibreMap): void {
  for (const [id, spec] of Object.entries(overlaySources())) {
    if (!map.getSource(id)) map.addSource(id, spec);
  }
  for (const layer of overlayLayers()) {
    if (!map.getLayer(layer.id)) map.addLayer(layer);
  }
}
