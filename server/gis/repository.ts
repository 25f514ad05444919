import type { Queryable } from '../db/transaction.ts';
import type { GisLayer } from '#shared/gis/layers.ts';
import type { ImportState, ProblemKind } from '#shared/gis/import-workflow.ts';

/** One staged row as the reader and the mapping made it: geometry as GeoJSON text in WGS84, or null. */
export interface StagedRow {
  n: number;
  code: string | null;
  name: string | null;
  attrs: Record<string, unknown>;
  geojson: string | null;
}

/** A problem found before SQL (the file's own structure: a ring not closed, a point offered as a cell). */
export interface RowProblem {
  n: number;
  code: string | null;
  kind: ProblemKind;
  severity: 'error' | 'warning';
  message: string;
}

export interface ImportRecord {
  id: number;
  layer: GisLayer;
  state: ImportState;
  filename: string;
  format: string;
  reading: Record<string, unknown>;
  counts: Record<string, number>;
  createdBy: number | null;
  createdAt: string;
  endedAt: string | null;
  versionId: number | null;
}

export interface ProblemRow {
  n: number | null;
  otherN: number | null;
  code: string | null;
  kind: ProblemKind;
  severity: 'error' | 'warning';
  message: string;
}

const IMPORT_COLUMNS = `id, layer, state, filename, format, reading, counts, created_by AS "createdBy",
  to_json(created_at) #>> '{}' AS "createdAt", to_json(ended_at) #>> '{}' AS "endedAt", version_id AS "versionId"`;

export async function createImport(
  db: Queryable,
  v: { layer: GisLayer; filename: string; format: string; reading: Record<string, unknown>; userId: number | null },
): Promise<number> {
  const res = await db.query<{ id: number }>(
    `INSERT INTO gis_imports (layer, state, filename, format, reading, created_by) VALUES ($1, 'previewed', $2, $3, $4, $5) RETURNING id`,
    [v.layer, v.filename, v.format, JSON.stringify(v.reading), v.userId],
  );
  return res.rows[0]!.id;
}

/** Removes an import that could not be read to the end (its staged rows go with it). */
export async function deleteImport(db: Queryable, id: number): Promise<void> {
  await db.query(`DELETE FROM gis_imports WHERE id = $1 AND state = 'previewed'`, [id]);
}

export async function getImport(db: Queryable, id: number, forUpdate = false): Promise<ImportRecord | null> {
  const res = await db.query<ImportRecord>(`SELECT ${IMPORT_COLUMNS} FROM gis_imports WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  return res.rows[0] ?? null;
}

export async function listImports(db: Queryable, limit: number): Promise<ImportRecord[]> {
  const res = await db.query<ImportRecord>(`SELECT ${IMPORT_COLUMNS} FROM gis_imports ORDER BY id DESC LIMIT $1`, [limit]);
  return res.rows;
}

/** Staged rows in one statement per batch (unnest): the same on both databases, no COPY through the embedded socket. */
export async function stageRows(db: Queryable, importId: number, rows: StagedRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO gis_import_features (import_id, n, code, name, attrs, raw_geom)
     SELECT $1, r.n, r.code, r.name, r.attrs::jsonb, CASE WHEN r.g IS NULL THEN NULL ELSE ST_SetSRID(ST_GeomFromGeoJSON(r.g), 4326) END
     FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[]) AS r(n, code, name, attrs, g)`,
    [importId, rows.map((r) => r.n), rows.map((r) => r.code), rows.map((r) => r.name), rows.map((r) => JSON.stringify(r.attrs)), rows.map((r) => r.geojson)],
  );
}

/** Fresh statistics once the rows are staged: the planner otherwise sees the table as it was before this import. */
export async function analyzeStaged(db: Queryable): Promise<void> {
  await db.query(`ANALYZE gis_import_features (import_id, n, code, action)`);
}

export async function addProblems(db: Queryable, importId: number, problems: RowProblem[]): Promise<void> {
  if (problems.length === 0) return;
  await db.query(
    `INSERT INTO gis_import_problems (import_id, n, code, kind, severity, message)
     SELECT $1, p.n, p.code, p.kind, p.severity, p.message FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[]) AS p(n, code, kind, severity, message)`,
    [
      importId,
      problems.map((p) => p.n),
      problems.map((p) => p.code),
      problems.map((p) => p.kind),
      problems.map((p) => p.severity),
      problems.map((p) => p.message),
    ],
  );
}

/**
 * The checks every polygon layer shares, in SQL over the staged rows: validity (repaired with
 * ST_MakeValid's structure method only when asked), then `geom` set to what would be stored.
 * Rows that already have an error (from the reader) are left without `geom`.
 */
export async function checkGeometries(db: Queryable, importId: number, repair: boolean): Promise<void> {
  await db.query(
    `WITH bad AS (
       SELECT f.n, f.code, d.reason, d.location FROM gis_import_features f
       CROSS JOIN LATERAL ST_IsValidDetail(f.raw_geom) d
       WHERE f.import_id = $1 AND f.raw_geom IS NOT NULL AND NOT d.valid
     )
     INSERT INTO gis_import_problems (import_id, n, code, kind, severity, message, geom)
     SELECT $1, bad.n, bad.code, CASE WHEN $2 THEN 'repaired_geometry' ELSE 'invalid_geometry' END, CASE WHEN $2 THEN 'warning' ELSE 'error' END,
            CASE WHEN $2 THEN '几何已修复 the geometry was invalid (' || bad.reason || ') and was repaired with ST_MakeValid: check its shape on the map'
                 ELSE '几何无效 the geometry is invalid (' || bad.reason || coalesce(' at ' || round(ST_X(bad.location)::numeric, 6) || ', ' || round(ST_Y(bad.location)::numeric, 6), '') ||
                      '): fix it in the GIS, or import again with repair=true to repair it with ST_MakeValid' END,
            ST_SetSRID(bad.location, 4326)
     FROM bad`,
    [importId, repair],
  );
  await db.query(
    `UPDATE gis_import_features f SET geom = CASE
         WHEN ST_IsValid(f.raw_geom) THEN ST_Multi(f.raw_geom)
         WHEN $2 THEN ST_Multi(ST_CollectionExtract(ST_MakeValid(f.raw_geom, 'method=structure'), 3))
       END
     WHERE f.import_id = $1 AND f.raw_geom IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM gis_import_problems p WHERE p.import_id = $1 AND p.n = f.n AND p.severity = 'error')`,
    [importId, repair],
  );
  // a repair that leaves nothing of the polygon (a ring folded flat) is still an error
  await db.query(
    `INSERT INTO gis_import_problems (import_id, n, code, kind, severity, message)
     SELECT $1, f.n, f.code, 'invalid_geometry', 'error', '几何无效 nothing of the polygon is left after repair (it has no area): redraw it in the GIS'
     FROM gis_import_features f WHERE f.import_id = $1 AND f.raw_geom IS NOT NULL AND (f.geom IS NULL OR ST_IsEmpty(f.geom))
       AND NOT EXISTS (SELECT 1 FROM gis_import_problems p WHERE p.import_id = $1 AND p.n = f.n AND p.severity = 'error')`,
    [importId],
  );
}

