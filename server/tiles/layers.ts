/** Vector tile layers: the URL name, the source layer inside the tile, and the zooms served. */
export const TILE_LAYERS = {
  // Below z12 a tile would hold tens of thousands of 100 m cells, each under a few pixels.
  'grid-cells': { sourceLayer: 'grid_cells', minZoom: 12, maxZoom: 22 },
  'illegal-buildings': { sourceLayer: 'illegal_buildings', minZoom: 10, maxZoom: 22 },
} as const;

export type TileLayerName = keyof typeof TILE_LAYERS;
export const TILE_LAYER_NAMES = Object.keys(TILE_LAYERS) as TileLayerName[];

/** Tile geometry: 4096 units a side, 64 units of buffer so polygon edges do not seam at tile borders. */
export const EXTENT = 4096;
export const BUFFER = 64;

/** What is wrong with a tile address, in words that say how to fix it; null when it is fine. */
export function tileAddressProblem(layer: TileLayerName, z: number, x: number, y: number): string | null {
  const { minZoom, maxZoom } = TILE_LAYERS[layer];
  if (z < minZoom) return `z ${z} is below the minimum zoom ${minZoom} of layer ${layer}: request z from ${minZoom} to ${maxZoom}`;
  if (z > maxZoom) return `z ${z} is above the maximum zoom ${maxZoom} of layer ${layer}: request z from ${minZoom} to ${maxZoom}`;
  const last = 2 ** z - 1;
  if (x > last) return `x ${x} is out of range at z ${z}: x must be from 0 to ${last}`;
  if (y > last) return `y ${y} is out of range at z ${z}: y must be from 0 to ${last}`;
  return null;
}
