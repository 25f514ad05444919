import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import type pg from 'pg';
import type { AuthUser } from '../auth/user.ts';
import { withTransaction } from '../db/transaction.ts';
import { type AreaSource, rebuildAreaEntries } from '../geocode/repository.ts';
import { appendAudit } from '../audit/repository.ts';
import type { EventBus } from '../events/bus.ts';
import { appendEvents } from '../events/repository.ts';
import { Problem } from '../http/problem.ts';
import { type ImportAction, importStepRefusal, PROBLEM_KINDS } from '#shared/gis/import-workflow.ts';
import { type FieldMapping, fieldsKey, GIS_LAYERS, type GisLayer, mappingProblems, proposeMapping, readFieldValue } from '#shared/gis/layers.ts';
import { converterFromWgs84, type CrsConverter, type DeclaredCoords, type Geometry, resolveCrs, transformGeometry } from './formats/crs.ts';
import { type ExportFeature, type ExportField, writeCsv, writeGeoJson, writeShapefileZip } from './formats/export.ts';
import { GisFileError } from './formats/errors.ts';
import type { OpenedLayer, SourceFeature } from './formats/layer.ts';
import { openLayer } from './formats/open-layer.ts';
import * as repo from './repository.ts';
import type { ImportRecord, ProblemRow, RowProblem, StagedRow } from './repository.ts';

/**
 * What a file stands for: the whole layer (`layer`), or only the features it carries (`features`: an edit
 * drawn on the map, or a few rows of a register), which a commit upserts leaving the rest of the layer alone.
 */
export const IMPORT_SCOPES = ['layer', 'features'] as const;
export type ImportScope = (typeof IMPORT_SCOPES)[number];
/**
 * The layers a file of some features can edit: key areas and illegal buildings (a commit adds and changes
 * rows by their key), and the grid, whose edit closes only the cells it names in `retire` (a split or a
 * merge drawn on the map). Districts are the frame everything else hangs on: always imported whole.
 */
export const FEATURE_SCOPE_LAYERS: readonly GisLayer[] = ['key_areas', 'illegal_buildings', 'grid_cells'];
/** Cells one edit may retire: a merge takes 2 to 8. */
export const MAX_RETIRE = 8;

/** A split or merge proposed: the new cells as GeoJSON features with proposed codes, and the codes they retire. */
export interface GridProposal {
  type: 'FeatureCollection';
  /** geometry: a GeoJSON Polygon or MultiPolygon (WGS84), as PostGIS wrote it */
  features: { type: 'Feature'; geometry: Record<string, unknown>; properties: GridProposalProps }[];
  retire: string[];
}
export interface GridProposalProps {
  code: string;
  street_code: string;
  street_name: string;
  community_code: string;
  community_name: string;
  area_m2: number;
}

/** A drawn line as GeoJSON (WGS84). */
export interface LineStringGeometry {
  type: 'LineString';
  coordinates: number[][];
}

export interface ImportOptions {
  layer: GisLayer;
  /** `features`: upsert these features only (FEATURE_SCOPE_LAYERS); `layer` (default): the file is the layer */
  scope?: ImportScope;
  /** grid with scope=features: the cells in force the edit closes (a split's or merge's old cells), checked by assertRetire */
  retire?: string[];
  filename: string;
  crs?: string;
  coords?: DeclaredCoords;
  encoding?: string;
  /** which layer of a zip with several .shp */
  shpLayer?: string;
  mapping?: FieldMapping;
  repair?: boolean;
  wktColumn?: string;
  lonColumn?: string;
  latColumn?: string;
}

export interface ImportPreview {
  import: ImportRecord;
  problemCounts: { kind: string; severity: string; count: number }[];
  /** the first problems, by row; the rest are paged from /problems */
  problems: ProblemRow[];
  /** codes the commit would close because the file no longer has them (first 500) */
  removed: string[];
}

