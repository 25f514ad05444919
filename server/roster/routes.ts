import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { OfficerAdmin, OfficerInput, OfficerPatch, SquadAdmin, SquadInput, SquadPatch, SquadStreets, StreetResponsibility } from '#shared/roster/schemas.ts';
import { DistrictCode } from '../http/schemas.ts';
import type { RosterService } from './service.ts';

const Err = Type.Ref('ErrorResponse');
const Id = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2147483647 }) }, { additionalProperties: false });

/** 编制: the squads and officers an administrator keeps (the map and board routes read them in server/workforce). */
export const rosterRoutes: FastifyPluginAsyncTypebox<{ roster: RosterService }> = async (app, { roster }) => {
  const admin = app.requires('roster.manage');

  app.get(
    '/api/admin/squads',
    {
      onRequest: admin,
      schema: {
        tags: ['admin'],
        summary: 'Squads (中队) with district, base, phone, people and responsible cells (admin)',
        description:
          "Every squad (or one district's), with its base in WGS84, the number of officers and auxiliaries, and the current grid cells it answers for.",
        querystring: Type.Object({ district: Type.Optional(DistrictCode) }, { additionalProperties: false }),
        response: { 200: Type.Array(SquadAdmin), 400: Err },
      },
    },
    (req) => roster.squads(req.query.district ?? null),
  );

  app.post(
    '/api/admin/squads',
    {
      onRequest: admin,
      schema: {
        tags: ['admin'],
        summary: 'Create a squad (admin)',
        description:
          'The base is converted to WGS84 from `crs` and must lie inside the district (422 otherwise). Written to the audit log; consoles get `roster.updated`.',
        body: SquadInput,
        response: { 201: SquadAdmin, 400: Err, 409: Err, 422: Err },
      },
    },
    async (req, reply) => reply.status(201).send(await roster.createSquad(req.user, req.body)),
  );

  app.patch(
    '/api/admin/squads/:id',
    {
      onRequest: admin,
      schema: {
        tags: ['admin'],
        summary: "Change a squad's name, district, base or phone (admin)",
        description: 'A new base gives both lon and lat. A squad responsible for grid cells keeps its district (409).',
        params: Id,
        body: SquadPatch,
        response: { 200: SquadAdmin, 400: Err, 404: Err, 409: Err, 422: Err },
      },
    },
    (req) => roster.updateSquad(req.user, req.params.id, req.body),
  );

  app.get(
    '/api/admin/streets',
    {
      onRequest: admin,
      schema: {
        tags: ['admin'],
        summary: 'Streets (街道) with their current grid cells and the squads answering for them (admin)',
        description: "What the squad screen assigns from: a street without squads is nobody's (属地责任 unassigned).",
        querystring: Type.Object({ district: Type.Optional(DistrictCode) }, { additionalProperties: false }),
        response: { 200: Type.Array(StreetResponsibility), 400: Err },
      },
    },
    (req) => roster.streets(req.query.district ?? null),
  );

  app.put(
    '/api/admin/squads/:id/streets',
    {
      onRequest: admin,
      schema: {
        tags: ['admin'],
        summary: 'Make a squad answer for the grid cells of streets of its district (admin)',
        description:
          "Every current cell of the streets is the squad's from now on (a later grid version keeps it); the cells' former squads are written to the audit log. Streets of another district: 400.",
        params: Id,
        body: SquadStreets,
        response: { 200: SquadAdmin, 400: Err, 404: Err },
      },
    },
    (req) => roster.assignStreets(req.user, req.params.id, req.body.streets),
  );

  app.get(
    '/api/admin/officers',
    {
      onRequest: admin,
      schema: {
        tags: ['admin'],
        summary: 'Officers and auxiliaries with certificate, its state, equipment, phone and linked login (admin)',
        description: 'certificate: expiring = within 30 days (warned); expired = never recommended nor dispatched to enforce.',
        querystring: Type.Object(
          { district: Type.Optional(DistrictCode), squadId: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647 })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(OfficerAdmin), 400: Err },
      },
    },
    (req) => roster.officers({ district: req.query.district ?? null, squadId: req.query.squadId ?? null }),
  );

  app.post(
    '/api/admin/officers',
    {
      onRequest: admin,
      schema: {
        tags: ['admin'],
        summary: 'Add an officer (执法队员, with certificate number and expiry) or an auxiliary (协管员, without) (admin)',
        description: "Starts off duty, without a position: the officer's phone reports both once a user is linked to them (POST /api/users with officerId).",
        body: OfficerInput,
        response: { 201: OfficerAdmin, 400: Err, 409: Err },
      },
    },
    async (req, reply) => reply.status(201).send(await roster.createOfficer(req.user, req.body)),
  );

  app.patch(
    '/api/admin/officers/:id',
    {
      onRequest: admin,
      schema: {
        tags: ['admin'],
        summary: "Change an officer's name, squad, kind, certificate, equipment or phone (admin)",
        description:
          'Made an auxiliary, the certificate goes; made an officer, it must be given. An officer on a case stays in their squad until it is done (409).',
        params: Id,
        body: OfficerPatch,
        response: { 200: OfficerAdmin, 400: Err, 404: Err, 409: Err },
      },
    },
    (req) => roster.updateOfficer(req.user, req.params.id, req.body),
  );
};