/**
 * The same shape, whatever the ring's start or the file's precision: no vertex of either is more than
 * 1e-7° (about a centimetre) from the other. Snapping both to a grid is not enough: a coordinate written
 * with fewer decimals can round to the neighbouring node.
 */
const SAME_SHAPE = (a: string, b: string) => `(ST_Equals(${a}, ${b}) OR ST_HausdorffDistance(${a}, ${b}) < 1e-7)`;

/** Rows without an error so far: the set the later checks (duplicates, overlaps) compare. */
const CLEAN = `NOT EXISTS (SELECT 1 FROM gis_import_problems p WHERE p.import_id = f.import_id AND p.n = f.n AND p.severity = 'error')`;

/** The grid's own rules: the 15-digit code, agreement with street and community codes, duplicates, the district. */
export async function checkGridRules(db: Queryable, importId: number, toleranceM2: number): Promise<void> {
  await db.query(
    `INSERT INTO gis_import_problems (import_id, n, code, kind, severity, message)
     SELECT $1, f.n, f.code, k.kind, 'error', k.message FROM gis_import_features f
     CROSS JOIN LATERAL (
       SELECT 'bad_code' AS kind, '网格编码不合规 grid code ' || f.code || ' breaks the rule: 15 digits = 6-digit district + 3-digit street + 3-digit community + 3-digit sequence, none of the last three 000' AS message
       WHERE coalesce(f.code, '') <> '' AND (f.code !~ '^[0-9]{15}$' OR substr(f.code, 7, 3) = '000' OR substr(f.code, 10, 3) = '000' OR right(f.code, 3) = '000')
       UNION ALL
       SELECT 'code_mismatch', '编码与社区不符 grid code ' || f.code || ' does not start with its community code ' || (f.attrs->>'community_code') || ': correct one of them'
       WHERE f.code ~ '^[0-9]{15}$' AND coalesce(f.attrs->>'community_code', '') <> '' AND left(f.code, 12) <> f.attrs->>'community_code'
       UNION ALL
       SELECT 'code_mismatch', '编码与街道不符 grid code ' || f.code || ' does not start with its street code ' || (f.attrs->>'street_code') || ': correct one of them'
       WHERE f.code ~ '^[0-9]{15}$' AND coalesce(f.attrs->>'street_code', '') <> '' AND left(f.code, 9) <> f.attrs->>'street_code'
         AND (coalesce(f.attrs->>'community_code', '') = '' OR left(f.attrs->>'community_code', 9) = f.attrs->>'street_code')
     ) k
     WHERE f.import_id = $1`,
    [importId],
  );
  await checkDuplicateKeys(db, importId, '网格编码重复 grid code', { keys: "f.code ~ '^[0-9]{15}$'", advice: 'give each cell its own code' });
  await db.query(
    `INSERT INTO gis_import_problems (import_id, n, code, kind, severity, message)
     SELECT $1, f.n, f.code, 'unknown_district', 'error',
            '行政区不存在 grid code ' || f.code || ' belongs to district ' || left(f.code, 6) || ', which Zhihui does not have: import the district boundary first, or correct the code'
     FROM gis_import_features f
     WHERE f.import_id = $1 AND f.code ~ '^[0-9]{15}$' AND NOT EXISTS (SELECT 1 FROM districts d WHERE d.adcode = left(f.code, 6)) AND ${CLEAN}`,
    [importId],
  );
  // outside: more of the cell beyond its district than the tolerance (1% of the cell at least, for
  // boundaries drawn from another source)
  await db.query(
    `INSERT INTO gis_import_problems (import_id, n, code, kind, severity, message, geom)
     SELECT $1, o.n, o.code, 'outside_district', 'error',
            '超出所属行政区 ' || round(o.outside_m2::numeric) || ' m² of cell ' || o.code || ' (' || round(100 * o.outside_m2 / o.area_m2) || '%) lies outside district ' || o.name || ': correct the cell or its code',
            o.part
     FROM (
       SELECT f.n, f.code, d.name, ST_Area(f.geom::geography) AS area_m2, x.part, ST_Area(x.part::geography) AS outside_m2
       FROM gis_import_features f JOIN districts d ON d.adcode = left(f.code, 6)
       CROSS JOIN LATERAL (SELECT ST_Difference(f.geom, d.boundary) AS part) x
       WHERE f.import_id = $1 AND f.geom IS NOT NULL AND f.code ~ '^[0-9]{15}$' AND NOT ST_CoveredBy(f.geom, d.boundary) AND ${CLEAN}
     ) o
     WHERE o.outside_m2 > greatest($2::float8, 0.01 * o.area_m2)`,
    [importId, toleranceM2],
  );
  // overlaps between the cells still clean: a pair, reported on both rows (neither is known to be the right one)
  await db.query(
    `WITH c AS NOT MATERIALIZED (SELECT f.n, f.code, f.geom FROM gis_import_features f WHERE f.import_id = $1 AND f.geom IS NOT NULL AND ${CLEAN}),
     pairs AS (
       SELECT a.n AS an, a.code AS ac, b.n AS bn, b.code AS bc, x.part, ST_Area(x.part::geography) AS m2
       FROM c a JOIN c b ON a.n < b.n AND a.geom && b.geom AND ST_Relate(a.geom, b.geom, '2********')
       CROSS JOIN LATERAL (SELECT ST_CollectionExtract(ST_Intersection(a.geom, b.geom), 3) AS part) x
     )
     INSERT INTO gis_import_problems (import_id, n, other_n, code, kind, severity, message, geom)
     SELECT $1, s.n, s.other_n, s.code, 'overlap', 'error',
            '网格重叠 cell ' || s.code || ' (row ' || s.n || ') overlaps cell ' || s.other_code || ' (row ' || s.other_n || ') by ' || round(s.m2::numeric) || ' m²: redraw one of them so that they only share edges',
            s.part
     FROM (
       SELECT an AS n, bn AS other_n, ac AS code, bc AS other_code, m2, part FROM pairs WHERE m2 > $2
       UNION ALL SELECT bn, an, bc, ac, m2, part FROM pairs WHERE m2 > $2
     ) s`,
    [importId, toleranceM2],
  );
}

/**
 * Gaps: the parts of each district the import covers that no clean cell covers, above the tolerance.
 * A warning with its outline, so the administrator sees where the grid leaves the city uncovered.
 */
