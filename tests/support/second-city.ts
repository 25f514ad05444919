// A second city for the GIS import tests: Beijing's 东城区 (adcode 110101), from its real (coarse) boundary in
// tests/fixtures (copied from the shared data set). It writes the files a city bureau would hand over (a district boundary, a unit grid as a
// zipped GBK Shapefile in CGCS2000 Gauss-Krüger zone 39, key areas as GCJ-02 GeoJSON, illegal buildings as a
// GBK CSV with WKT) with defects planted on known rows, and returns where each one is.
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as turf from '@turf/turf';
import gcoord from 'gcoord';
import type { Feature, MultiPolygon, Polygon } from 'geojson';
import iconv from 'iconv-lite';
import proj4 from 'proj4';
import yazl from 'yazl';
import { formatGridCode } from '#shared/grid-code.ts';
import { prjFor } from '../../server/gis/formats/crs.ts';
import { buildDbf, type DbfFieldSpec } from '../../server/gis/formats/dbf.ts';
import { ShpWriter } from '../../server/gis/formats/shp-writer.ts';
// the demo seed's mulberry32, so every run writes the same files
import { seededRandom as random } from '../../server/seed/random.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Aliyun DataV boundaries of Beijing's 16 districts, GCJ-02 (see tests/fixtures/README.md). */
export const BEIJING_DISTRICTS = path.resolve(REPO_ROOT, 'tests/fixtures/beijing-110000-districts.gcj02.geojson');

export const ADCODE = '110101';
export const DISTRICT_NAME = '东城区';
/** CGCS2000 3° Gauss-Krüger zone 39 (central meridian 117°E, false easting 39,500,000 m). */
export const GRID_EPSG = 4527;
/** Written out here, not taken from crs.ts, so that the fixture doesn't share the code under test. */
export const ZONE_39 = '+proj=tmerc +lat_0=0 +lon_0=117 +k=1 +x_0=39500000 +y_0=0 +ellps=GRS80 +units=m +no_defs';
export const CELL_METRES = 500;
/** A clipped cell smaller than this share of a whole one is dropped. */
export const SLIVER_SHARE = 0.05;
/** The layer's name in grid.zip (entries 东城区单元网格.shp etc.). */
export const GRID_LAYER = '东城区单元网格';
export const GRID_FIELDS: DbfFieldSpec[] = [
  { name: '网格编码', type: 'C', length: 15 },
  { name: '街道', type: 'C', length: 30 },
  { name: '社区', type: 'C', length: 30 },
  { name: '街道编码', type: 'C', length: 9 },
  { name: '社区编码', type: 'C', length: 12 },
  { name: '面积', type: 'N', length: 14, decimals: 2 },
];

export interface Community {
  /** 12 digits: the street's 9 and 3 of its own. */
  code: string;
  name: string;
}
export interface Street {
  /** 9 digits: the adcode and 3 of the street's (the national codes of these streets). */
  code: string;
  name: string;
  communities: Community[];
}

const street = (n: string, name: string, communities: string[]): Street => ({
  code: ADCODE + n,
  name,
  communities: communities.map((c, i) => ({ code: ADCODE + n + String(i + 1).padStart(3, '0'), name: c })),
});

/** The four streets from north to south, each cut west to east into three communities. */
export const STREETS: Street[] = [
  street('010', '和平里街道', ['兴化社区', '和平里北街社区', '黄寺社区']),
  street('003', '交道口街道', ['南锣鼓巷社区', '菊儿社区', '府学社区']),
  street('001', '东华门街道', ['韶九社区', '王府井社区', '台基厂社区']),
  street('016', '天坛街道', ['西园子社区', '天坛东里社区', '金台社区']),
];

export type DefectKind =
  // grid
  | 'duplicate_code'
  | 'bad_code'
  | 'code_mismatch'
  | 'invalid_geometry'
  | 'overlap'
  | 'outside_district'
  // key areas
  | 'unclosed_ring'
  | 'not_polygon'
  | 'missing_name'
  // illegal buildings (also duplicate_code, outside_district)
  | 'invalid_wkt';

