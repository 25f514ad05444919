import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { UserView } from '#shared/auth/user-schemas.ts';
import { PASSWORD_RULES } from '#shared/auth/password-policy.ts';
import { TOKEN_COOKIE } from './plugin.ts';
import type { Issued } from './service.ts';

export { UserView };

const Err = Type.Ref('ErrorResponse');
const Token = Type.Object({ token: Type.String(), expiresAt: Type.String({ format: 'date-time' }), user: UserView });
const Password = (description: string) => Type.String({ minLength: 1, maxLength: PASSWORD_RULES.maxLength, description });

const meta = (req: FastifyRequest) => ({ userAgent: req.headers['user-agent'] ?? null, address: req.ip });

function send(reply: FastifyReply, issued: Issued) {
  const maxAge = Math.max(1, Math.round((new Date(issued.expiresAt).getTime() - Date.now()) / 1000));
  reply.setCookie(TOKEN_COOKIE, issued.token, { httpOnly: true, sameSite: 'strict', path: '/', maxAge });
  return issued;
}

export const authRoutes: FastifyPluginAsyncTypebox<{ loginPerMinute: number }> = async (app, { loginPerMinute }) => {
  app.post(
    '/api/auth/login',
    {
      // Per address here, and per login name in the service (with backoff): guessing is slow from one
      // address and from many.
      config: { public: 'logging in', rateLimit: { max: loginPerMinute, timeWindow: '1 minute' } },
      schema: {
        tags: ['auth'],
        summary: 'Log in; answers a token for Authorization: Bearer (also set as an HTTP-only cookie)',
        description:
          'After 5 wrong passwords in a row for one login name (whether it exists or not), that name waits 15 s, then twice as long after each further failure, up to 15 minutes (429 with Retry-After).',
        body: Type.Object({ login: Type.String({ minLength: 1, maxLength: 64 }), password: Password('the password') }, { additionalProperties: false }),
        response: { 200: Token, 400: Err, 401: Err, 429: Err },
      },
    },
    async (req, reply) => send(reply, await app.auth.login(req.body.login, req.body.password, meta(req))),
  );

  app.post(
    '/api/auth/refresh',
    {
      onRequest: app.requires('session.own'),
      schema: {
        tags: ['auth'],
        summary: 'A new token for the same session, valid for another 12 hours (wall screens call it before the token expires)',
        description: 'Only while the session is still live: an ended session (logout, reset, disabled user) answers 401 and needs a new login.',
        body: Type.Optional(Type.Object({}, { additionalProperties: false })),
        response: { 200: Token, 401: Err },
      },
    },
    async (req, reply) => send(reply, await app.auth.refresh(req.user)),
  );

  app.post(
    '/api/auth/logout',
    {
      config: { public: 'ending a session works with any token, or none' },
      schema: {
        tags: ['auth'],
        summary: 'End this session (the token stops working at once) and forget the cookie',
        description:
          'Always answers 204, with a valid token, an expired one or none, so a client can call it unconditionally; the live sockets of the session are told `session_ended`.',
        body: Type.Optional(Type.Object({}, { additionalProperties: false })),
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      const user = await app.authenticate(req);
      if (user) await app.auth.logout(user);
      return reply.clearCookie(TOKEN_COOKIE, { path: '/' }).status(204).send(null);
    },
  );

  app.get(
    '/api/auth/me',
    {
      onRequest: app.requires('session.own'),
      schema: {
        tags: ['auth'],
        summary: 'Who the token belongs to, as the server has them now',
        description: 'Role, district and linked officer as the session check read them for this request, so a change an administrator made shows here at once.',
        response: { 200: Type.Omit(UserView, ['displayName']), 401: Err },
      },
    },
    async (req) => ({ id: req.user.id, login: req.user.login, role: req.user.role, districtAdcode: req.user.districtAdcode, officerId: req.user.officerId }),
  );

  app.put(
    '/api/auth/password',
    {
      onRequest: app.requires('session.own'),
      schema: {
        tags: ['auth'],
        summary: 'Change my password: every other session of mine ends; answers a new token for this one',
        description: `At least ${PASSWORD_RULES.minLength} characters, not containing the login or name, and not easy to guess (zxcvbn score ≥ ${PASSWORD_RULES.minScore}).`,
        body: Type.Object({ currentPassword: Password('the password now'), newPassword: Password('the new password') }, { additionalProperties: false }),
        response: { 200: Token, 400: Err, 401: Err, 403: Err },
      },
    },
    async (req, reply) => {
      const issued = await app.auth.changeOwnPassword(req.user, req.body.currentPassword, req.body.newPassword, meta(req));
      return send(reply, issued);
    },
  );
};
