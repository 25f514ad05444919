import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Escalations, EscalationsQuery, Heatmap, HeatmapQuery, KeyAreaBoard, PeriodQuery, StatsCategories, StatsTrend } from '#shared/leader/schemas.ts';
import { sendJsonText } from '../http/json-text.ts';
import type { LeaderService } from './service.ts';

const Err = Type.Ref('ErrorResponse');
const errors = { 400: Err, 401: Err, 403: Err };
const scopeNote = 'A district-scoped user (a district leader) sees their district only; city users the whole city.';

/**
 * What district leaders watch: heatmap, key-area board, escalations (督办), trend and category statistics.
 * LeaderService scopes each read and sends it to the read replica when there is one.
 */
export const leaderRoutes: FastifyPluginAsyncTypebox<{ leader: LeaderService }> = async (app, { leader }) => {
  app.get(
    '/api/heatmap',
    {
      onRequest: app.requires('leader.read'),
      schema: {
        tags: ['leader'],
        summary: 'Cases reported in [from, to) counted per grid cell (热力图)',
        description: `One Point per grid cell with cases, at a point on the cell's surface, with { code, count }. Filters: minor category code, source. ${scopeNote}`,
        security: [{ bearer: [] }],
        querystring: HeatmapQuery,
        response: { 200: Heatmap, ...errors },
      },
    },
    async (req, reply) => sendJsonText(reply, await leader.heatmap(req.user, req.query)),
  );

  app.get(
    '/api/key-areas/board',
    {
      onRequest: app.requires('leader.read'),
      schema: {
        tags: ['leader'],
        summary: 'Key areas (重点地区) against the complaints baseline (常量, target −15%), worst first',
        description:
          'Areas listed today. `baseline` is complaints per 30 days; `expected` = baseline × period days / 30; `complaints` are public ' +
          'complaints (source public) reported in the period in the area; `change` = complaints / expected − 1; `met` when change ≤ −0.15. ' +
          "`open` / `overdue` are the area's cases now. `trend` counts complaints per day (per week beyond 60 days). " +
          `Counts are for the whole area. ${scopeNote} (an area belongs to each district its interior meets)`,
        security: [{ bearer: [] }],
        querystring: PeriodQuery,
        response: { 200: KeyAreaBoard, ...errors },
      },
    },
    (req) => leader.keyAreaBoard(req.user, req.query),
  );

  app.get(
    '/api/escalations',
    {
      onRequest: app.requires('leader.read'),
      schema: {
        tags: ['leader'],
        summary: 'Open cases that are overdue or escalated (督办), most urgent first',
        description: `Overdue before merely escalated, then higher priority, then the longest waiting. At most \`limit\` (200); \`total\` counts all. ${scopeNote}`,
        security: [{ bearer: [] }],
        querystring: EscalationsQuery,
        response: { 200: Escalations, ...errors },
      },
    },
    (req) => leader.escalations(req.user, req.query.limit ?? 200),
  );

  app.get(
    '/api/stats/trend',
    {
      onRequest: app.requires('leader.read'),
      schema: {
        tags: ['leader'],
        summary: 'Per day (Asia/Shanghai): cases reported, closed, and open overdue at the end of the day',
        description: scopeNote,
        security: [{ bearer: [] }],
        querystring: PeriodQuery,
        response: { 200: StatsTrend, ...errors },
      },
    },
    (req) => leader.statsTrend(req.user, req.query),
  );

  app.get(
    '/api/stats/categories',
    {
      onRequest: app.requires('leader.read'),
      schema: {
        tags: ['leader'],
        summary: 'Cases reported in the period per minor category, most first',
        description: scopeNote,
        security: [{ bearer: [] }],
        querystring: PeriodQuery,
        response: { 200: StatsCategories, ...errors },
      },
    },
    (req) => leader.statsCategories(req.user, req.query),
  );
};