export type SecondCityLayer = 'grid' | 'key-areas' | 'illegal-buildings';

export interface PlantedDefect {
  layer: SecondCityLayer;
  /** Where the importer's report names it: the Shapefile record, the GeoJSON feature, the CSV data row (after the header), from 1. */
  row: number;
  /** The row's code as written (网格编码, 编号; 名称 for a key area, null when it has none). */
  code: string | null;
  kind: DefectKind;
  /** What was done, for a failing test's message. */
  detail: string;
}

export interface CleanRow {
  row: number;
  code: string;
}

export interface GridProbe {
  /** WGS84, inside the cell (its centre). */
  lon: number;
  lat: number;
  code: string;
}

export interface SecondCity {
  dir: string;
  files: { district: string; grid: string; keyAreas: string; illegalBuildings: string };
  grid: { rows: number; clean: CleanRow[]; defects: PlantedDefect[]; probes: GridProbe[] };
  keyAreas: { rows: number; clean: CleanRow[]; defects: PlantedDefect[] };
  illegalBuildings: { rows: number; clean: CleanRow[]; defects: PlantedDefect[] };
  /** Every layer's, in the order above. */
  defects: PlantedDefect[];
}

type Ring = number[][];

interface DistrictFeature {
  type: 'Feature';
  properties: { adcode: number; name: string };
  geometry: { type: 'MultiPolygon'; coordinates: Ring[][] };
}

/** 东城区 as the data file has it: GCJ-02, MultiPolygon, adcode a number. */
export function districtGcj02(): DistrictFeature {
  const collection = JSON.parse(readFileSync(BEIJING_DISTRICTS, 'utf8')) as {
    features: { properties: { adcode: number; name: string }; geometry: DistrictFeature['geometry'] }[];
  };
  const found = collection.features.find((f) => String(f.properties.adcode) === ADCODE);
  if (!found) throw new Error(`${BEIJING_DISTRICTS} has no district ${ADCODE}`);
  return { type: 'Feature', properties: { adcode: found.properties.adcode, name: found.properties.name }, geometry: found.geometry };
}

/** 东城区 in WGS84 (gcoord's GCJ-02 → WGS84). */
export function districtWgs84(): DistrictFeature {
  const gcj = districtGcj02();
  const coordinates = gcj.geometry.coordinates.map((polygon) =>
    polygon.map((ring) => ring.map((p) => gcoord.transform([p[0]!, p[1]!], gcoord.GCJ02, gcoord.WGS84))),
  );
  return { ...gcj, geometry: { type: 'MultiPolygon', coordinates } };
}

/** Planar area of a ring (m² in a projected CRS), unsigned. */
export function ringArea(ring: Ring): number {
  let sum = 0;
  for (let i = 1; i < ring.length; i++) sum += ring[i - 1]![0]! * ring[i]![1]! - ring[i]![0]! * ring[i - 1]![1]!;
  return Math.abs(sum) / 2;
}

const MTIME = new Date(Date.UTC(2026, 0, 1));

function zipFiles(files: Record<string, Buffer | string>, out: string): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const [name, data] of Object.entries(files)) zip.addBuffer(Buffer.isBuffer(data) ? data : Buffer.from(data), name, { mtime: MTIME });
  zip.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => writeFile(out, Buffer.concat(chunks)).then(resolve, reject));
    zip.outputStream.on('error', reject);
  });
}

// ---------------------------------------------------------------------------------------------------------
// The unit grid

interface Cell {
  /** Grid column and row (row 0 southmost) of the cell's square. */
  col: number;
  row: number;
  /** The square's south-west corner, metres in zone 39. */
  x: number;
  y: number;
  /** The square clipped to the district (its largest part), a closed ring in zone 39. */
  ring: Ring;
  area: number;
  full: boolean;
  street?: Street;
  community?: Community;
  code?: string;
}

