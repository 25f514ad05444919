import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { PASSWORD_RULES } from '#shared/auth/password-policy.ts';
import { ROLES } from '#shared/roles.ts';
import { UserAdminView } from '#shared/auth/user-schemas.ts';
import { DistrictCode, StringEnum } from '../http/schemas.ts';
import type { UserService } from './service.ts';

const Err = Type.Ref('ErrorResponse');
const UserId = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2147483647 }) }, { additionalProperties: false });
const OfficerId = Type.Union([Type.Integer({ minimum: 1, maximum: 2147483647 }), Type.Null()], {
  description: 'the officer record an officer user is (role officer only)',
});
// the length is the policy's to check, with its words (and the rest of the policy) in the message
const PasswordText = Type.String({
  minLength: 1,
  maxLength: PASSWORD_RULES.maxLength,
  description: `at least ${PASSWORD_RULES.minLength} characters; not the login or name; not easy to guess`,
});

export const userRoutes: FastifyPluginAsyncTypebox<{ users: UserService }> = async (app, { users }) => {
  app.get(
    '/api/users',
    {
      onRequest: app.requires('users.manage'),
      schema: {
        tags: ['auth'],
        summary: 'All users (admin)',
        description:
          'Every account with its role, district, linked officer, whether it is disabled and how many sessions it has open; password hashes are never answered.',
        response: { 200: Type.Array(UserAdminView) },
      },
    },
    () => users.list(),
  );

  app.post(
    '/api/users',
    {
      onRequest: app.requires('users.manage'),
      schema: {
        tags: ['auth'],
        summary: 'Create a user (admin)',
        description: 'A leader with a district leads that district; without one, the city. An officer user names its officer record.',
        body: Type.Object(
          {
            login: Type.String({ pattern: '^[a-z0-9_.-]{3,32}$', maxLength: 32, description: 'lower-case letters, digits, _ . -; 3–32' }),
            password: PasswordText,
            displayName: Type.String({ minLength: 1, maxLength: 64 }),
            role: StringEnum(ROLES),
            districtAdcode: Type.Optional(Type.Union([DistrictCode, Type.Null()])),
            officerId: Type.Optional(OfficerId),
          },
          { additionalProperties: false },
        ),
        response: { 201: UserAdminView, 400: Err, 409: Err },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const user = await users.create(req.user, { ...b, districtAdcode: b.districtAdcode ?? null, officerId: b.officerId ?? null });
      return reply.status(201).send(user);
    },
  );

  app.patch(
    '/api/users/:id',
    {
      onRequest: app.requires('users.manage'),
      schema: {
        tags: ['auth'],
        summary: 'Change a user (admin): name, role, district, linked officer, disabled',
        description:
          "A change of role, district or officer, and disabling, end the user's sessions at once (HTTP and live sockets). The last enabled admin cannot be demoted or disabled.",
        params: UserId,
        body: Type.Object(
          {
            displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            role: Type.Optional(StringEnum(ROLES)),
            districtAdcode: Type.Optional(Type.Union([DistrictCode, Type.Null()], { description: 'null: the whole city' })),
            officerId: Type.Optional(OfficerId),
            disabled: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: UserAdminView, 400: Err, 404: Err, 409: Err },
      },
    },
    (req) => users.update(req.user, req.params.id, req.body),
  );

  app.post(
    '/api/users/:id/password',
    {
      onRequest: app.requires('users.manage'),
      schema: {
        tags: ['auth'],
        summary: "Reset a user's password (admin); their sessions end at once",
        description: 'The new password must pass the same rules as a self-chosen one; the user logs in again with it on every device.',
        params: UserId,
        body: Type.Object({ password: PasswordText }, { additionalProperties: false }),
        response: { 200: UserAdminView, 400: Err, 404: Err },
      },
    },
    (req) => users.resetPassword(req.user, req.params.id, req.body.password),
  );

  app.delete(
    '/api/users/:id/sessions',
    {
      onRequest: app.requires('users.manage'),
      schema: {
        tags: ['auth'],
        summary: 'Sign a user out everywhere (admin)',
        description: 'Ends every session of the user (HTTP tokens and live sockets) and answers how many were ended.',
        params: UserId,
        response: { 200: Type.Object({ ended: Type.Integer() }), 404: Err },
      },
    },
    async (req) => ({ ended: await users.endSessions(req.params.id) }),
  );
};
