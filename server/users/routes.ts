import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ROLES } from '../../shared/roles.ts';
import { UserView } from '../auth/routes.ts';
import { DistrictCode, StringEnum } from '../http/schemas.ts';
import type { UserRepository } from './repository.ts';

export const userRoutes: FastifyPluginAsyncTypebox<{ users: UserRepository }> = async (app, { users }) => {
  app.get('/api/users', {
    onRequest: app.requires('users.manage'),
    schema: { tags: ['auth'], summary: 'All users (admin)', security: [{ bearer: [] }], response: { 200: Type.Array(UserView) } },
  }, () => users.list());

  app.post('/api/users', {
    onRequest: app.requires('users.manage'),
    schema: {
      tags: ['auth'], summary: 'Create a user (admin)', security: [{ bearer: [] }],
      body: Type.Object({
        login: Type.String({ pattern: '^[a-z0-9_.-]{3,32}$', description: 'lower-case letters, digits, _ . -; 3–32' }),
        password: Type.String({ minLength: 10, maxLength: 256 }),
        displayName: Type.String({ minLength: 1, maxLength: 64 }),
        role: StringEnum(ROLES),
        districtAdcode: Type.Optional(Type.Union([DistrictCode, Type.Null()])),
        officerId: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
      }, { additionalProperties: false }),
      response: { 201: UserView, 400: Type.Ref('ErrorResponse'), 409: Type.Ref('ErrorResponse') },
    },
  }, async (req, reply) => {
    const b = req.body;
    if ((b.role === 'officer') !== (b.officerId != null)) throw app.httpErrors.badRequest('officerId is required for role officer, and only for it');
    // a leader with a district leads that district; without one, the city (compares all districts)
    try {
      const user = await users.create({ ...b, districtAdcode: b.districtAdcode ?? null, officerId: b.officerId ?? null });
      return reply.status(201).send(user);
    } catch (err) {
      const e = err as { code?: string; constraint?: string };
      if (e.code === '23505') throw app.httpErrors.conflict(`login ${b.login} or that officer already has a user`);
      if (e.code === '23503') throw app.httpErrors.badRequest('unknown districtAdcode or officerId');
      throw err;
    }
  });
};
