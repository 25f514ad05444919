import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AuditEntry } from '#shared/roster/schemas.ts';
import type { AuditService } from './service.ts';

export const auditRoutes: FastifyPluginAsyncTypebox<{ audit: AuditService }> = async (app, { audit }) => {
  app.get(
    '/api/admin/audit',
    {
      onRequest: app.requires('audit.read'),
      schema: {
        tags: ['admin'],
        summary: 'The administrative change log, newest first (admin)',
        description:
          'Who changed users, squads, officers, the holiday calendar or the geography, when, and what it was before and after. Append-only: nothing here can be edited or deleted. Page back with `before` = the last id seen.',
        querystring: Type.Object(
          {
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
            before: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'entries older than this id' })),
            action: Type.Optional(
              Type.String({ pattern: '^[a-z][a-z_.]{0,63}$', maxLength: 64, description: 'a prefix: user., squad., officer., gis., calendar.' }),
            ),
            target: Type.Optional(Type.String({ pattern: '^[a-z_]+/[0-9]+$', maxLength: 64, description: 'e.g. users/3' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(AuditEntry), 400: Type.Ref('ErrorResponse') },
      },
    },
    (req) =>
      audit.list({ limit: req.query.limit ?? 100, before: req.query.before ?? null, action: req.query.action ?? null, target: req.query.target ?? null }),
  );
};