/** Rows staged per statement: large enough that 100k rows are 100 round trips, small enough for one message. */
const BATCH = 1_000;
/** Overlaps and gaps smaller than this are drawing noise, not defects. */
const TOLERANCE_M2 = 1;
/** Where any CGCS2000 / WGS84 coordinate of a Chinese city lies; a sample outside means the CRS is wrong. */
const CHINA = { west: 73, east: 136, south: 3, north: 54 };

/**
 * 城市底图数据 imports (issue 13): a file is read as one layer, reprojected, mapped onto the layer's
 * fields and staged; SQL checks it and diffs it against the version in force; the preview says what a
 * commit would do, row by row. A commit makes the new version in one transaction.
 */
export class GisService {
  /** One file read at a time per instance: reading is CPU and I/O the console's requests share. */
  private reading = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly bus: EventBus,
  ) {}

  /** 400 unless a file of some features (scope=features) can stand for an edit of `layer`. */
  static assertFeatureScope(layer: GisLayer): void {
    if (FEATURE_SCOPE_LAYERS.includes(layer)) return;
    throw new Problem(
      400,
      `scope=features 不适用于${GIS_LAYERS[layer].label.zh} ${GIS_LAYERS[layer].label.en} are imported whole (scope=layer): a file of some of them is not an edit of the layer; ` +
        `scope=features is for ${FEATURE_SCOPE_LAYERS.map((l) => `${l} (${GIS_LAYERS[l].label.zh})`).join(', ')}`,
    );
  }

  /**
   * The `retire` option read and checked before the upload is: only for a grid edit (layer=grid_cells,
   * scope=features), each a 15-digit code of a cell in force, each once. 400 naming `retire` otherwise.
   */
  async assertRetire(layer: GisLayer, scope: ImportScope | undefined, retire: string | undefined): Promise<string[] | undefined> {
    if (retire === undefined) return undefined;
    if (layer !== 'grid_cells' || scope !== 'features') {
      throw new Problem(400, 'retire 只用于网格编辑 retire is only for layer=grid_cells with scope=features (a split or merge drawn on the map)');
    }
    const codes = retire.split(',').map((c) => c.trim());
    const bad = codes.find((c) => !/^[0-9]{15}$/.test(c));
    if (bad !== undefined) throw new Problem(400, `retire: "${bad.slice(0, 20)}" is not a 15-digit grid code; give the codes to close, comma-separated`);
    if (codes.length > MAX_RETIRE) throw new Problem(400, `retire: at most ${MAX_RETIRE} codes, not ${codes.length}`);
    const twice = codes.find((c, i) => codes.indexOf(c) !== i);
    if (twice) throw new Problem(400, `retire: ${twice} is given twice`);
    const found = new Set((await repo.currentCells(this.pool, codes)).map((c) => c.code));
    const missing = codes.filter((c) => !found.has(c));
    if (missing.length > 0)
      throw new Problem(
        400,
        `retire: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not a grid cell in force: only a cell in force can be retired`,
      );
    return codes;
  }

  async preview(user: AuthUser, file: string, opts: ImportOptions): Promise<ImportPreview> {
    if (opts.scope === 'features') GisService.assertFeatureScope(opts.layer);
    if (this.reading) throw new Problem(409, '另一个导入正在检查 another import is being checked on this server: upload again when it has finished');
    this.reading = true;
    try {
      await repo.expireOldPreviews(this.pool);
      const opened = await openLayer(file, {
        filename: opts.filename,
        encoding: opts.encoding,
        layer: opts.shpLayer,
        wktColumn: opts.wktColumn,
        lonColumn: opts.lonColumn,
        latColumn: opts.latColumn,
      });
      try {
        return await this.stage(user, opened, opts);
      } finally {
        await opened.close();
      }
    } finally {
      this.reading = false;
    }
  }

  private async stage(user: AuthUser, opened: OpenedLayer, opts: ImportOptions): Promise<ImportPreview> {
    const spec = GIS_LAYERS[opts.layer];
    const crs = await this.crsOf(opened, opts);
    const mapping = await this.mappingOf(opened, opts);
    const reading = {
      layerName: opened.name,
      crs: crs.source,
      encoding: opened.encoding ?? 'utf-8',
      encodingSource: opened.encodingSource ?? 'format',
      fields: opened.fieldNames,
      mapping,
      repair: opts.repair ?? false,
      scope: opts.scope ?? 'layer',
      ...(opts.layer === 'grid_cells' && opts.scope === 'features' ? { retire: opts.retire ?? [] } : {}),
    };
    const importId = await repo.createImport(this.pool, { layer: opts.layer, filename: opts.filename, format: opened.format, reading, userId: user.id });
    try {
      const read = await this.readRows(importId, opened, opts.layer, crs, mapping);
      await repo.analyzeStaged(this.pool);
      if (read.rows === 0) throw new GisFileError(422, '文件中没有要素 the file has no features: export the layer again with its features');
      if (read.withGeometry > 0 && read.wrongType === read.withGeometry) {
        throw new GisFileError(
          422,
          `几何类型不符 the file holds ${[...read.types].join(', ')} features, but ${spec.label.en} (${spec.label.zh}) are ${spec.geometry === 'polygon' ? 'polygons' : 'points'}: choose the right layer or file`,
        );
      }
      await repo.checkGeometries(this.pool, importId, opts.repair ?? false);
      if (spec.pointFootprints) await repo.footprintsFromPoints(this.pool, importId);
      const counts: Record<string, number> = { rows: read.rows };
      if (opts.layer === 'grid_cells' && opts.scope === 'features') {
        // an edit of some cells: the rest of the grid stays, so it is checked against the cells in force
        const retire = opts.retire ?? [];
        await repo.checkGridRules(this.pool, importId, TOLERANCE_M2);
        await repo.checkGridEdit(this.pool, importId, retire, TOLERANCE_M2);
        await repo.checkGridEditGaps(this.pool, importId, retire, 100 * TOLERANCE_M2);
        Object.assign(counts, await repo.diffGrid(this.pool, importId, true));
      } else if (opts.layer === 'grid_cells') {
        await repo.checkGridRules(this.pool, importId, TOLERANCE_M2);
        await repo.checkGridGaps(this.pool, importId, 100 * TOLERANCE_M2);
        Object.assign(counts, await repo.diffGrid(this.pool, importId));
      } else if (opts.layer === 'districts') {
        await repo.checkDistrictRules(this.pool, importId);
        Object.assign(counts, await repo.diffDistricts(this.pool, importId));
      } else if (opts.layer === 'key_areas') {
        await repo.checkKeyAreaRules(this.pool, importId);
        Object.assign(counts, await repo.diffKeyAreas(this.pool, importId));
      } else {
        await repo.checkIllegalBuildingRules(this.pool, importId);
        Object.assign(counts, await repo.diffIllegalBuildings(this.pool, importId));
      }
      // the commit selects by action, which was null when the rows were analysed
      await repo.analyzeStaged(this.pool);
      counts.baseVersion = await repo.latestVersion(this.pool, opts.layer);
      await repo.setCounts(this.pool, importId, counts);
      return await this.previewOf(importId);
    } catch (err) {
      await repo.deleteImport(this.pool, importId);
      throw err;
    }
  }

  private async crsOf(opened: OpenedLayer, opts: ImportOptions): Promise<CrsConverter> {
    const sample = await opened.samplePosition();
    // GeoJSON (RFC 7946) and CSV registers are lon/lat unless they or the administrator say otherwise;
    // a Shapefile says it in its .prj or not at all
    const fallback = opened.format === 'shapefile' ? undefined : (opened.declaredEpsg ?? 4326);
    const crs = resolveCrs({ prj: opened.prj, crs: opts.crs ?? (opened.prj ? undefined : fallback), coords: opts.coords, sample });
    if (sample) {
      const [lon, lat] = crs.toWgs84(sample);
      if (!(lon! >= CHINA.west && lon! <= CHINA.east && lat! >= CHINA.south && lat! <= CHINA.north)) {
        throw new GisFileError(
          422,
          `坐标系不对 read as ${crs.source}, the first point (${sample.slice(0, 2).join(', ')}) lands at ${lon?.toFixed(4)}, ${lat?.toFixed(4)}, outside China: give the file's coordinate system (crs=EPSG:…)`,
        );
      }
    }
    return crs;
  }

  private async mappingOf(opened: OpenedLayer, opts: ImportOptions): Promise<FieldMapping> {
    const remembered = await repo.rememberedMapping(this.pool, opts.layer, fieldsKey(opened.fieldNames));
    const mapping = opts.mapping ?? remembered ?? proposeMapping(opts.layer, opened.fieldNames);
    const problems = mappingProblems(opts.layer, mapping, opened.fieldNames);
    if (problems.length > 0) {
      throw new GisFileError(422, `${problems.join('; ')} (the file's fields: ${opened.fieldNames.join(', ') || 'none'})`);
    }
    return mapping;
  }

  private async readRows(importId: number, opened: OpenedLayer, layer: GisLayer, crs: CrsConverter, mapping: FieldMapping) {
    const spec = GIS_LAYERS[layer];
    const keyField = mapping[spec.key]!;
    let rows = 0;
    let withGeometry = 0;
    let wrongType = 0;
    const types = new Set<string>();
    let batch: StagedRow[] = [];
    let problems: RowProblem[] = [];
    const flush = async () => {
      await repo.stageRows(this.pool, importId, batch);
      await repo.addProblems(this.pool, importId, problems);
      batch = [];
      problems = [];
    };
    for await (const feature of opened.features()) {
      rows++;
      const code = text(feature.properties[keyField]);
      const problem = (kind: RowProblem['kind'], message: string) =>
        problems.push({ n: feature.n, code, kind, severity: PROBLEM_KINDS[kind].severity, message });
      const attrs: Record<string, unknown> = {};
      for (const f of spec.fields) {
        const raw = mapping[f.key] ? text(feature.properties[mapping[f.key]!]) : null;
        if (f.required && raw === null) {
          problem('missing_field', `缺少${f.label.zh} row ${feature.n} has no ${f.label.en}${mapping[f.key] ? ` (field ${mapping[f.key]})` : ''}: fill it in`);
          continue;
        }
        if (f.key === spec.key || (!mapping[f.key] && f.fallback === undefined)) continue;
        const read = readFieldValue(f, raw);
        if ('problem' in read) problem('bad_value', `row ${feature.n}: ${read.problem}`);
        else attrs[f.key] = read.value;
      }
      let geojson: string | null = null;
      const why = geometryProblem(feature);
      if (feature.geometry) {
        withGeometry++;
        types.add(feature.geometry.type);
      }
      if (why === 'missing' && feature.geometryError)
        problem('invalid_geometry', `几何无法读取 row ${feature.n}: ${feature.geometryError}: correct it in the file`);
      else if (why === 'missing') problem('no_geometry', `缺少几何 row ${feature.n} has no geometry: draw it, or leave the row out`);
      else if (!family(feature.geometry!, spec.geometry) && !(spec.pointFootprints && feature.geometry!.type === 'Point')) {
        wrongType++;
        problem(
          'wrong_geometry_type',
          `几何类型不符 row ${feature.n} is a ${feature.geometry!.type}; ${spec.label.en} are ${spec.geometry === 'polygon' ? 'polygons' : 'points'}`,
        );
      } else if (why) problem('invalid_geometry', `几何无效 row ${feature.n}: ${why}: fix it in the GIS`);
      else geojson = JSON.stringify(transformGeometry(feature.geometry!, crs.toWgs84));
      batch.push({ n: feature.n, code, name: text(feature.properties[mapping.name ?? '']) ?? null, attrs, geojson });
      if (batch.length >= BATCH) await flush();
    }
    await flush();
    return { rows, withGeometry, wrongType, types };
  }

  async previewOf(id: number): Promise<ImportPreview> {
    const record = await repo.getImport(this.pool, id);
    if (!record) throw new Problem(404, `没有导入 ${id} there is no import ${id}`);
    const [problemCounts, problems, removed] = await Promise.all([
      repo.problemSummary(this.pool, id),
      repo.listProblems(this.pool, id, 0, 200),
      record.state === 'previewed' && record.layer === 'grid_cells' ? repo.removedCodes(this.pool, id, 500, isEdit(record)) : Promise.resolve([]),
    ]);
    return { import: record, problemCounts, problems, removed };
  }

  /** The cell in force at `at` (now when absent) covering the point. */
  async cellAt(lon: number, lat: number, at?: string): Promise<repo.CellAt> {
    const cell = await repo.cellAt(this.pool, lon, lat, at ?? new Date().toISOString());
    if (!cell) throw new Problem(404, `没有网格 no grid cell in force ${at ? `at ${at}` : 'now'} covers ${lon}, ${lat}`);
    return cell;
  }

  /**
   * A layer as a download: GeoJSON (WGS84) or CSV streamed as the rows are read, a page at a time; a
   * zipped Shapefile written to a temp directory first (a zip's directory comes last), then streamed.
   */
  async export(layer: repo.ExportLayer, opts: ExportOptions): Promise<{ stream: Readable; filename: string; type: string }> {
    const crs = opts.crs ? Number(opts.crs.replace(/^epsg:/i, '')) : 4326;
    if (opts.format === 'geojson' && crs !== 4326) {
      throw new Problem(400, 'GeoJSON 只能是 WGS84 GeoJSON is WGS84 only (RFC 7946): export as shapefile or csv for another coordinate system');
    }
    const target = crs === 4326 ? null : converterFromWgs84(crs);
    const pool = this.pool;
    const district = opts.district ?? null;
    async function* features(): AsyncGenerator<ExportFeature> {
      let after = '';
      for (;;) {
        const page = await repo.exportPage(pool, layer, after, EXPORT_PAGE, district);
        for (const row of page) {
          const geometry = row.g ? (JSON.parse(row.g) as Geometry) : null;
          yield { geometry: geometry && target && opts.format === 'csv' ? transformGeometry(geometry, target.fromWgs84) : geometry, properties: row.p };
        }
        if (page.length < EXPORT_PAGE) return;
        after = page.at(-1)!.k;
      }
    }
    const fields = EXPORT_FIELDS[layer];
    const base = `${LAYER_NAMES[layer]}${district ? `-${district}` : ''}`;
    if (opts.format === 'shapefile') {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'zhihui-export-'));
      try {
        const file = path.join(dir, 'export.zip');
        await writeShapefileZip(features(), file, { layerName: base, fields, encoding: opts.encoding ?? 'gbk', crs, tmpDir: dir });
        const stream = createReadStream(file);
        stream.on('close', () => void rm(dir, { recursive: true, force: true }));
        return { stream, filename: `${base}.zip`, type: 'application/zip' };
      } catch (err) {
        await rm(dir, { recursive: true, force: true });
        throw err;
      }
    }
    const out = new PassThrough();
    const write =
      opts.format === 'geojson'
        ? writeGeoJson(features(), out, { fields })
        : writeCsv(features(), out, { fields, encoding: opts.encoding ?? 'utf-8', geometry: 'wkt' });
    // headers are sent by now: a failure can only cut the download short, which the client sees
    write.catch((err: Error) => out.destroy(err));
    return {
      stream: out,
      filename: `${base}.${opts.format === 'geojson' ? 'geojson' : 'csv'}`,
      type: opts.format === 'geojson' ? 'application/geo+json' : `text/csv; charset=${opts.encoding ?? 'utf-8'}`,
    };
  }

  /**
   * 分割: the cell in force cut in two by a drawn line (ST_Split), each part with a new code of the cell's
   * community. Nothing is written: the parts are committed as an edit that retires the cell.
   */
  async splitCell(code: string, line: LineStringGeometry): Promise<GridProposal> {
    const [cell] = await repo.currentCells(this.pool, [code]);
    if (!cell) throw new Problem(404, `没有网格 code: no grid cell ${code} is in force`);
    const across = `从网格一边画到另一边 draw a line across cell ${code} from edge to edge, crossing it once`;
    if (new Set(line.coordinates.map((p) => `${p[0]},${p[1]}`)).size < 2)
      throw new Problem(422, `分割线无效 line: the line needs two different points: ${across}`);
    let parts: { geojson: string; areaM2: number }[];
    try {
      parts = await repo.splitCell(this.pool, code, JSON.stringify({ type: 'LineString', coordinates: line.coordinates.map((p) => [p[0], p[1]]) }));
    } catch (err) {
      // GEOS refusing a degenerate cut (a line along an edge, a spike) is the drawing's fault, not the server's
      if ((err as { code?: string }).code === 'XX000') throw new Problem(422, `分割失败 line: PostGIS could not cut the cell along it: ${across}`);
      throw err;
    }
    if (parts.length !== 2) {
      throw new Problem(
        422,
        parts.length <= 1
          ? `分割线未横穿网格 line: the line does not cut cell ${code} in two: ${across}`
          : `分割线须只横穿一次 line: the line cuts cell ${code} into ${parts.length} parts, not two: ${across}`,
      );
    }
    if (parts.some((p) => p.areaM2 < TOLERANCE_M2)) throw new Problem(422, `分割后有一部分过小 line: one part is smaller than ${TOLERANCE_M2} m²: ${across}`);
    const codes = await this.freeCodes(cell.communityCode, 2);
    return {
      type: 'FeatureCollection',
      features: parts.map((p, i) => proposed(cell, codes[i]!, p.geojson, p.areaM2)),
      retire: [code],
    };
  }

  /**
   * 合并: cells in force of one community that touch, as one shape with a new code (a code names one shape
   * over time, so the merged cell is a new one and every merged code is retired). Nothing is written.
   */
  async mergeCells(codes: string[]): Promise<GridProposal> {
    const twice = codes.find((c, i) => codes.indexOf(c) !== i);
    if (twice) throw new Problem(400, `codes: ${twice} is given twice; give 2 to ${MAX_RETIRE} different cells`);
    const cells = await repo.currentCells(this.pool, codes);
    const missing = codes.filter((c) => !cells.some((x) => x.code === c));
    if (missing.length > 0) throw new Problem(404, `没有网格 codes: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not a grid cell in force`);
    const communities = [...new Set(cells.map((c) => c.communityCode))];
    if (communities.length > 1) {
      throw new Problem(
        422,
        `不属于同一社区 codes: the cells belong to communities ${communities.join(', ')}: only cells of one community merge (a code names its community)`,
      );
    }
    const merged = await repo.mergeCells(this.pool, codes);
    if (merged.groups !== 1) {
      throw new Problem(422, `网格不相邻 codes: cells ${codes.join(', ')} make ${merged.groups} separate groups: merge only cells that touch (share an edge)`);
    }
    const [code] = await this.freeCodes(communities[0]!, 1);
    return { type: 'FeatureCollection', features: [proposed(cells[0]!, code!, merged.geojson, merged.areaM2)], retire: [...codes] };
  }

  private async freeCodes(community: string, n: number): Promise<string[]> {
    const codes = await repo.nextCodes(this.pool, community, n);
    if (codes.length < n) throw new Problem(422, `社区编码已用尽 community ${community} has no free sequence number left for ${n} new cell(s) (999 used)`);
    return codes;
  }

  list(): Promise<ImportRecord[]> {
    return repo.listImports(this.pool, 100);
  }

  async problems(id: number, offset: number, limit: number): Promise<ProblemRow[]> {
    await this.record(id);
    return repo.listProblems(this.pool, id, offset, limit);
  }

  async previewMap(id: number): Promise<string> {
    await this.record(id);
    return repo.previewGeoJson(this.pool, id, 20_000);
  }

  private async record(id: number): Promise<ImportRecord> {
    const record = await repo.getImport(this.pool, id);
    if (!record) throw new Problem(404, `没有导入 ${id} there is no import ${id}`);
    return record;
  }

  /** Commits a previewed import as the layer's new version, or discards it. */
  async step(user: AuthUser, id: number, action: ImportAction): Promise<ImportPreview> {
    const events = await withTransaction(this.pool, async (db) => {
      const record = await repo.getImport(db, id, true);
      if (!record) throw new Problem(404, `没有导入 ${id} there is no import ${id}`);
      const refusal = importStepRefusal(action, record.state);
      if (refusal) throw new Problem(409, refusal);
      if (action === 'discard') {
        await repo.endImport(db, id, 'discarded', null);
        await appendAudit(db, { userId: user.id, action: 'gis.import_discarded', target: `gis_imports/${id}`, before: null, after: { layer: record.layer } });
        return [];
      }
      await repo.lockLayer(db, record.layer);
      const latest = await repo.latestVersion(db, record.layer);
      if (latest !== record.counts.baseVersion) {
        throw new Problem(409, `底图已更新 the ${record.layer} changed since this preview (version ${latest}): upload the file again for a new preview`);
      }
      const version = await repo.insertVersion(db, {
        layer: record.layer,
        importId: id,
        userId: user.id,
        source: `${record.filename} (${String(record.reading.crs)})`,
        counts: record.counts,
      });
      const commits = {
        grid_cells: () => repo.commitGrid(db, id, version.id, isEdit(record)),
        districts: () => repo.commitDistricts(db, id),
        key_areas: () => repo.commitKeyAreas(db, id),
        illegal_buildings: () => repo.commitIllegalBuildings(db, id),
      };
      const done = await commits[record.layer]();
      // the gazetteer names what the city now has (search and reverse geocoding), in the same transaction
      await rebuildAreaEntries(db, GAZETTEER_SOURCES[record.layer]);
      await repo.endImport(db, id, 'committed', version.id);
      const reading = record.reading as { fields: string[]; mapping: FieldMapping };
      await repo.rememberMapping(db, record.layer, fieldsKey(reading.fields), reading.mapping);
      await appendAudit(db, {
        userId: user.id,
        action: 'gis.version_committed',
        target: `gis_versions/${version.id}`,
        before: { version: latest },
        after: { version: version.id, layer: record.layer, ...done },
      });
      // consoles fetch the layer and its tiles again (every instance: the event log carries it)
      return appendEvents(db, [
        { incidentId: null, type: 'map.updated', actorUserId: user.id, districtAdcode: null, payload: { layer: record.layer, versionId: version.id, ...done } },
      ]);
    });
    this.bus.publish(events);
    return this.previewOf(id);
  }
}

