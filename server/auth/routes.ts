import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ROLES } from '../../shared/roles.ts';
import { StringEnum } from '../http/schemas.ts';
import type { UserRepository } from '../users/repository.ts';
import { TOKEN_COOKIE, TOKEN_TTL_SECONDS } from './plugin.ts';

export const UserView = Type.Object({
  id: Type.Integer(), login: Type.String(), displayName: Type.String(), role: StringEnum(ROLES),
  districtAdcode: Type.Union([Type.String(), Type.Null()]), officerId: Type.Union([Type.Integer(), Type.Null()]),
});

export const authRoutes: FastifyPluginAsyncTypebox<{ users: UserRepository; loginPerMinute: number }> = async (app, { users, loginPerMinute }) => {
  app.post('/api/auth/login', {
    // Per address: slows password guessing without locking a real user out.
    config: { rateLimit: { max: loginPerMinute, timeWindow: '1 minute' } },
    schema: {
      tags: ['auth'], summary: 'Log in; answers a token for Authorization: Bearer (also set as an HTTP-only cookie)',
      body: Type.Object({ login: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false }),
      response: {
        200: Type.Object({ token: Type.String(), expiresAt: Type.String({ format: 'date-time' }), user: UserView }),
        401: Type.Ref('ErrorResponse'),
      },
    },
  }, async (req, reply) => {
    const user = await users.verify(req.body.login, req.body.password);
    if (!user) throw app.httpErrors.unauthorized('wrong login or password');
    const { displayName, ...claims } = user;
    const token = await reply.jwtSign({ id: claims.id, login: claims.login, role: claims.role, districtAdcode: claims.districtAdcode, officerId: claims.officerId });
    reply.setCookie(TOKEN_COOKIE, token, { httpOnly: true, sameSite: 'strict', path: '/', maxAge: TOKEN_TTL_SECONDS });
    return { token, expiresAt: new Date(Date.now() + TOKEN_TTL_SECONDS * 1000).toISOString(), user: { ...claims, displayName } };
  });

  app.post('/api/auth/logout', { schema: { tags: ['auth'], summary: 'Forget the token cookie', response: { 204: Type.Null() } } },
    async (_req, reply) => reply.clearCookie(TOKEN_COOKIE, { path: '/' }).status(204).send(null));

  app.get('/api/auth/me', {
    onRequest: app.requires('map.read'),
    schema: { tags: ['auth'], summary: 'Who the token belongs to', response: { 200: Type.Omit(UserView, ['displayName']) } },
  }, async (req) => ({ id: req.user.id, login: req.user.login, role: req.user.role, districtAdcode: req.user.districtAdcode, officerId: req.user.officerId }));
};
