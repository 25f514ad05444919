import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { listDistrict } from '../../shared/auth/permissions.ts';
import { Type } from 'typebox';
import { SquadBoard } from '../../shared/cases/schemas.ts';
import { featureCollection, OfficerProps, PointGeometry, SquadProps } from '../../shared/geo-schemas.ts';
import { sendJsonText } from '../http/json-text.ts';
import { DistrictCode, errorResponses, StringEnum } from '../http/schemas.ts';
import type { WorkforceRepository } from './repository.ts';

const OfficerSelf = Type.Object({
  id: Type.Integer(), name: Type.String(), kind: StringEnum(['officer', 'auxiliary'] as const), squadId: Type.Integer(), squadName: Type.String(),
  districtAdcode: Type.String(), dutyStatus: StringEnum(['off_duty', 'available', 'busy'] as const),
  positionAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]), certified: Type.Boolean(),
});

export const workforceRoutes: FastifyPluginAsyncTypebox<{ repo: WorkforceRepository; publicMap: boolean }> = async (app, { repo, publicMap }) => {
  const district = (req: FastifyRequest, requested: string | undefined) => {
    const d = listDistrict(req.user ?? null, requested ?? null);
    if (!d.ok) throw app.httpErrors.forbidden(d.message);
    return d.district;
  };

  app.get('/api/squads', {
    onRequest: app.requires('map.read', { public: publicMap }),
    schema: {
      tags: ['map'], summary: 'Squads (中队) at their bases',
      querystring: Type.Object({ district: Type.Optional(DistrictCode) }, { additionalProperties: false }),
      response: { 200: featureCollection(SquadProps, PointGeometry), ...errorResponses },
    },
  }, async (req, reply) => sendJsonText(reply, await repo.squads(district(req, req.query.district))));

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
    onRequest: app.requires('positions.read'),
    schema: {
      tags: ['map'], summary: 'Officers and auxiliaries at their last known position (a district-scoped user: their district only)',
      querystring: Type.Object({
        district: Type.Optional(DistrictCode),
        status: Type.Optional(StringEnum(['off_duty', 'available', 'busy'] as const)),
      }, { additionalProperties: false }),
      response: { 200: featureCollection(OfficerProps, PointGeometry), ...errorResponses },
    },
  }, async (req, reply) => sendJsonText(reply, await repo.officers({ district: district(req, req.query.district), status: req.query.status ?? null })));

  app.get('/api/officers/me', {
    onRequest: app.requires('officer.self'),
    schema: {
      tags: ['live'], summary: 'The officer I am: name, squad, duty status, last fix',
      response: { 200: OfficerSelf, 404: Type.Ref('ErrorResponse') },
    },
  }, async (req) => (await repo.self(req.user.officerId!)) ?? app.httpErrors.notFound('your officer record is gone; ask an administrator'));
};