export async function checkGridGaps(db: Queryable, importId: number, toleranceM2: number): Promise<void> {
  await db.query(
    `WITH cells AS (
       SELECT left(f.code, 6) AS adcode, f.geom FROM gis_import_features f
       WHERE f.import_id = $1 AND f.geom IS NOT NULL AND f.code ~ '^[0-9]{15}$' AND ${CLEAN}
     ),
     covered AS (SELECT adcode, ST_Union(geom) AS g FROM cells GROUP BY adcode),
     holes AS (
       SELECT d.adcode, d.name, (ST_Dump(ST_Difference(d.boundary, c.g))).geom AS g FROM covered c JOIN districts d ON d.adcode = c.adcode
     )
     INSERT INTO gis_import_problems (import_id, kind, severity, message, geom)
     SELECT $1, 'gap', 'warning',
            '网格间隙 ' || round(ST_Area(h.g::geography)::numeric) || ' m² of district ' || h.name || ' near ' || round(ST_X(ST_PointOnSurface(h.g))::numeric, 5) || ', ' || round(ST_Y(ST_PointOnSurface(h.g))::numeric, 5) ||
            ' is in no cell: draw a cell over it, or widen a neighbour', h.g
     FROM holes h WHERE ST_Area(h.g::geography) > $2`,
    [importId, toleranceM2],
  );
}

type ActionCounts = { add: number; change: number; keep: number; skip: number };

/** How many staged rows a commit would add, change, keep and skip; `extra` adds columns to the same query. */
async function actionCounts<T extends object = object>(db: Queryable, importId: number, extra = ''): Promise<ActionCounts & T> {
  const res = await db.query<ActionCounts & T>(
    `SELECT count(*) FILTER (WHERE action = 'add')::int AS add, count(*) FILTER (WHERE action = 'change')::int AS change,
            count(*) FILTER (WHERE action = 'keep')::int AS keep, count(*) FILTER (WHERE action = 'skip')::int AS skip${extra}
     FROM gis_import_features WHERE import_id = $1`,
    [importId],
  );
  return res.rows[0]!;
}

/** What a layer's diff compares: the row `x` in force that a staged row `f` stands for, and what must match for 'keep'. */
interface DiffTarget {
  /** The layer's table, aliased `x`. */
  table: string;
  /** How `x` is found from `f`: by an indexed key, so that each staged row is one index probe. */
  on: string;
  /** `x`'s geometry column. */
  geom: string;
  /** What besides the shape must be the same to keep the row as it is. */
  same: string;
}

/**
 * What a commit would do to each staged row against the layer in force: skip (the row has an error),
 * add (nothing in force under its key), keep (same shape and `same`) or change. The row in force is
 * looked up per staged row (a correlated subquery), so the planner probes the key's index. The counts
 * follow, with `countsExtra` as more columns of the same query.
 */
async function diffAgainst<T extends object = object>(db: Queryable, importId: number, t: DiffTarget, countsExtra = ''): Promise<ActionCounts & T> {
  await db.query(
    `UPDATE gis_import_features f SET action = (
         SELECT CASE
           WHEN NOT (${CLEAN}) THEN 'skip'
           WHEN x.${t.geom} IS NULL THEN 'add'
           WHEN ${SAME_SHAPE('f.geom', `x.${t.geom}`)} AND ${t.same} THEN 'keep'
           ELSE 'change' END
         FROM (SELECT) one LEFT JOIN ${t.table} x ON ${t.on})
     WHERE f.import_id = $1`,
    [importId],
  );
  return actionCounts<T>(db, importId, countsExtra);
}

/** A cell `g` of a district the file covers that the file no longer has: closed by a grid commit if it is in force. */
const GONE_CELL = `g.district_adcode IN (SELECT DISTINCT left(code, 6) FROM gis_import_features WHERE import_id = $1 AND code ~ '^[0-9]{15}$')
       AND NOT EXISTS (SELECT 1 FROM gis_import_features x WHERE x.import_id = $1 AND x.code = g.code)`;

/** A cell `g` an edit of some cells (scope=features) retires: the codes the import's `reading.retire` lists, and no other. */
const RETIRED_CELL = `g.code IN (SELECT r.code::bpchar FROM gis_imports i CROSS JOIN LATERAL jsonb_array_elements_text(coalesce(i.reading->'retire', '[]')) AS r(code)
       WHERE i.id = $1)`;

/** Which cells a grid commit closes besides the changed ones: a whole-layer file closes what it no longer has, an edit only what it retires. */
const goneCell = (features: boolean) => (features ? RETIRED_CELL : GONE_CELL);

/**
 * What a commit would do to each clean row against the grid in force (add / change / keep), rows with
 * an error skipped; and the current cells of the districts the file covers that it no longer has.
 * Codes are char(15) in grid_cells: compared as bpchar, so that the current-code index is used.
 */
export async function diffGrid(db: Queryable, importId: number, features = false): Promise<ActionCounts & { remove: number }> {
  return diffAgainst<{ remove: number }>(
    db,
    importId,
    { table: 'grid_cells', on: 'x.code = f.code::bpchar AND x.valid_to IS NULL', geom: 'geom', same: 'x.attrs = f.attrs' },
    `,\n            (SELECT count(*)::int FROM grid_cells g WHERE g.valid_to IS NULL AND ${goneCell(features)}) AS remove`,
  );
}

export async function setCounts(db: Queryable, importId: number, counts: Record<string, number>): Promise<void> {
  await db.query(`UPDATE gis_imports SET counts = $2 WHERE id = $1`, [importId, JSON.stringify(counts)]);
}

export async function problemSummary(db: Queryable, importId: number): Promise<{ kind: ProblemKind; severity: string; count: number }[]> {
  const res = await db.query<{ kind: ProblemKind; severity: string; count: number }>(
    `SELECT kind, severity, count(*)::int AS count FROM gis_import_problems WHERE import_id = $1 GROUP BY kind, severity ORDER BY severity, kind`,
    [importId],
  );
  return res.rows;
}

export async function listProblems(db: Queryable, importId: number, offset: number, limit: number): Promise<ProblemRow[]> {
  const res = await db.query<ProblemRow>(
    `SELECT n, other_n AS "otherN", code, kind, severity, message FROM gis_import_problems
     WHERE import_id = $1 ORDER BY n NULLS LAST, id OFFSET $2 LIMIT $3`,
    [importId, offset, limit],
  );
  return res.rows;
}

