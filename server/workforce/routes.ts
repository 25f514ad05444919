import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
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