/** Cells of CELL_METRES over the district in zone 39, clipped to it, slivers dropped. */
function gridCells(districtZone39: Ring[][]): Cell[] {
  const district = turf.multiPolygon(districtZone39);
  const [x0, y0, x1, y1] = turf.bbox(district);
  const S = CELL_METRES;
  const ox = Math.floor(x0 / S) * S;
  const oy = Math.floor(y0 / S) * S;
  const cells: Cell[] = [];
  for (let col = 0; ox + col * S < x1; col++) {
    for (let row = 0; oy + row * S < y1; row++) {
      const x = ox + col * S;
      const y = oy + row * S;
      const square = turf.polygon([
        [
          [x, y],
          [x + S, y],
          [x + S, y + S],
          [x, y + S],
          [x, y],
        ],
      ]);
      const clipped = turf.intersect(turf.featureCollection<Polygon | MultiPolygon>([square, district] as Feature<Polygon | MultiPolygon>[]));
      if (!clipped) continue;
      const polygons = clipped.geometry.type === 'Polygon' ? [clipped.geometry.coordinates] : clipped.geometry.coordinates;
      // a cell cut in two by the boundary keeps its larger part; holes can't occur in a square ∩ district
      const largest = polygons.map((p) => p[0]!).sort((a, b) => ringArea(b) - ringArea(a))[0]!;
      const area = ringArea(largest);
      if (area < SLIVER_SHARE * S * S) continue;
      const full = area > 0.9999 * S * S;
      // a whole cell is written as its exact square, not as the clipper's copy of it
      const ring = full ? square.geometry.coordinates[0]! : largest;
      cells.push({ col, row, x, y, ring, area, full });
    }
  }
  return cells;
}

/** Splits `items` (already in order) into `parts` runs of about equal size, keeping items with the same key together. */
function splitByKey<T>(items: T[], parts: number, key: (t: T) => number): T[][] {
  const out: T[][] = Array.from({ length: parts }, () => []);
  let part = 0;
  items.forEach((item, i) => {
    const prev = items[i - 1];
    if (prev !== undefined && key(prev) !== key(item) && part < parts - 1 && i >= ((part + 1) * items.length) / parts) part++;
    out[part]!.push(item);
  });
  return out;
}

/**
 * Streets by bands of grid rows (north to south, about equal numbers of cells), communities by columns within
 * each street (west to east), sequence numbers north to south then west to east within each community.
 */
function assignCodes(cells: Cell[]): Cell[] {
  const northFirst = [...cells].sort((a, b) => b.row - a.row || a.col - b.col);
  const ordered: Cell[] = [];
  splitByKey(northFirst, STREETS.length, (c) => c.row).forEach((band, s) => {
    const st = STREETS[s]!;
    const westFirst = [...band].sort((a, b) => a.col - b.col || b.row - a.row);
    splitByKey(westFirst, st.communities.length, (c) => c.col).forEach((group, k) => {
      const community = st.communities[k]!;
      group
        .sort((a, b) => b.row - a.row || a.col - b.col)
        .forEach((cell, i) => {
          cell.street = st;
          cell.community = community;
          cell.code = formatGridCode({ district: ADCODE, street: st.code.slice(6), community: community.code.slice(9), sequence: i + 1 });
          ordered.push(cell);
        });
    });
  });
  return ordered;
}

const GRID_DEFECTS: DefectKind[] = ['duplicate_code', 'bad_code', 'code_mismatch', 'invalid_geometry', 'overlap', 'outside_district'];