/** The staged rows (and what a commit does with each) and the problems with a place, as one GeoJSON text, for the map. */
export async function previewGeoJson(db: Queryable, importId: number, limit: number): Promise<string> {
  const res = await db.query<{ fc: string }>(
    `SELECT '{"type":"FeatureCollection","features":[' || coalesce(string_agg(j, ','), '') || ']}' AS fc FROM (
       (SELECT json_build_object('type', 'Feature', 'geometry', ST_AsGeoJSON(coalesce(f.geom, f.raw_geom), 7)::json,
                 'properties', json_build_object('n', f.n, 'code', f.code, 'action', f.action))::text AS j
        FROM gis_import_features f WHERE f.import_id = $1 AND coalesce(f.geom, f.raw_geom) IS NOT NULL ORDER BY f.n LIMIT $2)
       UNION ALL
       (SELECT json_build_object('type', 'Feature', 'geometry', ST_AsGeoJSON(p.geom, 7)::json,
                 'properties', json_build_object('n', p.n, 'problem', p.kind, 'severity', p.severity, 'message', p.message))::text
        FROM gis_import_problems p WHERE p.import_id = $1 AND p.geom IS NOT NULL ORDER BY p.id LIMIT $2)
     ) s`,
    [importId, limit],
  );
  return res.rows[0]!.fc;
}

/** The current cells the commit would close because the file no longer has them (for the preview's map). */
export async function removedCodes(db: Queryable, importId: number, limit: number, features = false): Promise<string[]> {
  const res = await db.query<{ code: string }>(
    `SELECT g.code FROM grid_cells g WHERE g.valid_to IS NULL AND ${goneCell(features)}
     ORDER BY g.code LIMIT $2`,
    [importId, limit],
  );
  return res.rows.map((r) => r.code);
}

/** The latest committed version of a layer (0 when none), to refuse a commit previewed against an older one. */
export async function latestVersion(db: Queryable, layer: GisLayer): Promise<number> {
  const res = await db.query<{ id: number | null }>(`SELECT max(id) AS id FROM gis_versions WHERE layer = $1`, [layer]);
  return res.rows[0]!.id ?? 0;
}

/** Serialises commits of one layer across instances (inside the commit's transaction). */
export async function lockLayer(db: Queryable, layer: GisLayer): Promise<void> {
  await db.query(`SELECT pg_advisory_xact_lock(hashtext('zhihui.gis.' || $1))`, [layer]);
}

export async function insertVersion(
  db: Queryable,
  v: { layer: GisLayer; importId: number; userId: number | null; source: string; counts: Record<string, number> },
): Promise<{ id: number; committedAt: string }> {
  const res = await db.query<{ id: number; committedAt: string }>(
    `INSERT INTO gis_versions (layer, import_id, committed_by, source, counts) VALUES ($1, $2, $3, $4, $5)
     RETURNING id, to_json(committed_at) #>> '{}' AS "committedAt"`,
    [v.layer, v.importId, v.userId, v.source, JSON.stringify(v.counts)],
  );
  return res.rows[0]!;
}

/**
 * The grid version in force from the commit's instant: streets and communities the new codes name are
 * created (their outline the union of their cells), changed and removed cells are closed, added and
 * changed ones inserted with the previous version's squad. Cases keep the cell row they point at.
 */
