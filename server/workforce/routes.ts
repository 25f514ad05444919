import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { SquadBoard } from '../../shared/cases/schemas.ts';
import { featureCollection, OfficerProps, PointGeometry, SquadProps } from '../../shared/geo-schemas.ts';
import { sendJsonText } from '../http/json-text.ts';
import { DistrictCode, errorResponses, StringEnum } from '../http/schemas.ts';
import type { WorkforceRepository } from './repository.ts';

export const workforceRoutes: FastifyPluginAsyncTypebox<{ repo: WorkforceRepository }> = async (app, { repo }) => {
  app.get('/api/squads', {
    schema: {
      tags: ['map'], summary: 'Squads (中队) at their bases',
      querystring: Type.Object({ district: Type.Optional(DistrictCode) }, { additionalProperties: false }),
      response: { 200: featureCollection(SquadProps, PointGeometry), ...errorResponses },
    },
  }, async (req, reply) => sendJsonText(reply, await repo.squads(req.query.district ?? null)));

  app.get('/api/squads/board', {
    onRequest: app.requires('squads.board'),
    schema: {
      tags: ['dispatch'], summary: 'Squad board: per district officers and auxiliaries available / busy / off duty; per squad its people and their live case',
      description: 'A district-scoped user (a district leader) gets their district only. Refetch on officer and dispatch events; there is no push of its own.',
      security: [{ bearer: [] }],
      response: { 200: SquadBoard, 401: Type.Ref('ErrorResponse'), 403: Type.Ref('ErrorResponse') },
    },
  }, (req) => repo.board(req.user.districtAdcode));

  app.get('/api/officers', {
    schema: {
      tags: ['map'], summary: 'Officers and auxiliaries at their last known position',
      querystring: Type.Object({
        district: Type.Optional(DistrictCode),
        status: Type.Optional(StringEnum(['off_duty', 'available', 'busy'] as const)),
      }, { additionalProperties: false }),
      response: { 200: featureCollection(OfficerProps, PointGeometry), ...errorResponses },
    },
  }, async (req, reply) => sendJsonText(reply, await repo.officers({ district: req.query.district ?? null, status: req.query.status ?? null })));
};