/** The gazetteer entries a committed layer rebuilds (a grid import may bring streets and communities with it). */
const GAZETTEER_SOURCES: Record<GisLayer, AreaSource[]> = {
  districts: ['districts', 'streets', 'communities', 'grid_cells'],
  grid_cells: ['streets', 'communities', 'grid_cells'],
  key_areas: ['key_areas'],
  illegal_buildings: [],
};

/** An import that is an edit of some features (scope=features), not the whole layer. */
const isEdit = (record: ImportRecord) => record.reading.scope === 'features';

export type ExportFormat = 'geojson' | 'csv' | 'shapefile';
export interface ExportOptions {
  format: ExportFormat;
  /** EPSG code to write in; GeoJSON is always WGS84 (RFC 7946) */
  crs?: string;
  encoding?: 'gbk' | 'utf-8';
  district?: string;
}

const LAYER_NAMES: Record<repo.ExportLayer, string> = {
  districts: '行政区',
  grid_cells: '单元网格',
  key_areas: '重点地区',
  illegal_buildings: '违法建设',
};

/** The columns of each export, typed for the .dbf; names as the import proposes them back. */
const EXPORT_FIELDS: Record<repo.ExportLayer, ExportField[]> = {
  districts: [
    { name: 'adcode', type: 'text', length: 6 },
    { name: 'name', type: 'text', length: 64 },
    { name: 'name_en', type: 'text', length: 64 },
  ],
  grid_cells: [
    { name: '网格编码', type: 'text', length: 15 },
    { name: '街道编码', type: 'text', length: 9 },
    { name: '街道', type: 'text', length: 64 },
    { name: '社区编码', type: 'text', length: 12 },
    { name: '社区', type: 'text', length: 64 },
    { name: '面积', type: 'number', decimals: 1 },
    { name: '责任中队', type: 'text', length: 64 },
    { name: '生效时间', type: 'text', length: 40 },
  ],
  key_areas: [
    { name: '编号', type: 'integer' },
    { name: '名称', type: 'text', length: 64 },
    { name: '级别', type: 'text', length: 8 },
    { name: '类型', type: 'text', length: 16 },
    { name: '挂账日期', type: 'date' },
    { name: '销账日期', type: 'date' },
  ],
  illegal_buildings: [
    { name: '编号', type: 'text', length: 32 },
    { name: '面积', type: 'number', decimals: 1 },
    { name: '层数', type: 'integer' },
    { name: '类型', type: 'text', length: 8 },
    { name: '阶段', type: 'text', length: 16 },
    { name: '当事人', type: 'text', length: 100 },
    { name: '发现日期', type: 'date' },
    { name: '行政区', type: 'text', length: 6 },
  ],
};