async function writeGrid(dir: string, district: DistrictFeature): Promise<SecondCity['grid'] & { file: string }> {
  const toZone = proj4('WGS84', ZONE_39);
  const districtZone39 = district.geometry.coordinates.map((polygon) => polygon.map((ring) => ring.map((p) => toZone.forward([p[0]!, p[1]!]))));
  const cells = assignCodes(gridCells(districtZone39));
  const at = new Map(cells.map((c) => [`${c.col},${c.row}`, c]));
  const near = (a: Cell, b: Cell) => Math.abs(a.col - b.col) <= 2 && Math.abs(a.row - b.row) <= 2;
  const inner = (c: Cell) => [-1, 0, 1].every((dx) => [-1, 0, 1].every((dy) => at.get(`${c.col + dx},${c.row + dy}`)?.full));

  // the defects go on whole cells inside the district, spread along the file, two cells apart at least, so
  // that no defect touches another's cell or the clean neighbour it overlaps
  const chosen = new Map<DefectKind, number>();
  /** The row the duplicate copies, which stays clean. */
  const DUPLICATE_BACK = 7;
  const reserved = new Set<number>();
  GRID_DEFECTS.forEach((kind, k) => {
    const start = Math.floor(((k + 0.5) * cells.length) / GRID_DEFECTS.length);
    for (let d = 0; d < cells.length; d++) {
      const i = (start + d) % cells.length;
      const cell = cells[i]!;
      if (!inner(cell) || reserved.has(i) || [...chosen.values()].some((j) => near(cells[j]!, cell))) continue;
      if (kind === 'duplicate_code') {
        if (i < DUPLICATE_BACK || [...chosen.values()].includes(i - DUPLICATE_BACK)) continue;
        reserved.add(i - DUPLICATE_BACK);
      }
      chosen.set(kind, i);
      break;
    }
    if (!chosen.has(kind)) throw new Error(`second city: no cell for ${kind}`);
  });

  const rows = cells.map((c) => ({ ring: c.ring, code: c.code!, communityCode: c.community!.code, area: c.area }));
  const defects: PlantedDefect[] = [];
  const plant = (kind: DefectKind, detail: string) => {
    const i = chosen.get(kind)!;
    defects.push({ layer: 'grid', row: i + 1, code: rows[i]!.code, kind, detail });
  };
  for (const kind of GRID_DEFECTS) {
    const i = chosen.get(kind)!;
    const r = rows[i]!;
    const { x, y } = cells[i]!;
    const S = CELL_METRES;
    switch (kind) {
      case 'duplicate_code': {
        const b = i - DUPLICATE_BACK;
        r.code = rows[b]!.code;
        plant(kind, `row ${i + 1} has row ${b + 1}'s code`);
        break;
      }
      case 'bad_code':
        r.code = r.code.slice(0, 14);
        plant(kind, '14 digits (the sequence cut short)');
        break;
      case 'code_mismatch': {
        const st = cells[i]!.street!;
        const other = st.communities.find((c) => c.code !== r.communityCode)!;
        r.code = other.code + '901';
        plant(kind, `code in community ${other.code}, 社区编码 says ${r.communityCode}`);
        break;
      }
      case 'invalid_geometry':
        // a bow-tie inside the cell's square, its lobes unequal so that the ring has a winding
        r.ring = [
          [x, y],
          [x + S, y + S],
          [x + S, y],
          [x, y + 0.6 * S],
          [x, y],
        ];
        plant(kind, 'self-intersecting (bow-tie) ring');
        break;
      case 'overlap':
        r.ring = r.ring.map((p) => [p[0]! + 0.3 * S, p[1]!]);
        plant(kind, `shifted ${0.3 * S} m east: overlaps its east neighbour ${at.get(`${cells[i]!.col + 1},${cells[i]!.row}`)!.code} by 30%`);
        break;
      case 'outside_district':
        r.ring = r.ring.map((p) => [p[0]! + 20_000, p[1]!]);
        plant(kind, 'moved 20 km east');
        break;
      default:
        break;
    }
  }
  defects.sort((a, b) => a.row - b.row);
  const defective = new Set(defects.map((d) => d.row - 1));

  const shpPath = path.join(dir, 'grid.shp.tmp');
  const shxPath = path.join(dir, 'grid.shx.tmp');
  const shp = await ShpWriter.create(shpPath, shxPath, 'polygon');
  for (const r of rows) await shp.write({ type: 'Polygon', coordinates: [r.ring] });
  await shp.close();
  const { dbf, cpg } = buildDbf(
    GRID_FIELDS,
    rows.map((r, i) => ({
      网格编码: r.code,
      街道: cells[i]!.street!.name,
      社区: cells[i]!.community!.name,
      街道编码: cells[i]!.street!.code,
      社区编码: r.communityCode,
      面积: Math.round(r.area * 100) / 100,
    })),
    'gbk',
  );
  const file = path.join(dir, 'grid.zip');
  await zipFiles(
    {
      [`${GRID_LAYER}.shp`]: await readFile(shpPath),
      [`${GRID_LAYER}.shx`]: await readFile(shxPath),
      [`${GRID_LAYER}.dbf`]: dbf,
      [`${GRID_LAYER}.prj`]: prjFor(GRID_EPSG),
      [`${GRID_LAYER}.cpg`]: cpg,
    },
    file,
  );
  await Promise.all([shpPath, shxPath].map((p) => rm(p)));

  const clean = rows.flatMap((r, i) => (defective.has(i) ? [] : [{ row: i + 1, code: r.code }]));
  // probes: centres of whole clean cells away from every defect (the shifted cell covers part of its neighbour)
  const probeCells = cells.filter((c, i) => c.full && !defective.has(i) && ![...defective].some((j) => near(cells[j]!, c)));
  const probes = [0, 0.2, 0.4, 0.6, 0.8].map((share) => {
    const c = probeCells[Math.floor(share * probeCells.length)]!;
    const [lon, lat] = toZone.inverse([c.x + CELL_METRES / 2, c.y + CELL_METRES / 2]);
    return { lon: lon!, lat: lat!, code: c.code! };
  });
  return { file, rows: rows.length, clean, defects, probes };
}

