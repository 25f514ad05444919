import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { shanghaiDay } from '#shared/time/deadlines.ts';
import { IndicatorsExportQuery, IndicatorsQuery, IndicatorsReport } from '#shared/indicators/schemas.ts';
import { indicatorsCsv, indicatorsXlsx } from './export.ts';
import type { IndicatorService } from './service.ts';
import type { BuildingProgressService } from '../buildings/progress/service.ts';

const DESCRIPTION =
  'Computed in SQL from the case rows and the event log for the period [from, to), measured as of the earlier of `to` and now. ' +
  'A district-scoped user (a district leader) gets their district only. `definitions` says exactly what every count and indicator means.';

/** IndicatorService checks the period, scopes the figures and reads them from the replica when there is one. */
export const indicatorRoutes: FastifyPluginAsyncTypebox<{ indicators: IndicatorService; progress?: BuildingProgressService }> = async (
  app,
  { indicators, progress },
) => {
  app.get(
    '/api/indicators',
    {
      onRequest: app.requires('indicators.read'),
      schema: {
        tags: ['system'],
        summary: 'Indicators (考核指标) per district or per squad for a period: raw counts, ratios, average times, and the total',
        description: DESCRIPTION,
        security: [{ bearer: [] }],
        querystring: IndicatorsQuery,
        response: { 200: IndicatorsReport, 400: Type.Ref('ErrorResponse'), 401: Type.Ref('ErrorResponse'), 403: Type.Ref('ErrorResponse') },
      },
    },
    (req) => indicators.report(req.user, req.query),
  );

  app.get(
    '/api/indicators/export',
    {
      onRequest: app.requires('indicators.read'),
      schema: {
        tags: ['system'],
        summary: 'The same indicators as a download: CSV (UTF-8 with BOM) or XLSX, headers in Chinese with English',
        description: `${DESCRIPTION} One row per group, then 合计 (total). CSV ratios are percentages; XLSX ratios are numbers formatted as percentages, with a second sheet 口径 of definitions and a third 控违拆违: illegal-building progress per district against the targets of the year the period starts in.`,
        security: [{ bearer: [] }],
        querystring: IndicatorsExportQuery,
        response: {
          200: {
            description: 'the file, as an attachment (Content-Disposition names it)',
            content: {
              'text/csv': { schema: { type: 'string', description: 'format=csv: UTF-8 with a BOM' } },
              'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: { type: 'string', format: 'binary', description: 'format=xlsx' } },
            },
          },
          400: Type.Ref('ErrorResponse'),
          401: Type.Ref('ErrorResponse'),
          403: Type.Ref('ErrorResponse'),
        },
      },
    },
    async (req, reply) => {
      const r = await indicators.report(req.user, req.query);
      const format = req.query.format ?? 'csv';
      // Days as a leader reads them (Asia/Shanghai): March is 2025-03-01_2025-04-01.
      const day = (iso: string) => shanghaiDay(new Date(iso));
      const name = `indicators-${r.by}-${r.scopeDistrict ?? 'city'}-${day(r.from)}_${day(r.to)}.${format}`;
      reply.header('content-disposition', `attachment; filename="${name}"`).header('cache-control', 'no-store');
      if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(indicatorsCsv(r));
      return reply
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .send(await indicatorsXlsx(r, await progress?.progress(req.user, { year: Number(day(r.from).slice(0, 4)), by: 'district' })));
    },
  );
};
