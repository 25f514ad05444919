import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { listDistrict } from '#shared/auth/permissions.ts';
import { Type } from 'typebox';
import { CRS_VALUES, SquadBoard } from '#shared/cases/schemas.ts';
import { featureCollection, OfficerProps, PointGeometry, SquadProps } from '#shared/geo-schemas.ts';
import { OfficerSelf } from '#shared/workforce-schemas.ts';
import { sendJsonText } from '../http/json-text.ts';
import { DistrictCode, errorResponses, StringEnum } from '../http/schemas.ts';
import type { PositionService } from './positions.ts';
import type { WorkforceService } from './service.ts';

const Err = Type.Ref('ErrorResponse');

/** Squads and officers on the map, the squad board, and what an officer's phone does for itself (position, duty). */
export const workforceRoutes: FastifyPluginAsyncTypebox<{ workforce: WorkforceService; positions: PositionService; publicMap: boolean }> = async (
  app,
  { workforce, positions, publicMap },
) => {
  const district = (req: FastifyRequest, requested: string | undefined) => {
    const d = listDistrict(req.user ?? null, requested ?? null);
    if (!d.ok) throw app.httpErrors.forbidden(d.message);
    return d.district;
  };

  app.get(
    '/api/squads',
    {
      onRequest: app.requires('map.read', { public: publicMap }),
      schema: {
        tags: ['map'],
        summary: 'Squads (中队) at their bases',
        description:
          'One Point per squad base with its district and number of officers, optionally for one district; a district-scoped user may ask only for their own (403 otherwise).',
        querystring: Type.Object({ district: Type.Optional(DistrictCode) }, { additionalProperties: false }),
        response: { 200: featureCollection(SquadProps, PointGeometry), ...errorResponses },
      },
    },
    async (req, reply) => sendJsonText(reply, await workforce.squads(district(req, req.query.district))),
  );

  app.get(
    '/api/squads/board',
    {
      onRequest: app.requires('squads.board'),
      schema: {
        tags: ['dispatch'],
        summary: 'Squad board: per district officers and auxiliaries available / busy / off duty; per squad its people and their live case',
        description:
          'A district-scoped user (a district leader) gets their district only. Refetch on officer and dispatch events; there is no push of its own.',
        security: [{ bearer: [] }],
        response: { 200: SquadBoard, 401: Type.Ref('ErrorResponse'), 403: Type.Ref('ErrorResponse') },
      },
    },
    (req) => workforce.board(req.user.districtAdcode),
  );

  app.get(
    '/api/officers',
    {
      onRequest: app.requires('positions.read'),
      schema: {
        tags: ['map'],
        summary: 'Officers and auxiliaries at their last known position (a district-scoped user: their district only)',
        description:
          "One Point per officer with their squad, duty status, equipment and the time of their last fix; filter by district and duty status. Live changes come in the live feed's `positions` batches.",
        querystring: Type.Object(
          {
            district: Type.Optional(DistrictCode),
            status: Type.Optional(StringEnum(['off_duty', 'available', 'busy'] as const)),
          },
          { additionalProperties: false },
        ),
        response: { 200: featureCollection(OfficerProps, PointGeometry), ...errorResponses },
      },
    },
    async (req, reply) => sendJsonText(reply, await workforce.officers({ district: district(req, req.query.district), status: req.query.status ?? null })),
  );

  app.get(
    '/api/officers/me',
    {
      onRequest: app.requires('officer.self'),
      schema: {
        tags: ['live'],
        summary: 'The officer I am: name, squad, duty status, last fix',
        description: 'For an officer login only: the officer record linked to it (404 when the link is gone).',
        response: { 200: OfficerSelf, 404: Type.Ref('ErrorResponse') },
      },
    },
    (req) => workforce.self(req.user.officerId!),
  );

  app.post(
    '/api/officers/me/position',
    {
      onRequest: app.requires('officer.self'),
      config: { rateLimit: false },
      schema: {
        tags: ['live'],
        summary: 'Report my position (AVL), at most once a second',
        description:
          'The fix is converted to WGS84 from `crs`, stored, and sent to consoles in the next `positions` batch of the live feed; a second fix within a second answers 429.',
        security: [{ bearer: [] }],
        body: Type.Object(
          {
            lon: Type.Number({ minimum: -180, maximum: 180 }),
            lat: Type.Number({ minimum: -90, maximum: 90 }),
            crs: Type.Optional(StringEnum(CRS_VALUES)),
            accuracy: Type.Optional(Type.Number({ minimum: 0, maximum: 100_000 })),
            recordedAt: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })),
          },
          { additionalProperties: false },
        ),
        response: { 202: Type.Object({ accepted: Type.Literal(true) }), 400: Err, 422: Err, 429: Err },
      },
    },
    async (req, reply) => {
      await positions.report(req.user.officerId!, req.body);
      return reply.status(202).send({ accepted: true as const });
    },
  );

  app.post(
    '/api/officers/me/duty',
    {
      onRequest: app.requires('officer.self'),
      schema: {
        tags: ['live'],
        summary: 'Go on duty (available) or off duty',
        description:
          "Appends an `officer.duty` event; on duty, the officer's live socket receives their dispatches. Busy on a case, the status cannot change (409).",
        security: [{ bearer: [] }],
        body: Type.Object({ status: StringEnum(['available', 'off_duty'] as const) }, { additionalProperties: false }),
        response: { 200: Type.Object({ dutyStatus: Type.String() }), 409: Err },
      },
    },
    async (req) => {
      await workforce.setDuty(req.user, req.body.status);
      return { dutyStatus: req.body.status };
    },
  );
};