export async function commitGrid(
  db: Queryable,
  importId: number,
  versionId: number,
  features = false,
): Promise<{ added: number; changed: number; removed: number }> {
  const rows = `gis_import_features f WHERE f.import_id = $1 AND f.action IN ('add', 'change')`;
  await db.query(
    `INSERT INTO streets (code, district_adcode, name, boundary)
     SELECT left(f.code, 9), left(f.code, 6), coalesce(max(f.attrs->>'street_name'), '街道 ' || left(f.code, 9)),
            ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Union(f.geom)), 3))
     FROM ${rows} AND NOT EXISTS (SELECT 1 FROM streets s WHERE s.code = left(f.code, 9)::bpchar)
     GROUP BY left(f.code, 9), left(f.code, 6)`,
    [importId],
  );
  await db.query(
    `INSERT INTO communities (code, street_code, name, boundary)
     SELECT left(f.code, 12), left(f.code, 9), coalesce(max(f.attrs->>'community_name'), '社区 ' || left(f.code, 12)),
            ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Union(f.geom)), 3))
     FROM ${rows} AND NOT EXISTS (SELECT 1 FROM communities c WHERE c.code = left(f.code, 12)::bpchar)
     GROUP BY left(f.code, 12), left(f.code, 9)`,
    [importId],
  );
  const closed = await db.query(
    `UPDATE grid_cells g SET valid_to = v.committed_at
     FROM gis_versions v
     WHERE v.id = $2 AND g.valid_to IS NULL AND (
       EXISTS (SELECT 1 FROM gis_import_features f WHERE f.import_id = $1 AND f.action = 'change' AND f.code = g.code)
       OR (${goneCell(features)}))`,
    [importId, versionId],
  );
  const inserted = await db.query(
    `INSERT INTO grid_cells (code, community_code, district_adcode, geom, area_m2, squad_id, valid_from, version_id, attrs)
     SELECT f.code, left(f.code, 12), left(f.code, 6), f.geom, ST_Area(f.geom::geography),
            -- the squad of the code's previous version; for a new code of a split or merge, the first retired cell's
            coalesce((SELECT g.squad_id FROM grid_cells g WHERE g.code = f.code::bpchar AND g.valid_to = v.committed_at),
                     (SELECT g.squad_id FROM grid_cells g JOIN gis_imports i ON i.id = f.import_id
                      WHERE g.code = (i.reading->'retire'->>0)::bpchar AND g.valid_to = v.committed_at)),
            v.committed_at, v.id, f.attrs
     FROM gis_import_features f, gis_versions v
     WHERE f.import_id = $1 AND f.action IN ('add', 'change') AND v.id = $2`,
    [importId, versionId],
  );
  const changed = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM gis_import_features WHERE import_id = $1 AND action = 'change'`, [importId]);
  const c = changed.rows[0]!.n;
  return { added: (inserted.rowCount ?? 0) - c, changed: c, removed: (closed.rowCount ?? 0) - c };
}

export async function endImport(db: Queryable, importId: number, state: 'committed' | 'discarded', versionId: number | null): Promise<void> {
  await db.query(`UPDATE gis_imports SET state = $2, ended_at = now(), version_id = $3 WHERE id = $1`, [importId, state, versionId]);
  // the staged rows have served: the record keeps the counts, the version keeps the cells
  await db.query(`DELETE FROM gis_import_features WHERE import_id = $1`, [importId]);
}

export async function rememberMapping(db: Queryable, layer: GisLayer, fieldsKey: string, mapping: Record<string, string>): Promise<void> {
  await db.query(
    `INSERT INTO gis_field_maps (layer, fields_key, mapping) VALUES ($1, $2, $3)
     ON CONFLICT (layer, fields_key) DO UPDATE SET mapping = EXCLUDED.mapping, updated_at = now()`,
    [layer, fieldsKey, JSON.stringify(mapping)],
  );
}

export async function rememberedMapping(db: Queryable, layer: GisLayer, fieldsKey: string): Promise<Record<string, string> | null> {
  const res = await db.query<{ mapping: Record<string, string> }>(`SELECT mapping FROM gis_field_maps WHERE layer = $1 AND fields_key = $2`, [
    layer,
    fieldsKey,
  ]);
  return res.rows[0]?.mapping ?? null;
}

/** Districts: a 6-digit adcode and a name on every row, each adcode once. */
export async function checkDistrictRules(db: Queryable, importId: number): Promise<void> {
  await db.query(
    `INSERT INTO gis_import_problems (import_id, n, code, kind, severity, message)
     SELECT $1, f.n, f.code, k.kind, 'error', k.message FROM gis_import_features f
     CROSS JOIN LATERAL (
       SELECT 'bad_code' AS kind, '行政区划代码不合规 adcode ' || f.code || ' is not 6 digits: give the district''s 6-digit code (e.g. 110101)' AS message
       WHERE f.code !~ '^[0-9]{6}$'
     ) k
     WHERE f.import_id = $1`,
    [importId],
  );
  await checkDuplicateKeys(db, importId, '行政区划代码重复 adcode', { keys: "f.code ~ '^[0-9]{6}$'", advice: 'keep one row per district' });
}

export async function diffDistricts(db: Queryable, importId: number): Promise<ActionCounts> {
  return diffAgainst(db, importId, { table: 'districts', on: 'x.adcode = f.code', geom: 'boundary', same: "x.name = coalesce(f.name, f.attrs->>'name')" });
}

/** Districts are upserted by adcode (cases, users and cells refer to them by it). */
export async function commitDistricts(db: Queryable, importId: number): Promise<{ added: number; changed: number; removed: number }> {
  const res = await db.query<{ inserted: boolean }>(
    `INSERT INTO districts (adcode, name, name_en, boundary, source)
     SELECT f.code, coalesce(f.name, f.attrs->>'name'), coalesce(f.attrs->>'name_en', f.code), f.geom, 'import ' || i.filename
     FROM gis_import_features f JOIN gis_imports i ON i.id = f.import_id
     WHERE f.import_id = $1 AND f.action IN ('add', 'change')
     ON CONFLICT (adcode) DO UPDATE SET name = EXCLUDED.name, boundary = EXCLUDED.boundary, source = EXCLUDED.source
     RETURNING (xmax = 0) AS inserted`,
    [importId],
  );
  const added = res.rows.filter((r) => r.inserted).length;
  return { added, changed: res.rows.length - added, removed: 0 };
}

export interface CellAt {
  id: number;
  code: string;
  districtAdcode: string;
  versionId: number | null;
  validFrom: string;
  validTo: string | null;
}

/** The grid cell in force at instant `at` that covers the point: what a case reported then was located in. */
export async function cellAt(db: Queryable, lon: number, lat: number, at: string): Promise<CellAt | null> {
  const res = await db.query<CellAt>(
    `SELECT g.id, g.code, g.district_adcode AS "districtAdcode", g.version_id AS "versionId",
            to_json(g.valid_from) #>> '{}' AS "validFrom", to_json(g.valid_to) #>> '{}' AS "validTo"
     FROM grid_cells g
     WHERE ST_Covers(g.geom, ST_SetSRID(ST_MakePoint($1, $2), 4326)) AND g.valid_from <= $3::timestamptz AND (g.valid_to IS NULL OR g.valid_to > $3::timestamptz)
     ORDER BY g.id LIMIT 1`,
    [lon, lat, at],
  );
  return res.rows[0] ?? null;
}

export type ExportLayer = 'districts' | 'grid_cells' | 'key_areas' | 'illegal_buildings';

/**
 * Each layer as exported: the row's key for paging, its geometry as GeoJSON text (WGS84) and its
 * properties under the names a bureau's GIS uses, so that an export imports again unchanged.
 */
const EXPORT_SQL: Record<ExportLayer, string> = {
  districts: `SELECT d.adcode AS k, ST_AsGeoJSON(d.boundary, 9) AS g,
      json_build_object('adcode', d.adcode, 'name', d.name, 'name_en', d.name_en) AS p
    FROM districts d WHERE d.adcode > $1 AND ($3::text IS NULL OR d.adcode = $3) ORDER BY d.adcode LIMIT $2`,
  grid_cells: `SELECT g.code AS k, ST_AsGeoJSON(g.geom, 9) AS g,
      json_build_object('网格编码', g.code, '街道编码', left(g.code, 9), '街道', s.name, '社区编码', g.community_code, '社区', c.name,
                        '面积', round(g.area_m2::numeric, 1), '责任中队', sq.name, '生效时间', to_json(g.valid_from) #>> '{}') AS p
    FROM grid_cells g JOIN communities c ON c.code = g.community_code JOIN streets s ON s.code = c.street_code LEFT JOIN squads sq ON sq.id = g.squad_id
    WHERE g.valid_to IS NULL AND g.code > $1 AND ($3::text IS NULL OR g.district_adcode = $3) ORDER BY g.code LIMIT $2`,
  key_areas: `SELECT lpad(k.id::text, 10, '0') AS k, ST_AsGeoJSON(k.geom, 9) AS g,
      json_build_object('编号', k.id, '名称', k.name, '级别', CASE k.level WHEN 'city' THEN '市级' ELSE '区级' END, '类型', k.kind,
                        '挂账日期', k.listed_on, '销账日期', k.delisted_on) AS p
    FROM key_areas k WHERE lpad(k.id::text, 10, '0') > $1
      AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM districts d WHERE d.adcode = $3 AND ST_Intersects(d.boundary, k.geom)))
    ORDER BY k.id LIMIT $2`,
  illegal_buildings: `SELECT b.code AS k, ST_AsGeoJSON(b.geom, 9) AS g,
      json_build_object('编号', b.code, '面积', round(b.area_m2::numeric, 1), '层数', b.floors, '类型', b.kind, '阶段', b.stage, '当事人', b.party,
                        '发现日期', b.discovered_on, '行政区', b.district_adcode) AS p
    FROM illegal_buildings b WHERE b.code > $1 AND ($3::text IS NULL OR b.district_adcode = $3) ORDER BY b.code LIMIT $2`,
};

/** One page of a layer's export after key `after` ('' for the first). */
export async function exportPage(
  db: Queryable,
  layer: ExportLayer,
  after: string,
  limit: number,
  district: string | null,
): Promise<{ k: string; g: string | null; p: Record<string, string | number | boolean | null> }[]> {
  const res = await db.query(EXPORT_SQL[layer], [after, limit, district]);
  return res.rows;
}

/**
 * Each code (or name) once in the file: later rows that repeat it are refused, naming the first. `keys`
 * says which staged rows `f` take part (by default every row with a code), `advice` what to do about it.
 */
async function checkDuplicateKeys(
  db: Queryable,
  importId: number,
  what: string,
  { keys = 'f.code IS NOT NULL', advice = 'keep one row for it' }: { keys?: string; advice?: string } = {},
): Promise<void> {
  await db.query(
    `INSERT INTO gis_import_problems (import_id, n, other_n, code, kind, severity, message)
     SELECT $1, d.n, d.first_n, d.code, 'duplicate_code', 'error', $2 || ' ' || d.code || ' is also on row ' || d.first_n || ': ' || $3
     FROM (
       SELECT f.n, f.code, first_value(f.n) OVER w AS first_n, row_number() OVER w AS k
       FROM gis_import_features f WHERE f.import_id = $1 AND ${keys}
       WINDOW w AS (PARTITION BY f.code ORDER BY f.n)
     ) d WHERE d.k > 1`,
    [importId, what, advice],
  );
}

/** In no district of Zhihui: a key area that meets none, an illegal building whose footprint's point-on-surface none covers. */
async function checkInsideSomeDistrict(db: Queryable, importId: number, test: string, what: string): Promise<void> {
  await db.query(
    `INSERT INTO gis_import_problems (import_id, n, code, kind, severity, message, geom)
     SELECT $1, f.n, f.code, 'outside_district', 'error',
            '不在任何行政区内 ' || $2 || ' ' || coalesce(f.code, '') || ' (row ' || f.n || ') lies at ' || round(ST_X(ST_PointOnSurface(f.geom))::numeric, 5) || ', ' ||
            round(ST_Y(ST_PointOnSurface(f.geom))::numeric, 5) || ', in no district of Zhihui: check its coordinates (and the file''s coordinate system), or import its district first',
            ST_PointOnSurface(f.geom)
     FROM gis_import_features f
     WHERE f.import_id = $1 AND f.geom IS NOT NULL AND ${CLEAN}
       AND NOT EXISTS (SELECT 1 FROM districts d WHERE ${test})`,
    [importId, what],
  );
}

export async function checkKeyAreaRules(db: Queryable, importId: number): Promise<void> {
  await checkDuplicateKeys(db, importId, '名称重复 key area');
  await checkInsideSomeDistrict(db, importId, 'ST_Intersects(d.boundary, f.geom)', 'key area');
  await db.query(
    `INSERT INTO gis_import_problems (import_id, n, code, kind, severity, message)
     SELECT $1, f.n, f.code, 'bad_value', 'error',
            '销账日期早于挂账日期 row ' || f.n || ' is delisted (' || (f.attrs->>'delisted_on') || ') before it is listed (' || coalesce(f.attrs->>'listed_on', 'today') || '): correct one of the dates'
     FROM gis_import_features f WHERE f.import_id = $1 AND (f.attrs->>'delisted_on')::date < coalesce((f.attrs->>'listed_on')::date, current_date)`,
    [importId],
  );
}

export async function checkIllegalBuildingRules(db: Queryable, importId: number): Promise<void> {
  await db.query(
    `INSERT INTO gis_import_problems (import_id, n, code, kind, severity, message)
     SELECT $1, f.n, f.code, 'bad_code', 'error', '编号不合规 code ' || f.code || ' must be 4–32 capital letters, digits or hyphens (e.g. DCWJ2024001)'
     FROM gis_import_features f WHERE f.import_id = $1 AND f.code IS NOT NULL AND f.code !~ '^[A-Z0-9-]{4,32}$'`,
    [importId],
  );
  await checkDuplicateKeys(db, importId, '编号重复 illegal building');
  await checkInsideSomeDistrict(db, importId, 'ST_Covers(d.boundary, ST_PointOnSurface(f.geom))', 'illegal building');
}

/** The area of that name in force today (not delisted), as `alias`. */
const keyAreaNow = (alias: string, name: string) =>
  `(SELECT ${alias}.id FROM key_areas ${alias} WHERE ${alias}.name = ${name}
     AND (${alias}.delisted_on IS NULL OR ${alias}.delisted_on > (now() AT TIME ZONE 'Asia/Shanghai')::date) ORDER BY ${alias}.listed_on DESC LIMIT 1)`;

export async function diffKeyAreas(db: Queryable, importId: number): Promise<ActionCounts> {
  return diffAgainst(db, importId, {
    table: 'key_areas',
    on: `x.id = ${keyAreaNow('k0', 'f.code')}`,
    geom: 'geom',
    same: `x.level = f.attrs->>'level' AND x.kind = f.attrs->>'kind'
              AND x.listed_on = coalesce((f.attrs->>'listed_on')::date, x.listed_on)
              AND x.delisted_on IS NOT DISTINCT FROM (f.attrs->>'delisted_on')::date
              AND x.complaint_baseline = coalesce((f.attrs->>'complaint_baseline')::numeric, x.complaint_baseline)`,
  });
}

/** Key areas keep their id (cases and the board refer to it): a changed area is updated in place. */
export async function commitKeyAreas(db: Queryable, importId: number): Promise<{ added: number; changed: number; removed: number }> {
  const changed = await db.query(
    `UPDATE key_areas k SET geom = f.geom, level = f.attrs->>'level', kind = f.attrs->>'kind',
            listed_on = coalesce((f.attrs->>'listed_on')::date, k.listed_on), delisted_on = (f.attrs->>'delisted_on')::date,
            complaint_baseline = coalesce((f.attrs->>'complaint_baseline')::numeric, k.complaint_baseline)
     FROM gis_import_features f
     WHERE f.import_id = $1 AND f.action = 'change' AND k.id = ${keyAreaNow('k0', 'f.code')}`,
    [importId],
  );
  const added = await db.query(
    `INSERT INTO key_areas (name, level, kind, geom, listed_on, delisted_on, complaint_baseline)
     SELECT f.code, f.attrs->>'level', f.attrs->>'kind', f.geom, coalesce((f.attrs->>'listed_on')::date, (now() AT TIME ZONE 'Asia/Shanghai')::date),
            (f.attrs->>'delisted_on')::date, coalesce((f.attrs->>'complaint_baseline')::numeric, 0)
     FROM gis_import_features f WHERE f.import_id = $1 AND f.action = 'add'`,
    [importId],
  );
  return { added: added.rowCount ?? 0, changed: changed.rowCount ?? 0, removed: 0 };
}

export async function diffIllegalBuildings(db: Queryable, importId: number): Promise<ActionCounts> {
  return diffAgainst(db, importId, {
    table: 'illegal_buildings',
    on: 'x.code = f.code',
    geom: 'geom',
    same: `x.floors = (f.attrs->>'floors')::int AND x.kind = f.attrs->>'kind' AND x.stage = f.attrs->>'stage'
              AND x.party IS NOT DISTINCT FROM f.attrs->>'party' AND x.discovered_on = (f.attrs->>'discovered_on')::date`,
  });
}

/** Illegal buildings upsert by code; the district is the one covering the footprint. */
export async function commitIllegalBuildings(db: Queryable, importId: number): Promise<{ added: number; changed: number; removed: number }> {
  const res = await db.query<{ inserted: boolean }>(
    // placed like a case at the footprint's point on the surface (grid cell, street, key areas listed today),
    // so progress sums by street and squad and the new-building rule sees key areas
    `WITH f AS (
       SELECT f.*, ST_PointOnSurface(f.geom) AS pos FROM gis_import_features f WHERE f.import_id = $1 AND f.action IN ('add', 'change')
     ), placed AS (
       SELECT f.*,
              (SELECT g.id FROM grid_cells g WHERE ST_Covers(g.geom, f.pos) AND g.valid_to IS NULL ORDER BY g.id LIMIT 1) AS cell_id,
              coalesce((SELECT array_agg(k.id ORDER BY k.priority_boost DESC, k.id) FROM key_areas k
                        WHERE ST_Covers(k.geom, f.pos) AND k.listed_on <= (app_now() AT TIME ZONE 'Asia/Shanghai')::date
                          AND (k.delisted_on IS NULL OR k.delisted_on > (app_now() AT TIME ZONE 'Asia/Shanghai')::date)), '{}') AS key_ids
       FROM f
     )
     INSERT INTO illegal_buildings (code, geom, area_m2, floors, kind, stage, party, district_adcode, discovered_on, grid_cell_id, street_code, key_area_ids)
     SELECT f.code, f.geom, coalesce(nullif((f.attrs->>'area_m2')::float8, 0), ST_Area(f.geom::geography)), (f.attrs->>'floors')::int,
            f.attrs->>'kind', f.attrs->>'stage', f.attrs->>'party',
            (SELECT d.adcode FROM districts d WHERE ST_Covers(d.boundary, f.pos) ORDER BY d.adcode LIMIT 1),
            (f.attrs->>'discovered_on')::date, f.cell_id, (SELECT left(g.code, 9) FROM grid_cells g WHERE g.id = f.cell_id), f.key_ids
     FROM placed f
     ON CONFLICT (code) DO UPDATE SET geom = EXCLUDED.geom, area_m2 = EXCLUDED.area_m2, floors = EXCLUDED.floors, kind = EXCLUDED.kind,
       stage = EXCLUDED.stage, party = EXCLUDED.party, district_adcode = EXCLUDED.district_adcode, discovered_on = EXCLUDED.discovered_on,
       grid_cell_id = EXCLUDED.grid_cell_id, street_code = EXCLUDED.street_code, key_area_ids = EXCLUDED.key_area_ids, updated_at = now()
     RETURNING (xmax = 0) AS inserted`,
    [importId],
  );
  const added = res.rows.filter((r) => r.inserted).length;
  return { added, changed: res.rows.length - added, removed: 0 };
}

/** A point of a register taken as a circle of the row's area (100 m² without one), said as a warning so that someone draws it later. */
export async function footprintsFromPoints(db: Queryable, importId: number): Promise<void> {
  await db.query(
    `WITH pts AS (
       UPDATE gis_import_features f
       SET geom = ST_Multi(ST_Buffer(ST_GeometryN(f.geom, 1)::geography, sqrt(coalesce(nullif((f.attrs->>'area_m2')::float8, 0), 100) / pi()), 'quad_segs=8')::geometry)
       WHERE f.import_id = $1 AND GeometryType(f.geom) = 'MULTIPOINT' AND ST_NumGeometries(f.geom) = 1
       RETURNING f.n, f.code, coalesce(nullif((f.attrs->>'area_m2')::float8, 0), 100) AS m2
     )
     INSERT INTO gis_import_problems (import_id, n, code, kind, severity, message)
     SELECT $1, pts.n, pts.code, 'point_footprint', 'warning',
            '以点代面 row ' || pts.n || ' gives a point, not a footprint: it is stored as a circle of ' || round(pts.m2::numeric) || ' m²; draw its outline on the map when it is surveyed'
     FROM pts`,
    [importId],
  );
}

/** Previews nobody committed or discarded within a day are discarded, and their staged rows dropped. */
export async function expireOldPreviews(db: Queryable): Promise<number> {
  const res = await db.query<{ id: number }>(
    `UPDATE gis_imports SET state = 'discarded', ended_at = now() WHERE state = 'previewed' AND created_at < now() - interval '1 day' RETURNING id`,
  );
  if (res.rows.length > 0) await db.query(`DELETE FROM gis_import_features WHERE import_id = ANY($1::int[])`, [res.rows.map((r) => r.id)]);
  return res.rows.length;
}

// ---- 网格分割与合并 splitting and merging cells on the map ------------------------------------------

/** A grid cell in force, as a split or merge starts from it. */
export interface CurrentCell {
  code: string;
  communityCode: string;
  streetCode: string;
  communityName: string;
  streetName: string;
  squadId: number | null;
  attrs: Record<string, unknown>;
  areaM2: number;
}

/** The cells in force of these codes (those of them that are), in code order. */
export async function currentCells(db: Queryable, codes: string[]): Promise<CurrentCell[]> {
  const res = await db.query<CurrentCell>(
    `SELECT g.code::text AS code, g.community_code::text AS "communityCode", c.street_code::text AS "streetCode", c.name AS "communityName",
            s.name AS "streetName", g.squad_id AS "squadId", g.attrs, g.area_m2 AS "areaM2"
     FROM grid_cells g JOIN communities c ON c.code = g.community_code JOIN streets s ON s.code = c.street_code
     WHERE g.code = ANY($1::bpchar[]) AND g.valid_to IS NULL ORDER BY g.code`,
    [codes],
  );
  return res.rows;
}

/** A cell's parts once cut by a line (GeoJSON, WGS84), north to south then west to east: GeoJSON text and area. */
export async function splitCell(db: Queryable, code: string, line: string): Promise<{ geojson: string; areaM2: number }[]> {
  const res = await db.query<{ geojson: string; areaM2: number }>(
    `SELECT ST_AsGeoJSON(p.g, 9) AS geojson, ST_Area(p.g::geography) AS "areaM2"
     FROM (
       SELECT (ST_Dump(ST_Split(d.geom, ST_SetSRID(ST_GeomFromGeoJSON($2), 4326)))).geom AS g
       FROM grid_cells g CROSS JOIN LATERAL ST_Dump(g.geom) d WHERE g.code = $1::bpchar AND g.valid_to IS NULL
     ) p
     WHERE GeometryType(p.g) = 'POLYGON'
     ORDER BY ST_Y(ST_PointOnSurface(p.g)) DESC, ST_X(ST_PointOnSurface(p.g))`,
    [code, line],
  );
  return res.rows;
}

/**
 * The cells in force of these codes as one shape: its GeoJSON (a Polygon when it is one), its area, and
 * how many separate groups the cells make (cells closer than 1e-7°, about a centimetre, count as touching).
 */
export async function mergeCells(db: Queryable, codes: string[]): Promise<{ geojson: string; areaM2: number; groups: number }> {
  const res = await db.query<{ geojson: string; areaM2: number; groups: number }>(
    `SELECT ST_AsGeoJSON(CASE WHEN ST_NumGeometries(u) = 1 THEN ST_GeometryN(u, 1) ELSE u END, 9) AS geojson,
            ST_Area(u::geography) AS "areaM2", groups
     FROM (
       SELECT ST_Multi(ST_CollectionExtract(ST_UnaryUnion(ST_Collect(g.geom)), 3)) AS u,
              coalesce(array_length(ST_ClusterWithin(g.geom, 1e-7), 1), 0) AS groups
       FROM grid_cells g WHERE g.code = ANY($1::bpchar[]) AND g.valid_to IS NULL
     ) x`,
    [codes],
  );
  return res.rows[0]!;
}

/**
 * The next `n` free codes of a community: sequence numbers after the highest it ever used, then (when
 * 999 is reached) the lowest never used. A code that any version of the grid had is never given again.
 */
export async function nextCodes(db: Queryable, communityCode: string, n: number): Promise<string[]> {
  const res = await db.query<{ code: string }>(
    `WITH used AS (SELECT DISTINCT right(code, 3)::int AS s FROM grid_cells WHERE community_code = $1::bpchar),
          top AS (SELECT coalesce(max(s), 0) AS m FROM used)
     SELECT $1::text || lpad(q::text, 3, '0') AS code
     FROM generate_series(1, 999) q, top
     WHERE q NOT IN (SELECT s FROM used)
     ORDER BY q <= top.m, q LIMIT $2`,
    [communityCode, n],
  );
  return res.rows.map((r) => r.code);
}

/**
 * The rules an edit of some cells (scope=features) adds to the grid's: a retired code is not given again
 * (by this edit or any earlier version: a code names one shape over time), and a cell overlaps no cell in
 * force that the edit leaves (neither retired nor among its codes).
 */
export async function checkGridEdit(db: Queryable, importId: number, retire: string[], toleranceM2: number): Promise<void> {
  await db.query(
    `INSERT INTO gis_import_problems (import_id, n, code, kind, severity, message)
     SELECT $1, f.n, f.code, 'bad_code', 'error',
            CASE WHEN f.code = ANY($2::text[])
                 THEN '编码已停用 grid code ' || f.code || ' is retired by this edit: give the new cell a new code'
                 ELSE '编码曾经使用 grid code ' || f.code || ' named a cell of an earlier grid version: a code names one shape over time, give the new cell a new code' END
     FROM gis_import_features f
     WHERE f.import_id = $1 AND f.code ~ '^[0-9]{15}$' AND ${CLEAN}
       AND (f.code = ANY($2::text[])
            OR (EXISTS (SELECT 1 FROM grid_cells g WHERE g.code = f.code::bpchar)
                AND NOT EXISTS (SELECT 1 FROM grid_cells g WHERE g.code = f.code::bpchar AND g.valid_to IS NULL)))`,
    [importId, retire],
  );
  await db.query(
    `INSERT INTO gis_import_problems (import_id, n, code, kind, severity, message, geom)
     SELECT $1, o.n, o.code, 'overlap', 'error',
            '网格重叠 cell ' || o.code || ' (row ' || o.n || ') overlaps cell ' || o.other || ' in force by ' || round(o.m2::numeric) ||
            ' m²: redraw it so that it only shares edges, or retire ' || o.other,
            o.part
     FROM (
       SELECT f.n, f.code, g.code::text AS other, x.part, ST_Area(x.part::geography) AS m2
       FROM gis_import_features f
       JOIN grid_cells g ON g.valid_to IS NULL AND g.geom && f.geom AND ST_Relate(f.geom, g.geom, '2********')
       CROSS JOIN LATERAL (SELECT ST_CollectionExtract(ST_Intersection(f.geom, g.geom), 3) AS part) x
       WHERE f.import_id = $1 AND f.geom IS NOT NULL AND ${CLEAN}
         AND NOT (g.code::text = ANY($2::text[]))
         AND NOT EXISTS (SELECT 1 FROM gis_import_features s WHERE s.import_id = $1 AND s.code::bpchar = g.code)
     ) o
     WHERE o.m2 > $3`,
    [importId, retire, toleranceM2],
  );
}

/**
 * Gaps an edit of some cells would leave: what the retired cells and the old shapes of the changed ones
 * covered that no clean cell of the edit covers, above the tolerance (a warning with its outline).
 */
export async function checkGridEditGaps(db: Queryable, importId: number, retire: string[], toleranceM2: number): Promise<void> {
  await db.query(
    `WITH prior AS (
       SELECT ST_Union(g.geom) AS g FROM grid_cells g
       WHERE g.valid_to IS NULL
         AND (g.code::text = ANY($2::text[]) OR EXISTS (SELECT 1 FROM gis_import_features s WHERE s.import_id = $1 AND s.code::bpchar = g.code))
     ),
     fresh AS (SELECT ST_Union(f.geom) AS g FROM gis_import_features f WHERE f.import_id = $1 AND f.geom IS NOT NULL AND ${CLEAN}),
     holes AS (
       SELECT (ST_Dump(CASE WHEN fresh.g IS NULL THEN prior.g ELSE ST_Difference(prior.g, fresh.g) END)).geom AS g FROM prior, fresh WHERE prior.g IS NOT NULL
     )
     INSERT INTO gis_import_problems (import_id, kind, severity, message, geom)
     SELECT $1, 'gap', 'warning',
            '网格间隙 ' || round(ST_Area(h.g::geography)::numeric) || ' m² near ' || round(ST_X(ST_PointOnSurface(h.g))::numeric, 5) || ', ' ||
            round(ST_Y(ST_PointOnSurface(h.g))::numeric, 5) || ' that the cells this edit replaces covered is in no cell after it: draw a cell over it, or widen a neighbour',
            h.g
     FROM holes h WHERE GeometryType(h.g) = 'POLYGON' AND ST_Area(h.g::geography) > $3`,
    [importId, retire, toleranceM2],
  );
}