// ---------------------------------------------------------------------------------------------------------
// Key areas (GCJ-02 GeoJSON)

type Rect = [number, number, number, number];

interface KeyArea {
  name: string;
  level: '市级' | '区级';
  type: '商圈' | '景区' | '交通枢纽' | '市场' | '夜市';
  since: string;
  /** GCJ-02 lon/lat: west, south, east, north. */
  rect: Rect;
  defect?: 'unclosed_ring' | 'not_polygon' | 'missing_name';
}

/** Roughly where these places are (GCJ-02, as Amap shows them), as rectangles inside the coarse boundary. */
export const KEY_AREAS: KeyArea[] = [
  { name: '王府井商业街', level: '市级', type: '商圈', since: '2023-04-01', rect: [116.4098, 39.909, 116.4118, 39.9175] },
  { name: '南锣鼓巷', level: '市级', type: '景区', since: '2023-04-01', rect: [116.4027, 39.933, 116.4042, 39.941] },
  { name: '雍和宫大街', level: '区级', type: '景区', since: '2024-02-20', rect: [116.416, 39.945, 116.4185, 39.95], defect: 'missing_name' },
  { name: '前门大街', level: '市级', type: '商圈', since: '2023-04-01', rect: [116.3992, 39.8885, 116.4004, 39.8975] },
  { name: '簋街', level: '区级', type: '夜市', since: '2024-06-15', rect: [116.42, 39.9398, 116.433, 39.9412], defect: 'unclosed_ring' },
  { name: '北京站', level: '市级', type: '交通枢纽', since: '2023-09-10', rect: [116.424, 39.901, 116.43, 39.905] },
  { name: '红桥市场', level: '区级', type: '市场', since: '2025-01-08', rect: [116.4195, 39.88, 116.4225, 39.8825], defect: 'not_polygon' },
  { name: '天坛公园周边', level: '市级', type: '景区', since: '2023-09-10', rect: [116.405, 39.876, 116.418, 39.888] },
];

