import gcoord from 'gcoord';
import proj4 from 'proj4';
import { GisFileError } from './errors.ts';

export type Position = number[];

/** A source CRS and how to take its coordinates to WGS84 lon/lat. */
export interface CrsConverter {
  /** What the CRS was given as, for the import record and messages: `EPSG:4527` or the .prj's name. */
  source: string;
  toWgs84(p: Position): Position;
}

/**
 * CGCS2000 Gauss-Krüger, EPSG 4491–4554, from the zone formula (the same as spatial_ref_sys holds):
 * 4491–4501 6° zones 13–23 with the zone in the false easting, 4502–4512 the same central meridians
 * 75°–135° without; 4513–4533 3° zones 25–45 with the zone prefix, 4534–4554 the same without.
 */
export function gaussKrugerZone(code: number): { centralMeridian: number; falseEasting: number; degrees: 3 | 6 } | undefined {
  if (code >= 4491 && code <= 4501) {
    const zone = code - 4491 + 13;
    return { centralMeridian: zone * 6 - 3, falseEasting: zone * 1e6 + 500000, degrees: 6 };
  }
  if (code >= 4502 && code <= 4512) return { centralMeridian: 75 + (code - 4502) * 6, falseEasting: 500000, degrees: 6 };
  if (code >= 4513 && code <= 4533) {
    const zone = code - 4513 + 25;
    return { centralMeridian: zone * 3, falseEasting: zone * 1e6 + 500000, degrees: 3 };
  }
  if (code >= 4534 && code <= 4554) return { centralMeridian: 75 + (code - 4534) * 3, falseEasting: 500000, degrees: 3 };
  return undefined;
}

/** The proj4 definition of the EPSG codes we accept; undefined for others. */
export function epsgDefinition(code: number): string | undefined {
  if (code === 4326) return '+proj=longlat +datum=WGS84 +no_defs';
  // CGCS2000 and WGS84 differ by a few centimetres; neither proj4 nor PostGIS shifts between them
  if (code === 4490) return '+proj=longlat +ellps=GRS80 +no_defs';
  if (code === 3857) return '+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +wktext +no_defs';
  const gk = gaussKrugerZone(code);
  if (gk) return `+proj=tmerc +lat_0=0 +lon_0=${gk.centralMeridian} +k=1 +x_0=${gk.falseEasting} +y_0=0 +ellps=GRS80 +units=m +no_defs`;
  return undefined;
}

const WGS84 = epsgDefinition(4326)!;

/** The code and proj4 definition of `4527`, `'4527'` or `'EPSG:4527'`; a 422 for a CRS we don't convert. */
function acceptedEpsg(crs: number | string): { code: number; def: string } {
  const code =
    typeof crs === 'number'
      ? crs
      : Number(
          String(crs)
            .trim()
            .replace(/^epsg:/i, ''),
        );
  const def = Number.isInteger(code) ? epsgDefinition(code) : undefined;
  if (!def) {
    throw new GisFileError(
      422,
      `不支持的坐标系 ${crs} the coordinate system ${crs} is not one we convert: use EPSG:4326, 4490, 3857 or a CGCS2000 Gauss-Krüger code 4491–4554`,
    );
  }
  return { code, def };
}

/** `4527`, `'4527'` or `'EPSG:4527'`. */
export function converterForEpsg(crs: number | string): CrsConverter {
  const { code, def } = acceptedEpsg(crs);
  const converter = proj4(def, WGS84);
  return { source: `EPSG:${code}`, toWgs84: (p) => converter.forward([p[0]!, p[1]!]) };
}

/** The other direction, for exports: WGS84 lon/lat to a CRS we accept. */
export interface CrsTarget {
  /** `EPSG:4527`. */
  target: string;
  epsg: number;
  fromWgs84(p: Position): Position;
}

/** `4527`, `'4527'` or `'EPSG:4527'`; 4326 passes positions through (2D) untouched. */
export function converterFromWgs84(crs: number | string): CrsTarget {
  const { code, def } = acceptedEpsg(crs);
  if (code === 4326) return { target: 'EPSG:4326', epsg: code, fromWgs84: (p) => [p[0]!, p[1]!] };
  const converter = proj4(WGS84, def);
  return { target: `EPSG:${code}`, epsg: code, fromWgs84: (p) => converter.forward([p[0]!, p[1]!]) };
}

const ESRI_DEGREE = 'PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]';
const GCS_WGS84 = `GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],${ESRI_DEGREE}]`;
const GCS_CGCS2000 = `GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],${ESRI_DEGREE}]`;

/**
 * The .prj (ESRI WKT, as ArcGIS writes it) of an EPSG code we accept, for a Shapefile export: 4326, 4490,
 * 3857 and CGCS2000 Gauss-Krüger 4491–4554 under ArcGIS's names (CGCS2000_3_Degree_GK_Zone_39,
 * CGCS2000_3_Degree_GK_CM_117E, CGCS2000_GK_Zone_20, CGCS2000_GK_CM_117E). converterForPrj reads each back.
 */
