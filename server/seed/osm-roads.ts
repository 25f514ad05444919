import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DATA_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'data');
export const ROADS_FILE = path.join(DATA_DIR, 'chengdu-roads-south-central.osm.geojson');
export const INTERSECTIONS_FILE = path.join(DATA_DIR, 'chengdu-intersections-south-central.osm.geojson');
/** ODbL 1.0 asks for this wherever the roads are drawn or shipped. */
export const OSM_ATTRIBUTION = '© OpenStreetMap contributors (ODbL)';

/**
 * One directed road segment of the demo patch: SUMO split each OSM way into junction-to-junction
 * edges and gave a two-way road one edge per direction (`-<way>#n` runs against the way), so a
 * segment with no twin is one-way. WGS84.
 */
export interface OsmRoad {
  id: string;
  name: string;
  highway: string;
  lanes: number;
  coordinates: [number, number][];
}

export interface OsmIntersection {
  id: string;
  name: string;
  roads: string[];
  coordinates: [number, number];
}

interface Collection<P, G> {
  features: { properties: P; geometry: G }[];
}

export function loadOsmRoads(file = ROADS_FILE): OsmRoad[] {
  const c = JSON.parse(fs.readFileSync(file, 'utf8')) as Collection<
    { id: string; name: string; highway: string; lanes: number },
    { type: 'LineString'; coordinates: [number, number][] }
  >;
  return c.features.map((f) => ({
    id: f.properties.id,
    name: f.properties.name,
    highway: f.properties.highway,
    lanes: f.properties.lanes,
    coordinates: f.geometry.coordinates,
  }));
}

export function loadOsmIntersections(file = INTERSECTIONS_FILE): OsmIntersection[] {
  const c = JSON.parse(fs.readFileSync(file, 'utf8')) as Collection<
    { id: string; name: string; roads: string[] },
    { type: 'Point'; coordinates: [number, number] }
  >;
  return c.features.map((f) => ({ id: f.properties.id, name: f.properties.name, roads: f.properties.roads, coordinates: f.geometry.coordinates }));
}
