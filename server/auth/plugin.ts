import cookie from '@fastify/cookie';
import jwt from '@fastify/jwt';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type pg from 'pg';
import { can, type Permission } from '../../shared/auth/permissions.ts';
import { sharedSecret } from './secrets.ts';
import './user.ts';

export const TOKEN_COOKIE = 'zhihui_token';
export const TOKEN_TTL_SECONDS = 12 * 3600;

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest hook: a valid token (Bearer header or cookie) and `permission` for its role. */
    requires(permission: Permission): (req: FastifyRequest) => Promise<void>;
  }
}

/** Tokens are JWTs signed with a secret kept in the database, sent as Bearer or an HTTP-only cookie. */
export const authPlugin = fp<{ pool: pg.Pool }>(async (app, { pool }) => {
  await app.register(cookie);
  await app.register(jwt, {
    secret: await sharedSecret(pool, 'jwt'),
    cookie: { cookieName: TOKEN_COOKIE, signed: false },
    sign: { expiresIn: TOKEN_TTL_SECONDS },
  });
  app.decorate('requires', (permission: Permission) => async (req: FastifyRequest) => {
    try {
      await req.jwtVerify();
    } catch {
      throw app.httpErrors.unauthorized('log in first: send Authorization: Bearer <token> from POST /api/auth/login');
    }
    if (!can(req.user.role, permission)) {
      throw app.httpErrors.forbidden(`role ${req.user.role} may not ${permission}`);
    }
  });
}, { name: 'zhihui-auth' });
