import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { IntIdParams as IdParams } from '#shared/id-schemas.ts';
import { IMPORT_ACTIONS, IMPORT_STEPS, PROBLEM_KINDS } from '#shared/gis/import-workflow.ts';
import { GIS_LAYER_NAMES, GIS_LAYERS } from '#shared/gis/layers.ts';
import { Problem } from '../http/problem.ts';
import { StringEnum } from '../http/schemas.ts';
import { FEATURE_SCOPE_LAYERS, GisService, IMPORT_SCOPES, type ImportOptions, MAX_RETIRE } from './service.ts';

/** A city's whole grid as a zipped Shapefile is tens of MB; a GeoJSON of it a few hundred. */
export const DEFAULT_IMPORT_MAX_BYTES = 512 * 1024 * 1024;

const Err = Type.Ref('ErrorResponse');

const ImportRecord = Type.Object({
  id: Type.Integer(),
  layer: StringEnum(GIS_LAYER_NAMES),
  state: StringEnum(['previewed', 'committed', 'discarded'] as const),
  filename: Type.String(),
  format: Type.String(),
  reading: Type.Record(Type.String(), Type.Unknown(), {
    description: 'how the file was read: crs, encoding (and where it came from), fields, mapping, repair',
  }),
  counts: Type.Record(Type.String(), Type.Integer(), {
    description: 'rows; add / change / keep / skip / remove: what a commit does; baseVersion: the version the preview was checked against',
  }),
  createdBy: Type.Union([Type.Integer(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  endedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  versionId: Type.Union([Type.Integer(), Type.Null()]),
});

const ProblemView = Type.Object({
  n: Type.Union([Type.Integer(), Type.Null()], { description: 'the row (record, feature or CSV data row, from 1); null for a layer-wide problem (a gap)' }),
  otherN: Type.Union([Type.Integer(), Type.Null()], { description: 'the other row of a pair (overlap, duplicate)' }),
  code: Type.Union([Type.String(), Type.Null()]),
  kind: StringEnum(Object.keys(PROBLEM_KINDS) as (keyof typeof PROBLEM_KINDS)[]),
  severity: StringEnum(['error', 'warning'] as const, { description: 'error: the row is not committed; warning: reported only' }),
  message: Type.String(),
});

const ImportPreview = Type.Object({
  import: ImportRecord,
  problemCounts: Type.Array(Type.Object({ kind: Type.String(), severity: Type.String(), count: Type.Integer() })),
  problems: Type.Array(ProblemView, { description: 'the first 200 problems by row; page the rest from /problems' }),
  removed: Type.Array(Type.String(), { description: 'codes in force that the commit would close because the file no longer has them (first 500)' }),
});

const GridCode = Type.String({ pattern: '^[0-9]{15}$', maxLength: 15, description: '15-digit grid code', examples: ['510104999998001'] });
const Position = Type.Array(Type.Number({ minimum: -180, maximum: 180 }), { minItems: 2, maxItems: 2, description: '[lon, lat]' });

const GridProposal = Type.Object({
  type: Type.Literal('FeatureCollection'),
  features: Type.Array(
    Type.Object({
      type: Type.Literal('Feature'),
      geometry: Type.Record(Type.String(), Type.Unknown(), { description: 'a GeoJSON Polygon or MultiPolygon (WGS84)' }),
      properties: Type.Object({
        code: Type.String({ description: 'the proposed new code' }),
        street_code: Type.String(),
        street_name: Type.String(),
        community_code: Type.String(),
        community_name: Type.String(),
        area_m2: Type.Number(),
      }),
    }),
  ),
  retire: Type.Array(Type.String(), { description: 'the codes in force the new cells replace: give them as `retire` with the import' }),
});

const ImportQuery = Type.Object(
  {
    layer: StringEnum(GIS_LAYER_NAMES, { description: GIS_LAYER_NAMES.map((l) => `\`${l}\`: ${GIS_LAYERS[l].label.zh} ${GIS_LAYERS[l].label.en}`).join('; ') }),
    crs: Type.Optional(
      Type.String({
        pattern: '^(?:[Ee][Pp][Ss][Gg]:)?[0-9]{4,5}$',
        maxLength: 10,
        description: 'the coordinate system when the file does not say it (or says it wrongly): EPSG:4326, 4490, 3857, 4491–4554 (CGCS2000 Gauss-Krüger)',
      }),
    ),
    coords: Type.Optional(
      StringEnum(['wgs84', 'gcj02', 'bd09'] as const, { description: 'lon/lat shifted by Amap / DataV (gcj02) or Baidu (bd09): no file can say it' }),
    ),
    encoding: Type.Optional(StringEnum(['gbk', 'utf-8'] as const, { description: 'attribute text encoding, when the .cpg is missing or wrong' })),
    shpLayer: Type.Optional(Type.String({ maxLength: 200, description: 'which .shp of a zip that holds several' })),
    mapping: Type.Optional(
      Type.String({
        maxLength: 4000,
        description: 'JSON: target field → the file\'s field, e.g. {"code":"网格编码","community_name":"社区"}; proposed from the field names when absent',
      }),
    ),
    repair: Type.Optional(Type.Boolean({ description: 'repair invalid polygons with ST_MakeValid (structure method) instead of refusing them' })),
    scope: Type.Optional(
      StringEnum(IMPORT_SCOPES, {
        description:
          '`layer` (default): the file is the layer as it should be (a grid commit closes the cells of the districts it covers that it no longer has). ' +
          '`features`: the file carries only some features, e.g. drawn on the map (GeoJSON, WGS84): they are checked like any import and a commit adds or changes exactly those, ' +
          `leaving every other feature of the layer as it is (for the grid, it also closes the cells named in \`retire\`). Only for ${FEATURE_SCOPE_LAYERS.join(', ')}; refused (400) for districts, whose file is always the whole layer.`,
      }),
    ),
    retire: Type.Optional(
      Type.String({
        pattern: `^[0-9]{15}(,[0-9]{15}){0,${MAX_RETIRE - 1}}$`,
        maxLength: 16 * MAX_RETIRE,
        examples: ['510104999998001'],
        description:
          `grid with scope=features only: the cells in force (comma-separated 15-digit codes, at most ${MAX_RETIRE}) that the edit replaces, closed at the commit and counted as remove; ` +
          "the file then holds their replacements (a split's two parts, a merge's one cell), checked against the other cells in force",
      }),
    ),
    wktColumn: Type.Optional(Type.String({ maxLength: 100, description: 'CSV: the column holding WKT' })),
    lonColumn: Type.Optional(Type.String({ maxLength: 100, description: 'CSV: the longitude column' })),
    latColumn: Type.Optional(Type.String({ maxLength: 100, description: 'CSV: the latitude column' })),
  },
  { additionalProperties: false },
);

export const gisRoutes: FastifyPluginAsyncTypebox<{ gis: GisService; dataDir: string; maxBytes?: number }> = async (app, { gis, dataDir, maxBytes }) => {
  const limit = maxBytes ?? DEFAULT_IMPORT_MAX_BYTES;
  await app.register(multipart, { limits: { fileSize: limit, files: 1, fields: 0, parts: 1 } });
  const tmpRoot = path.join(dataDir, 'tmp', 'gis-uploads');

  app.get(
    '/api/gis/layers',
    {
      onRequest: app.requires('gis.manage'),
      schema: {
        tags: ['gis'],
        summary: 'The layers a city imports, their fields and the source field names each is proposed from',
        description:
          'What the import maps a file onto: per layer its label, geometry (polygon or point), the field rows are known by, and each target field with the source names it is proposed from (Chinese, pinyin initials, English).',
        security: [{ bearer: [] }],
        response: { 200: Type.Record(Type.String(), Type.Unknown()), 401: Err, 403: Err },
      },
    },
    async () => GIS_LAYERS,
  );

  app.post(
    '/api/gis/imports',
    {
      onRequest: app.requires('gis.manage'),
      schema: {
        tags: ['gis'],
        summary: 'Upload a layer (multipart, one "file" part): read, checked and previewed; nothing changes until commit',
        description:
          'Zipped Shapefile (.shp .shx .dbf .prj, .cpg; GBK or UTF-8; CGCS2000 geographic or Gauss-Krüger, WGS84, Web Mercator), GeoJSON or CSV with WKT or lon/lat columns. ' +
          'The answer lists every problem by row and what a commit would add, change, keep, skip and remove. ' +
          'Key areas and illegal buildings drawn or reshaped on the map come the same way, as a GeoJSON file with scope=features: only those features are upserted. ' +
          'So do grid cells split or merged on the map (see /api/gis/grid/split and /merge): scope=features with retire=the old codes.',
        security: [{ bearer: [] }],
        consumes: ['multipart/form-data'],
        querystring: ImportQuery,
        response: { 201: ImportPreview, 400: Err, 401: Err, 403: Err, 409: Err, 413: Err, 415: Err, 422: Err },
      },
    },
    async (req, reply) => {
      const { mapping, retire, ...rest } = req.query;
      // refused before the upload is read: the options say what the file is
      if (rest.scope === 'features') GisService.assertFeatureScope(rest.layer);
      const retired = await gis.assertRetire(rest.layer, rest.scope, retire);
      const options: Omit<ImportOptions, 'filename'> = { ...rest, retire: retired, mapping: mapping === undefined ? undefined : parseMapping(mapping) };
      await mkdir(tmpRoot, { recursive: true });
      const dir = await mkdtemp(path.join(tmpRoot, 'u-'));
      try {
        const { file, filename } = await receive(req, dir, limit);
        return reply.status(201).send(await gis.preview(req.user, file, { ...options, filename }));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );

  app.post(
    '/api/gis/grid/split',
    {
      onRequest: app.requires('gis.manage'),
      schema: {
        tags: ['gis'],
        summary: '分割网格 Split a grid cell in force along a drawn line: the two parts with proposed new codes (nothing is written)',
        description:
          'The cell is cut with PostGIS ST_Split; the line must cross it from edge to edge, once, so that it makes exactly two parts (422 otherwise). ' +
          "Each part gets a new code: the next sequence numbers of the cell's community never used by any grid version, because a code names one shape over time " +
          '(cases keep the cell row they were located in, and a code that meant another shape would mislead every report over time). ' +
          'The answer is a FeatureCollection with `retire`: commit it as an import (layer=grid_cells, scope=features, retire=the old code); the codes may be edited before.',
        security: [{ bearer: [] }],
        body: Type.Object(
          {
            code: GridCode,
            line: Type.Object(
              {
                type: Type.Literal('LineString'),
                coordinates: Type.Array(Position, { minItems: 2, maxItems: 1000, description: 'WGS84 [lon, lat] positions' }),
              },
              { additionalProperties: false, description: 'the cut, a GeoJSON LineString in WGS84' },
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: GridProposal, 400: Err, 401: Err, 403: Err, 404: Err, 422: Err },
      },
    },
    async (req) => gis.splitCell(req.body.code, req.body.line),
  );

  app.post(
    '/api/gis/grid/merge',
    {
      onRequest: app.requires('gis.manage'),
      schema: {
        tags: ['gis'],
        summary: '合并网格 Merge 2 to 8 touching grid cells of one community: the merged cell with a proposed new code (nothing is written)',
        description:
          'The cells must be in force, of one community, and touch (their union one connected shape; 422 otherwise). ' +
          'The merged cell gets a new code, not one of the merged ones: a code names one shape over time (cases located in any of the old cells keep them), ' +
          'so every merged code is retired. The answer is a FeatureCollection with `retire`: commit it as an import (layer=grid_cells, scope=features, retire=the old codes).',
        security: [{ bearer: [] }],
        body: Type.Object(
          {
            codes: Type.Array(GridCode, {
              minItems: 2,
              maxItems: MAX_RETIRE,
              description: 'the 15-digit codes of the cells to merge',
              examples: [['510104999998001', '510104999998002']],
            }),
          },
          { additionalProperties: false },
        ),
        response: { 200: GridProposal, 400: Err, 401: Err, 403: Err, 404: Err, 422: Err },
      },
    },
    async (req) => gis.mergeCells(req.body.codes),
  );

  app.get(
    '/api/gis/cell',
    {
      onRequest: app.requires('map.read'),
      schema: {
        tags: ['gis'],
        summary: 'The grid cell in force at an instant (now by default) that covers a point: the version a case reported then was located in',
        description:
          'A grid version is in force over [validFrom, validTo); a case keeps the cell row it was located in, so this answers which cell that was for any instant.',
        security: [{ bearer: [] }],
        querystring: Type.Object(
          {
            lon: Type.Number({ minimum: -180, maximum: 180, description: 'WGS84 longitude' }),
            lat: Type.Number({ minimum: -90, maximum: 90, description: 'WGS84 latitude' }),
            at: Type.Optional(Type.String({ format: 'date-time', maxLength: 40, description: 'the instant (RFC 3339); now when absent' })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            id: Type.Integer(),
            code: Type.String(),
            districtAdcode: Type.String(),
            versionId: Type.Union([Type.Integer(), Type.Null()], { description: 'the import version that made it; null for the demo seed' }),
            validFrom: Type.String({ format: 'date-time' }),
            validTo: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
          }),
          401: Err,
          403: Err,
          404: Err,
        },
      },
    },
    async (req) => gis.cellAt(req.query.lon, req.query.lat, req.query.at),
  );

  app.get(
    '/api/gis/layers/:layer/export',
    {
      onRequest: app.requires('gis.manage'),
      schema: {
        tags: ['gis'],
        summary: 'A layer as a file: GeoJSON, CSV (WKT) or zipped Shapefile, in WGS84 or a chosen CRS',
        description:
          'Districts, the grid in force, key areas or illegal buildings, optionally of one district. Field names are those the import proposes from, so an export imports again unchanged. ' +
          'Shapefile text is GBK by default (ArcGIS and SuperMap read it with the .cpg); CSV is UTF-8 with a BOM for Excel unless encoding=gbk.',
        security: [{ bearer: [] }],
        params: Type.Object({ layer: StringEnum(['districts', 'grid_cells', 'key_areas', 'illegal_buildings'] as const) }, { additionalProperties: false }),
        querystring: Type.Object(
          {
            format: StringEnum(['geojson', 'csv', 'shapefile'] as const),
            crs: Type.Optional(
              Type.String({
                pattern: '^(?:[Ee][Pp][Ss][Gg]:)?[0-9]{4,5}$',
                maxLength: 10,
                description: 'EPSG code to write in (CSV, Shapefile): 4326 (default), 4490, 3857, 4491–4554',
              }),
            ),
            encoding: Type.Optional(StringEnum(['gbk', 'utf-8'] as const)),
            district: Type.Optional(Type.String({ pattern: '^[0-9]{6}$', maxLength: 6, description: 'only this district' })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: {
            description: 'the file, as an attachment',
            content: Object.fromEntries(
              ['application/geo+json', 'text/csv', 'application/zip'].map((t) => [t, { schema: { type: 'string', format: 'binary' } }]),
            ),
          },
          400: Err,
          401: Err,
          403: Err,
          422: Err,
        },
      },
    },
    async (req, reply) => {
      const { stream, filename, type } = await gis.export(req.params.layer, req.query);
      return reply
        .type(type)
        .header('content-disposition', `attachment; filename="export.${filename.split('.').pop()}"; filename*=UTF-8''${encodeURIComponent(filename)}`)
        .header('cache-control', 'no-store')
        .send(stream);
    },
  );

  app.get(
    '/api/gis/imports',
    {
      onRequest: app.requires('gis.manage'),
      schema: {
        tags: ['gis'],
        summary: 'The latest 100 imports, newest first',
        description: 'Each with its state (previewed, committed, discarded), how the file was read and what its commit did or would do.',
        security: [{ bearer: [] }],
        response: { 200: Type.Array(ImportRecord), 401: Err, 403: Err },
      },
    },
    async () => gis.list(),
  );

  app.get(
    '/api/gis/imports/:id',
    {
      onRequest: app.requires('gis.manage'),
      schema: {
        tags: ['gis'],
        summary: 'An import and its preview',
        description: 'The same answer as the upload gave: the record, problem counts by kind, the first 200 problems and the codes a commit would close.',
        security: [{ bearer: [] }],
        params: IdParams,
        response: { 200: ImportPreview, 401: Err, 403: Err, 404: Err },
      },
    },
    async (req) => gis.previewOf(req.params.id),
  );

  app.get(
    '/api/gis/imports/:id/problems',
    {
      onRequest: app.requires('gis.manage'),
      schema: {
        tags: ['gis'],
        summary: "An import's problems, by row, a page at a time",
        description: 'Ordered by row (layer-wide problems such as gaps last); each says what to fix.',
        security: [{ bearer: [] }],
        params: IdParams,
        querystring: Type.Object(
          {
            offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000, default: 0 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5_000, default: 500 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(ProblemView), 401: Err, 403: Err, 404: Err },
      },
    },
    async (req) => gis.problems(req.params.id, req.query.offset ?? 0, req.query.limit ?? 500),
  );

  app.get(
    '/api/gis/imports/:id/map',
    {
      onRequest: app.requires('gis.manage'),
      schema: {
        tags: ['gis'],
        summary: 'The staged rows (with what a commit does to each) and the located problems, as GeoJSON for the map (first 20,000 of each)',
        description:
          'Rows carry `n`, `code` and `action` (add, change, keep, skip); problems carry `problem`, `severity` and `message`: where a geometry is invalid, the overlap between two cells, a gap.',
        security: [{ bearer: [] }],
        params: IdParams,
        response: {
          200: { description: 'a GeoJSON FeatureCollection', content: { 'application/geo+json': { schema: { type: 'object' } } } },
          401: Err,
          403: Err,
          404: Err,
        },
      },
    },
    async (req, reply) => reply.type('application/geo+json').send(await gis.previewMap(req.params.id)),
  );

  for (const action of IMPORT_ACTIONS) {
    const rule = IMPORT_STEPS[action];
    app.post(
      `/api/gis/imports/:id/${action}`,
      {
        onRequest: app.requires('gis.manage'),
        schema: {
          tags: ['gis'],
          summary: `${rule.zh} ${rule.en[0]!.toUpperCase()}${rule.en.slice(1)} a previewed import`,
          description:
            action === 'commit'
              ? 'One transaction: the clean rows become the version in force now; cells the file changed or no longer has are closed (cases keep the cell they were located in). 409 when another version was committed since the preview.'
              : 'Ends the import without changing anything.',
          security: [{ bearer: [] }],
          params: IdParams,
          response: { 200: ImportPreview, 401: Err, 403: Err, 404: Err, 409: Err },
        },
      },
      async (req) => gis.step(req.user, req.params.id, action),
    );
  }
};

function parseMapping(text: string): Record<string, string> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Problem(400, 'mapping is not JSON: give an object of target field → file field, e.g. {"code":"网格编码"}');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value) || !Object.values(value).every((v) => typeof v === 'string')) {
    throw new Problem(400, 'mapping must be an object whose values are field names (text), e.g. {"code":"网格编码"}');
  }
  return value as Record<string, string>;
}

/** The one "file" part, streamed to a temp file (never held in memory), with its name. */
async function receive(req: FastifyRequest, dir: string, limit: number): Promise<{ file: string; filename: string }> {
  if (!req.isMultipart()) throw new Problem(415, 'send multipart/form-data with one "file" part holding the layer');
  let part;
  try {
    part = await req.file();
  } catch (err) {
    throw uploadProblem(err, limit);
  }
  if (!part || part.fieldname !== 'file') throw new Problem(400, 'the upload has no "file" part: send the layer as the multipart field named "file"');
  const filename = (part.filename || 'upload').replace(/[\\/]/g, '_').slice(0, 200);
  const file = path.join(dir, 'upload');
  try {
    await pipeline(part.file, createWriteStream(file));
  } catch (err) {
    throw uploadProblem(err, limit);
  }
  if (part.file.truncated) throw new Problem(413, tooLarge(filename, limit));
  return { file, filename };
}

const tooLarge = (name: string, limit: number) =>
  `文件过大 ${name} is larger than ${Math.round(limit / 1024 / 1024)} MB: split the layer (by district) and import the parts`;

function uploadProblem(err: unknown, limit: number): Error {
  const e = err as Error & { code?: string; statusCode?: number; part?: { filename?: string } };
  if (e.code === 'FST_REQ_FILE_TOO_LARGE') return new Problem(413, tooLarge(e.part?.filename || 'the file', limit));
  if (e.code === 'FST_FILES_LIMIT' || e.code === 'FST_PARTS_LIMIT' || e.code === 'FST_FIELDS_LIMIT') {
    return new Problem(413, 'send exactly one "file" part and no other fields (options go in the query string)');
  }
  if (/boundary|unexpected end|terminated early/i.test(e.message ?? '') || e.code === 'FST_MP_PREMATURE_CLOSE') {
    return new Problem(400, 'the multipart body is broken or ends early (check the boundary in Content-Type); send the file again');
  }
  return e;
}
