// Grid cells and illegal buildings come as vector tiles from our server, behind the login (unless the
// server says `publicMapLayers`). The tile sources are taken off the map while nobody may see them
// and put back afresh for each session, so no tile refused (401) or loaded for an earlier session
// stays in MapLibre's tile cache. Their counts are of the distinct features in the loaded tiles.
import type { LayerName } from '../../common/i18n.ts';
import type { Map as MapLibreMap } from 'maplibre-gl';
import { consoleState, setLayerCount } from '../console-state.svelte.ts';
import { overlays, tiledOverlays } from './layers/index.ts';
import { addTiledOverlay, removeTiledOverlay } from './offline-style.ts';
import { buildingLayerFilter } from './layers/illegal-buildings.ts';

type TiledName = 'gridCells' | 'illegalBuildings';

export class TileLayers {
  /** whom the tile sources should be loaded for (null: no tile sources on the map), and whom they are */
  private wanted: string | null = null;
  private onMap: string | null = null;
  /** a tiled layer received tiles since its features were last counted */
  private readonly changed = new Set<TiledName>();

  /** `removed(name)`: a layer's tiles left the map (a selection of it goes too) */
  constructor(
    private readonly map: MapLibreMap,
    private readonly styled: () => boolean,
    private readonly removed: (name: LayerName) => void,
  ) {
    map.on('sourcedata', (e) => {
      for (const def of tiledOverlays) if (e.sourceId === def.sourceId && e.tile) this.changed.add(def.name as TiledName);
    });
    map.on('idle', () => this.count());
  }

  /** Whom the tiles are for: a key per session (or 'public'), null for nobody. */
  setFor(key: string | null): void {
    this.wanted = key;
    this.sync();
  }

  /** A new style has none of our tile sources. */
  styleReplaced(): void {
    this.onMap = null;
    this.sync();
  }

  /** The data behind the tiles changed (a new grid version): the sources go on afresh, so no cached tile stays. */
  refresh(): void {
    if (this.onMap === null) return;
    this.onMap = null;
    this.sync();
  }

  /** Put the tile sources on the map afresh for the session, or take them off. */
  sync(): void {
    if (!this.styled() || this.wanted === this.onMap) return;
    for (const def of tiledOverlays) {
      removeTiledOverlay(this.map, def);
      setLayerCount(def.name, 0);
      this.changed.delete(def.name as TiledName);
      this.removed(def.name);
    }
    this.onMap = this.wanted;
    if (this.wanted === null) return;
    for (const def of tiledOverlays) {
      addTiledOverlay(this.map, def);
      if (def.name === 'illegalBuildings') this.filterBuildings();
      if (!consoleState.visible[def.name]) {
        for (const layer of [...def.base, ...def.top]) this.map.setLayoutProperty(layer.id, 'visibility', 'none');
      }
    }
  }

  /** Draw only the buildings the console's filter asks for (stage, stock/new, overdue). */
  filterBuildings(): void {
    const def = overlays.illegalBuildings;
    for (const layer of [...def.base, ...def.top]) {
      if (this.map.getLayer(layer.id)) this.map.setFilter(layer.id, buildingLayerFilter(consoleState.buildingFilter, layer.id));
    }
  }

  /** How many grid cells / buildings the loaded tiles hold (distinct ids), after tiles came in. */
  count(): void {
    for (const name of this.changed) {
      const def = overlays[name];
      if (!def.tiles || !this.map.getSource(def.sourceId)) continue;
      const ids = new Set<string | number>();
      for (const f of this.map.querySourceFeatures(def.sourceId, { sourceLayer: def.tiles.sourceLayer })) {
        if (f.id !== undefined) ids.add(f.id);
      }
      setLayerCount(name, ids.size);
    }
    this.changed.clear();
  }
}
