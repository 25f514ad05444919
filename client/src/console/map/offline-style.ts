// The style used when no basemap is configured: a dark background and our own GeoJSON overlays.
// No glyphs, no sprite, no basemap tiles: nothing is fetched from anywhere (labels are HTML markers).
// Our own vector-tile overlays (grid cells, illegal buildings) need a login: the console map adds them
// when the session may see them (ConsoleMap), not here.
import type { Map as MapLibreMap, StyleSpecification } from 'maplibre-gl';
import { backgroundLayer } from '../../common/map/setup.ts';
import { overlayLayers, overlaySources, type OverlayDef } from './layers/index.ts';
import { sourceSpec } from '../../common/map/layers/overlay.ts';

export function buildOfflineStyle(): StyleSpecification {
  return {
    version: 8,
    name: 'zhihui-offline',
    sources: overlaySources(false),
    layers: [backgroundLayer('zh-background'), ...overlayLayers(false)],
  };
}

/** Put our GeoJSON overlays on top of a basemap style once it has loaded; a no-op if they are there. */
export function addOverlays(map: MapLibreMap): void {
  for (const [id, spec] of Object.entries(overlaySources(false))) {
    if (!map.getSource(id)) map.addSource(id, spec);
  }
  for (const layer of overlayLayers(false)) {
    if (!map.getLayer(layer.id)) map.addLayer(layer);
  }
}

/** Add a tiled overlay's source and layers, each layer in its place in the drawing order. */
export function addTiledOverlay(map: MapLibreMap, def: OverlayDef): void {
  if (!map.getSource(def.sourceId)) map.addSource(def.sourceId, sourceSpec(def));
  const order = overlayLayers(true);
  const own = new Set([...def.base, ...def.top].map((l) => l.id));
  order.forEach((layer, i) => {
    if (!own.has(layer.id) || map.getLayer(layer.id)) return;
    // under the next overlay layer already on the map (the selection layers always are)
    const before = order.slice(i + 1).find((l) => !own.has(l.id) && map.getLayer(l.id));
    map.addLayer(layer, before?.id);
  });
}

/** Take a tiled overlay off the map: its layers, its source and with them every tile it loaded. */
export function removeTiledOverlay(map: MapLibreMap, def: OverlayDef): void {
  for (const layer of [...def.base, ...def.top]) if (map.getLayer(layer.id)) map.removeLayer(layer.id);
  if (map.getSource(def.sourceId)) map.removeSource(def.sourceId);
}