/** A rectangle as a closed ring, counter-clockwise (RFC 7946). */
export function rectRing([w, s, e, n]: Rect): Ring {
  return [
    [w, s],
    [e, s],
    [e, n],
    [w, n],
    [w, s],
  ];
}

async function writeKeyAreas(dir: string): Promise<SecondCity['keyAreas'] & { file: string }> {
  const defects: PlantedDefect[] = [];
  const clean: CleanRow[] = [];
  const features = KEY_AREAS.map((a, i) => {
    const properties: Record<string, string> = { 名称: a.name, 级别: a.level, 类型: a.type, 挂账日期: a.since };
    let geometry: { type: string; coordinates: unknown } = { type: 'Polygon', coordinates: [rectRing(a.rect)] };
    if (a.defect === 'missing_name') {
      delete properties['名称'];
      defects.push({ layer: 'key-areas', row: i + 1, code: null, kind: a.defect, detail: `no 名称 (it is ${a.name})` });
    } else if (a.defect === 'unclosed_ring') {
      geometry = { type: 'Polygon', coordinates: [rectRing(a.rect).slice(0, 4)] };
      defects.push({ layer: 'key-areas', row: i + 1, code: a.name, kind: a.defect, detail: 'ring of 4 positions, the first not repeated' });
    } else if (a.defect === 'not_polygon') {
      geometry = { type: 'Point', coordinates: [(a.rect[0] + a.rect[2]) / 2, (a.rect[1] + a.rect[3]) / 2] };
      defects.push({ layer: 'key-areas', row: i + 1, code: a.name, kind: a.defect, detail: 'a Point where a Polygon is expected' });
    } else clean.push({ row: i + 1, code: a.name });
    return { type: 'Feature', properties, geometry };
  });
  const file = path.join(dir, 'key-areas.geojson');
  await writeFile(file, JSON.stringify({ type: 'FeatureCollection', features }, null, 1));
  return { file, rows: features.length, clean, defects };
}

// ---------------------------------------------------------------------------------------------------------
// Illegal buildings (GBK CSV, WKT in WGS84)

export const ILLEGAL_BUILDINGS_HEADER = ['编号', '位置WKT', '面积', '层数', '类型', '阶段', '当事人', '发现日期'];
export const ILLEGAL_BUILDING_ROWS = 30;
const STAGES = ['发现', '立案', '责令', '拆除', '结案'];
const PARTIES = ['张某', '李某某', '王某', '赵某某', '北京某某餐饮有限公司', '刘某', '陈某某', '某某物业管理有限公司'];
/** Data rows (from 1) of the planted defects. */
const BUILDING_DEFECTS: Partial<Record<number, DefectKind>> = { 7: 'invalid_wkt', 16: 'duplicate_code', 24: 'outside_district' };
const DUPLICATE_OF = 5;