const EXPORT_PAGE = 2_000;

/** A proposed cell: the new code, its community and street (as the import maps them), its area. */
function proposed(cell: repo.CurrentCell, code: string, geojson: string, areaM2: number): GridProposal['features'][number] {
  return {
    type: 'Feature',
    geometry: JSON.parse(geojson) as Record<string, unknown>,
    properties: {
      code,
      street_code: cell.streetCode,
      street_name: cell.streetName,
      community_code: cell.communityCode,
      community_name: cell.communityName,
      area_m2: Math.round(areaM2 * 10) / 10,
    },
  };
}

/** An attribute as text: codes stay as written (a DBF numeric 110101001001001 → "110101001001001"). */
function text(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  const s = (typeof v === 'number' ? (Number.isInteger(v) ? BigInt(v).toString() : String(v)) : String(v)).trim();
  return s === '' ? null : s;
}

function family(g: Geometry, want: 'polygon' | 'point'): boolean {
  return want === 'polygon' ? g.type === 'Polygon' || g.type === 'MultiPolygon' : g.type === 'Point' || g.type === 'MultiPoint';
}

/** What makes a geometry unreadable by PostGIS at all (it would fail the whole batch): said per row instead. */
function geometryProblem(f: SourceFeature): string | 'missing' | null {
  const g = f.geometry;
  if (!g) return 'missing';
  const finite = (p: unknown) => Array.isArray(p) && p.length >= 2 && p.every((x) => typeof x === 'number' && Number.isFinite(x));
  const ring = (r: unknown, i: number): string | null => {
    if (!Array.isArray(r) || !r.every(finite)) return `ring ${i + 1} has a position that is not a pair of numbers`;
    if (r.length < 4) return `ring ${i + 1} has ${r.length} positions; a ring needs at least 4`;
    const [a, b] = [r[0] as number[], r[r.length - 1] as number[]];
    if (a[0] !== b[0] || a[1] !== b[1])
      return `环未闭合 ring ${i + 1} is not closed (its first position ${a.slice(0, 2).join(',')} ≠ its last ${b.slice(0, 2).join(',')})`;
    return null;
  };
  const polygon = (rings: unknown): string | null => {
    if (!Array.isArray(rings) || rings.length === 0) return 'a polygon without rings';
    for (const [i, r] of rings.entries()) {
      const why = ring(r, i);
      if (why) return why;
    }
    return null;
  };
  switch (g.type) {
    case 'Point':
      return finite(g.coordinates) ? null : 'the point is not a pair of numbers';
    case 'MultiPoint':
    case 'LineString':
      return Array.isArray(g.coordinates) && g.coordinates.length > 0 && g.coordinates.every(finite)
        ? null
        : `the ${g.type} has a position that is not a pair of numbers`;
    case 'Polygon':
      return polygon(g.coordinates);
    case 'MultiPolygon': {
      if (!Array.isArray(g.coordinates) || g.coordinates.length === 0) return 'a MultiPolygon without polygons';
      for (const p of g.coordinates) {
        const why = polygon(p);
        if (why) return why;
      }
      return null;
    }
    default:
      return null;
  }
}