export function prjFor(crs: number | string): string {
  const { code } = acceptedEpsg(crs);
  if (code === 4326) return GCS_WGS84;
  if (code === 4490) return GCS_CGCS2000;
  if (code === 3857) {
    return (
      `PROJCS["WGS_1984_Web_Mercator_Auxiliary_Sphere",${GCS_WGS84},PROJECTION["Mercator_Auxiliary_Sphere"],PARAMETER["False_Easting",0.0],` +
      `PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",0.0],PARAMETER["Standard_Parallel_1",0.0],PARAMETER["Auxiliary_Sphere_Type",0.0],UNIT["Meter",1.0]]`
    );
  }
  const gk = gaussKrugerZone(code)!;
  const zoned = gk.falseEasting > 1e6;
  const name =
    (gk.degrees === 3 ? 'CGCS2000_3_Degree_GK_' : 'CGCS2000_GK_') + (zoned ? `Zone_${Math.floor(gk.falseEasting / 1e6)}` : `CM_${gk.centralMeridian}E`);
  return (
    `PROJCS["${name}",${GCS_CGCS2000},PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",${gk.falseEasting.toFixed(1)}],PARAMETER["False_Northing",0.0],` +
    `PARAMETER["Central_Meridian",${gk.centralMeridian.toFixed(1)}],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]`
  );
}

/** The name a WKT gives its CRS (PROJCS["CGCS2000_3_Degree_GK_Zone_38", …]), for messages. */
export const wktName = (wkt: string) => /^\s*[A-Z_]+\[\s*"([^"]*)"/i.exec(wkt)?.[1] ?? wkt.trim().slice(0, 60);

/** A .prj's WKT (ESRI flavour, as ArcGIS writes, including PROJECTION["Gauss_Kruger"]). */
export function converterForPrj(wkt: string): CrsConverter {
  const name = wktName(wkt);
  let converter: proj4.Converter;
  try {
    converter = proj4(wkt.trim(), WGS84);
  } catch (err) {
    throw new GisFileError(
      422,
      `无法识别的 .prj 坐标系 the .prj names a coordinate system we can't convert (${name}: ${(err as Error).message}): give its EPSG code (crs=EPSG:…)`,
    );
  }
  return { source: name, toWgs84: (p) => converter.forward([p[0]!, p[1]!]) };
}

/**
 * An EPSG code the coordinates look like, for the message when nothing says the CRS: an easting over
 * 10,000 km carries its zone in the millions; lon/lat-sized numbers are CGCS2000 geographic.
 */
export function guessEpsg(x: number, y: number): { epsg?: number; hint: string } {
  if (Math.abs(x) <= 180 && Math.abs(y) <= 90) return { epsg: 4490, hint: 'the coordinates look like longitude/latitude: EPSG:4490 (or 4326)' };
  const zone = Math.floor(x / 1e6);
  if (x >= 1e7 && y > 0 && y < 1e7) {
    if (zone >= 25 && zone <= 45) return { epsg: 4513 + zone - 25, hint: `the eastings carry 3° zone ${zone}: EPSG:${4513 + zone - 25}` };
    if (zone >= 13 && zone <= 23) return { epsg: 4491 + zone - 13, hint: `the eastings carry 6° zone ${zone}: EPSG:${4491 + zone - 13}` };
  }
  if (x > 0 && x < 1e6 && y > 0 && y < 1e7) {
    return { hint: 'the coordinates look like Gauss-Krüger without a zone number: EPSG:4534–4554 (3°) or 4502–4512 (6°), by the central meridian' };
  }
  return { hint: 'the coordinates match no CGCS2000 system we know' };
}

export type DeclaredCoords = 'wgs84' | 'gcj02' | 'bd09';

/**
 * How the layer's coordinates reach WGS84: the request's `crs` wins over the .prj (an administrator who
 * states it knows better than a wrong .prj); with neither, a 422 that suggests a code from the data.
 * GCJ-02 / BD-09 can't be told from the numbers, so they are applied only when declared.
 */
export function resolveCrs(options: { prj?: string; crs?: number | string; coords?: DeclaredCoords; sample?: Position }): CrsConverter {
  let base: CrsConverter;
  if (options.crs !== undefined && options.crs !== '') base = converterForEpsg(options.crs);
  else if (options.prj && options.prj.trim() !== '') base = converterForPrj(options.prj);
  else {
    const guess = options.sample ? guessEpsg(options.sample[0]!, options.sample[1]!) : undefined;
    throw new GisFileError(
      422,
      `缺少坐标系 the layer has no .prj file and no coordinate system was given: add the .prj to the zip or give crs=EPSG:…` +
        (guess ? ` (${guess.hint})` : ''),
    );
  }
  const coords = options.coords ?? 'wgs84';
  if (coords === 'wgs84') return base;
  const from = coords === 'gcj02' ? gcoord.GCJ02 : gcoord.BD09;
  return {
    source: `${base.source} (${coords})`,
    toWgs84: (p) => gcoord.transform(base.toWgs84(p) as [number, number], from, gcoord.WGS84),
  };
}

export interface Geometry {
  type: string;
  coordinates?: unknown;
  geometries?: Geometry[];
}

/** A GeoJSON geometry with every position passed through `fn` (Z dropped: the tables are 2D). */
export function transformGeometry<G extends Geometry>(geometry: G, fn: (p: Position) => Position): G {
  if (geometry.type === 'GeometryCollection') return { ...geometry, geometries: geometry.geometries!.map((g) => transformGeometry(g, fn)) };
  const walk = (c: unknown): unknown => (typeof (c as unknown[])[0] === 'number' ? fn(c as Position) : (c as unknown[]).map(walk));
  return { ...geometry, coordinates: walk(geometry.coordinates) };
}
