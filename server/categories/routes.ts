import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Value } from 'typebox/value';
import { CatalogueVersionDetail, CatalogueVersionSummary, NewCatalogueVersion, VersionId } from '#shared/categories/admin-schemas.ts';
import { CategoryCatalogue } from '#shared/categories/catalogue.ts';
import { Problem } from '../http/problem.ts';
import { type CategoryService, type CategoryVersionService, parseCatalogueCsv, type VersionInput } from './service.ts';

const Err = Type.Ref('ErrorResponse');

export const categoryRoutes: FastifyPluginAsyncTypebox<{ categories: CategoryService }> = async (app, { categories }) => {
  app.get(
    '/api/categories',
    {
      // everyone who reads cases reads their categories (the console's pickers, the officer's report)
      onRequest: app.requires('incident.read'),
      schema: {
        tags: ['cases'],
        summary: 'The category catalogue in force (案件分类), by class: what intake takes as `category`',
        description: 'The catalogue is versioned data; a new version replaces this answer within 30 s. Cases keep the category they were reported under.',
        security: [{ bearer: [] }],
        response: { 200: CategoryCatalogue, 401: Err, 403: Err },
      },
    },
    () => categories.catalogue(),
  );
};

const CSV_LIMIT = 256 * 1024;
const VersionParams = Type.Object({ version: VersionId }, { additionalProperties: false });
const CsvQuery = Type.Object(
  {
    version: Type.Optional(VersionId),
    name: Type.Optional(Type.String({ maxLength: 200, description: 'with text/csv: the version name' })),
    effectiveFrom: Type.Optional(Type.String({ format: 'date', maxLength: 10, description: 'with text/csv: YYYY-MM-DD' })),
  },
  { additionalProperties: false },
);

/** The catalogue versions (目录版本) as the administrator keeps them. */
export const categoryVersionRoutes: FastifyPluginAsyncTypebox<{ versions: CategoryVersionService }> = async (app, { versions }) => {
  // a catalogue as a spreadsheet export (this plugin's routes only)
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: CSV_LIMIT }, (_req, body, done) => done(null, body));

  app.get(
    '/api/admin/categories/versions',
    {
      onRequest: app.requires('categories.manage'),
      schema: {
        tags: ['system'],
        summary: 'Every category catalogue version, the current one marked, with its categories and cases (admin)',
        description:
          'Newest effective date first. `cases` counts the cases created under each version: a case keeps the category (and so the version) it was reported under.',
        security: [{ bearer: [] }],
        response: { 200: Type.Array(CatalogueVersionSummary), 401: Err, 403: Err },
      },
    },
    () => versions.list(),
  );

  app.get(
    '/api/admin/categories/versions/:version',
    {
      onRequest: app.requires('categories.manage'),
      schema: {
        tags: ['system'],
        summary: "A catalogue version's classes and entries, as GET /api/categories answers the current one (admin)",
        description: 'Any version, current or not, with its time limits, time types, enforcement and base priorities; 404 for an unknown id.',
        security: [{ bearer: [] }],
        params: VersionParams,
        response: { 200: CatalogueVersionDetail, 400: Err, 401: Err, 403: Err, 404: Err },
      },
    },
    (req) => versions.detail(req.params.version),
  );

  app.post(
    '/api/admin/categories/versions',
    {
      onRequest: app.requires('categories.manage'),
      schema: {
        tags: ['system'],
        summary: 'Create a catalogue version from JSON or CSV (admin); it becomes current only when activated',
        description:
          'JSON {version, name, effectiveFrom, entries: [{major, majorZh, majorEn, minor, zh, en, timeLimit, timeType, enforcement, basePriority}]}, ' +
          'or text/csv (UTF-8, a BOM allowed) with `?version=&name=&effectiveFrom=` and a header row: 大类代码, 大类名称, 小类代码, 小类名称, 处置时限, ' +
          '时限类型 (紧急工时/工作时/工作日/自然日 or emergency_hours/working_hours/working_days/natural_days), 是否执法 (是/否); optional 大类英文名称, ' +
          '小类英文名称, 基础优先级. Codes: minor = its class code + 2 digits; each minor once; time limits above 0 and within what the time type allows. ' +
          'Any problem: 400 naming each thing to fix, and nothing is stored. Audited (category.version_create).',
        security: [{ bearer: [] }],
        querystring: CsvQuery,
        body: {
          content: {
            'application/json': { schema: NewCatalogueVersion },
            'text/csv': { schema: Type.String({ maxLength: CSV_LIMIT, description: 'header row, then one row per minor class' }) },
          },
        } as never,
        response: { 201: CatalogueVersionDetail, 400: Err, 401: Err, 403: Err, 409: Err, 413: Err, 415: Err },
      },
    },
    async (req, reply) => {
      const body: unknown = req.body;
      const q = req.query;
      let input: VersionInput;
      if (typeof body === 'string') {
        const missing = (['version', 'name', 'effectiveFrom'] as const).filter((k) => !q[k]);
        if (missing.length) throw new Problem(400, `with a CSV body, give ${missing.join(', ')} in the query (?version=…&name=…&effectiveFrom=YYYY-MM-DD)`);
        input = { version: q.version!, name: q.name!, effectiveFrom: q.effectiveFrom!, entries: parseCatalogueCsv(body) };
      } else if (Value.Check(NewCatalogueVersion, body)) {
        if (q.version ?? q.name ?? q.effectiveFrom) throw new Problem(400, 'with a JSON body, give version, name and effectiveFrom in the body, not the query');
        input = { ...body, entries: body.entries.map((e, i) => ({ ...e, where: `entries[${i}] (${e.minor || 'no minor code'})` })) };
      } else throw new Problem(400, 'send JSON {"version", "name", "effectiveFrom", "entries": [...]} or text/csv with a header row');
      reply.code(201);
      return versions.create(req.user, input);
    },
  );

  app.post(
    '/api/admin/categories/versions/:version/activate',
    {
      onRequest: app.requires('categories.manage'),
      schema: {
        tags: ['system'],
        summary: 'Make a catalogue version current (admin): new cases use it; cases already created keep theirs',
        description: 'The old current version steps down in the same transaction. Audited (category.version_activate). Other instances follow within 30 s.',
        security: [{ bearer: [] }],
        params: VersionParams,
        response: { 200: CatalogueVersionSummary, 400: Err, 401: Err, 403: Err, 404: Err },
      },
    },
    (req) => versions.activate(req.user, req.params.version),
  );
};
