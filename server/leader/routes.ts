import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type pg from 'pg';
import { Type } from 'typebox';
import { parsePeriod } from '../../shared/leader/period.ts';
import { Escalations, EscalationsQuery, Heatmap, HeatmapQuery, KeyAreaBoard, PeriodQuery, StatsCategories, StatsTrend } from '../../shared/leader/schemas.ts';
import { replicaReads } from '../db/database.ts';
import { sendJsonText } from '../http/json-text.ts';
import { categoryIdsFor, escalations, heatmap, keyAreaBoard, scopeDistrict, statsCategories, statsTrend } from './repository.ts';

const Err = Type.Ref('ErrorResponse');
const errors = { 400: Err, 401: Err, 403: Err };
const scopeNote = 'A district-scoped user (a district leader) sees their district only; city users the whole city.';

/**
 * What district leaders watch: heatmap, key-area board, escalations (督办), trend and category statistics.
 * Read from `readPool` (a streaming replica when configured, seconds behind at most), the primary while it is away.
 */
export const leaderRoutes: FastifyPluginAsyncTypebox<{ pool: pg.Pool; readPool: pg.Pool }> = async (app, { pool, readPool }) => {
  const reads = replicaReads(pool, readPool, app.log);
  const periodOrThrow = (q: { from?: string; to?: string }) => {
    const p = parsePeriod(q);
    if (!p.ok) throw app.httpErrors.badRequest(p.message);
    return p.value;
  };

  app.get('/api/heatmap', {
    onRequest: app.requires('leader.read'),
    schema: {
      tags: ['leader'], summary: 'Cases reported in [from, to) counted per grid cell (热力图)',
      description: `One Point per grid cell with cases, at a point on the cell's surface, with { code, count }. Filters: minor category code, source. ${scopeNote}`,
      security: [{ bearer: [] }], querystring: HeatmapQuery, response: { 200: Heatmap, ...errors },
    },
  }, async (req, reply) => {
    const period = periodOrThrow(req.query);
    let categoryIds: number[] | null = null;
    const category = req.query.category;
    if (category !== undefined) {
      categoryIds = await reads((db) => categoryIdsFor(db, category));
      if (categoryIds.length === 0) throw app.httpErrors.badRequest(`unknown category "${category}": send a minor category code of the catalogue, e.g. 0501`);
    }
    const filter = { district: scopeDistrict(req.user), categoryIds, source: req.query.source ?? null };
    return sendJsonText(reply, await reads((db) => heatmap(db, period, filter)));
  });

  app.get('/api/key-areas/board', {
    onRequest: app.requires('leader.read'),
    schema: {
      tags: ['leader'], summary: 'Key areas (重点地区) against the complaints baseline (常量, target −15%), worst first',
      description: 'Areas listed today. `baseline` is complaints per 30 days; `expected` = baseline × period days / 30; `complaints` are public '
        + 'complaints (source public) reported in the period in the area; `change` = complaints / expected − 1; `met` when change ≤ −0.15. '
        + '`open` / `overdue` are the area\'s cases now. `trend` counts complaints per day (per week beyond 60 days). '
        + `Counts are for the whole area. ${scopeNote} (an area belongs to each district its interior meets)`,
      security: [{ bearer: [] }], querystring: PeriodQuery, response: { 200: KeyAreaBoard, ...errors },
    },
  }, (req) => {
    const period = periodOrThrow(req.query);
    return reads((db) => keyAreaBoard(db, period, scopeDistrict(req.user)));
  });

  app.get('/api/escalations', {
    onRequest: app.requires('leader.read'),
    schema: {
      tags: ['leader'], summary: 'Open cases that are overdue or escalated (督办), most urgent first',
      description: `Overdue before merely escalated, then higher priority, then the longest waiting. At most \`limit\` (200); \`total\` counts all. ${scopeNote}`,
      security: [{ bearer: [] }], querystring: EscalationsQuery, response: { 200: Escalations, ...errors },
    },
  }, (req) => reads((db) => escalations(db, scopeDistrict(req.user), req.query.limit ?? 200)));

  app.get('/api/stats/trend', {
    onRequest: app.requires('leader.read'),
    schema: {
      tags: ['leader'], summary: 'Per day (Asia/Shanghai): cases reported, closed, and open overdue at the end of the day',
      description: scopeNote, security: [{ bearer: [] }], querystring: PeriodQuery, response: { 200: StatsTrend, ...errors },
    },
  }, (req) => {
    const period = periodOrThrow(req.query);
    return reads((db) => statsTrend(db, period, scopeDistrict(req.user)));
  });

  app.get('/api/stats/categories', {
    onRequest: app.requires('leader.read'),
    schema: {
      tags: ['leader'], summary: 'Cases reported in the period per minor category, most first',
      description: scopeNote, security: [{ bearer: [] }], querystring: PeriodQuery, response: { 200: StatsCategories, ...errors },
    },
  }, (req) => {
    const period = periodOrThrow(req.query);
    return reads((db) => statsCategories(db, period, scopeDistrict(req.user)));
  });
};