const csvCell = (v: string | number) => {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

async function writeIllegalBuildings(dir: string, district: DistrictFeature): Promise<SecondCity['illegalBuildings'] & { file: string }> {
  const rand = random(110101);
  const polygon = turf.multiPolygon(district.geometry.coordinates);
  const footprint = (lon: number, lat: number): Ring => {
    const w = 10 + rand() * 20;
    const h = 10 + rand() * 20;
    const angle = rand() * Math.PI;
    const mx = 111_320 * Math.cos((lat * Math.PI) / 180);
    const my = 110_540;
    const corners = [
      [-w / 2, -h / 2],
      [w / 2, -h / 2],
      [w / 2, h / 2],
      [-w / 2, h / 2],
    ].map(([dx, dy]) => {
      const x = dx! * Math.cos(angle) - dy! * Math.sin(angle);
      const y = dx! * Math.sin(angle) + dy! * Math.cos(angle);
      return [Math.round((lon + x / mx) * 1e7) / 1e7, Math.round((lat + y / my) * 1e7) / 1e7];
    });
    return [...corners, corners[0]!];
  };
  const [w, s, e, n] = turf.bbox(polygon);
  const inside = (): Ring => {
    for (;;) {
      const ring = footprint(w + rand() * (e - w), s + rand() * (n - s));
      if (turf.booleanWithin(turf.polygon([ring]), polygon)) return ring;
    }
  };
  const wkt = (ring: Ring) => `POLYGON ((${ring.map((p) => `${p[0]} ${p[1]}`).join(', ')}))`;

  const lines = [ILLEGAL_BUILDINGS_HEADER.join(',')];
  const defects: PlantedDefect[] = [];
  const clean: CleanRow[] = [];
  const codes: string[] = [];
  for (let row = 1; row <= ILLEGAL_BUILDING_ROWS; row++) {
    const kind = BUILDING_DEFECTS[row];
    let code = `DCWJ2024${String(row).padStart(3, '0')}`;
    let ring = inside();
    let location = wkt(ring);
    if (kind === 'invalid_wkt') location = location.slice(0, location.lastIndexOf(',')); // cut off: no closing position, no ))
    if (kind === 'duplicate_code') code = codes[DUPLICATE_OF - 1]!;
    if (kind === 'outside_district') {
      ring = ring.map((p) => [Math.round((p[0]! + 0.235) * 1e7) / 1e7, p[1]!]); // about 20 km east
      location = wkt(ring);
    }
    codes.push(code);
    const area = Math.round(turf.area(turf.polygon([ring])) * 10) / 10;
    const date = `${2023 + Math.floor(rand() * 3)}-${String(1 + Math.floor(rand() * 12)).padStart(2, '0')}-${String(1 + Math.floor(rand() * 28)).padStart(2, '0')}`;
    // one party with a comma and quotes, so that the reader's CSV quoting is exercised on a clean row
    const party = row === 3 ? '北京"老字号"食品有限公司, 李某' : PARTIES[Math.floor(rand() * PARTIES.length)]!;
    const fields = [code, location, area, 1 + Math.floor(rand() * 3), rand() < 0.4 ? '新增' : '存量', STAGES[Math.floor(rand() * STAGES.length)]!, party, date];
    lines.push(fields.map(csvCell).join(','));
    if (kind) {
      const detail =
        kind === 'invalid_wkt'
          ? 'WKT cut off before its last position and closing brackets'
          : kind === 'duplicate_code'
            ? `repeats row ${DUPLICATE_OF}'s 编号`
            : 'footprint about 20 km east';
      defects.push({ layer: 'illegal-buildings', row, code, kind, detail });
    } else clean.push({ row, code });
  }
  const file = path.join(dir, 'illegal-buildings.csv');
  await writeFile(file, iconv.encode(lines.join('\r\n') + '\r\n', 'gbk'));
  return { file, rows: ILLEGAL_BUILDING_ROWS, clean, defects };
}

// ---------------------------------------------------------------------------------------------------------

/**
 * Writes district.geojson, grid.zip, key-areas.geojson and illegal-buildings.csv into `dir` (created if need
 * be) and says where each planted defect is. The same files every time.
 */
export async function buildSecondCity(dir: string): Promise<SecondCity> {
  await mkdir(dir, { recursive: true });
  const gcj = districtGcj02();
  const wgs = districtWgs84();
  const district = path.join(dir, 'district.geojson');
  await writeFile(district, JSON.stringify({ type: 'FeatureCollection', features: [gcj] }));
  const { file: grid, ...gridInfo } = await writeGrid(dir, wgs);
  const { file: keyAreas, ...keyInfo } = await writeKeyAreas(dir);
  const { file: illegalBuildings, ...buildingInfo } = await writeIllegalBuildings(dir, wgs);
  return {
    dir,
    files: { district, grid, keyAreas, illegalBuildings },
    grid: gridInfo,
    keyAreas: keyInfo,
    illegalBuildings: buildingInfo,
    defects: [...gridInfo.defects, ...keyInfo.defects, ...buildingInfo.defects],
  };
}
