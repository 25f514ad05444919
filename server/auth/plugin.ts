import cookie from '@fastify/cookie';
import jwt from '@fastify/jwt';
import type { FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import type pg from 'pg';
import { can, type Permission, PERMISSIONS } from '#shared/auth/permissions.ts';
import type { Role } from '#shared/roles.ts';
import { UserRepository } from '../users/repository.ts';
import { SessionRepository, sharedSecret } from './repository.ts';
import { AuthService, type AuthSettings, DEFAULT_AUTH } from './service.ts';
import type { AuthUser, TokenClaims } from './user.ts';

export const TOKEN_COOKIE = 'zhihui_token';
export { TOKEN_TTL_SECONDS } from './service.ts';

/** How a route is let in: the permission it needs, or public (with `permission`: public only by a setting). */
export interface RouteAccess {
  permission: Permission | null;
  public: boolean;
  /** narrower than the permission's roles (a case step's) */
  roles?: readonly Role[];
}
const ACCESS = Symbol('zhihui.access');
type Guard = ((req: FastifyRequest) => Promise<void>) & { [ACCESS]?: RouteAccess };

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest hook: a live session (Bearer token or cookie) whose role has `permission`. `public`: anyone, a login only narrows the scope. */
    requires(permission: Permission, opts?: { public?: boolean; roles?: readonly Role[]; what?: string }): Guard;
    /** The user of the request's token if its session is live, else null (no error). */
    authenticate(req: FastifyRequest): Promise<AuthUser | null>;
    auth: AuthService;
  }
  interface FastifyContextConfig {
    /** this route answers without a login: say why (login, liveness, the console's own config) */
    public?: string;
  }
}

const UNAUTHORIZED = 'log in first: send Authorization: Bearer <token> from POST /api/auth/login';
const ENDED = '会话已结束，请重新登录 your session has ended (logged out, expired, or changed by an administrator); log in again';

/**
 * Tokens are JWTs signed with a secret kept in the database, sent as Bearer or an HTTP-only cookie. A
 * token names a session; the session row decides, on every request. Every /api route must either
 * require a permission or say why it is public: the server refuses to start otherwise.
 */
export const authPlugin = fp<{ pool: pg.Pool; users: UserRepository; settings?: Partial<AuthSettings> }>(
  async (app, { pool, users, settings }) => {
    await app.register(cookie);
    await app.register(jwt, {
      secret: await sharedSecret(pool, 'jwt'),
      cookie: { cookieName: TOKEN_COOKIE, signed: false },
      // a token without an expiry or a session is not ours, whatever its signature
      verify: { requiredClaims: ['exp', 'sid'] },
    });
    const service = new AuthService(new SessionRepository(pool), users, (claims, ttl) => app.jwt.sign(claims, { expiresIn: ttl }), {
      ...DEFAULT_AUTH,
      ...settings,
    });
    app.decorate('auth', service);

    async function userOf(req: FastifyRequest): Promise<AuthUser | null | 'none'> {
      if (!req.headers.authorization && !req.cookies[TOKEN_COOKIE]) return 'none';
      let claims: TokenClaims;
      try {
        claims = await req.jwtVerify<TokenClaims>();
      } catch {
        return null;
      }
      return service.check(claims);
    }

    app.decorate('authenticate', async (req: FastifyRequest) => {
      const user = await userOf(req);
      if (user === null || user === 'none') return null;
      req.user = user;
      return user;
    });

    app.decorate('requires', (permission: Permission, opts: { public?: boolean; roles?: readonly Role[]; what?: string } = {}) => {
      const guard: Guard = async (req: FastifyRequest) => {
        const user = await userOf(req);
        if (user === 'none' || user === null) {
          if (opts.public) return;
          throw app.httpErrors.unauthorized(user === 'none' ? UNAUTHORIZED : ENDED);
        }
        req.user = user;
        if (!can(user.role, permission) || (opts.roles && !opts.roles.includes(user.role))) {
          throw app.httpErrors.forbidden(`role ${user.role} may not ${opts.what ?? permission}`);
        }
      };
      guard[ACCESS] = { permission, public: opts.public === true, roles: opts.roles };
      return guard;
    });

    app.addHook('onRoute', (route: RouteOptions) => {
      if (!route.url.startsWith('/api/')) return;
      const hooks = [route.onRequest].flat().filter(Boolean) as Guard[];
      const access = hooks.map((h) => h[ACCESS]).find(Boolean);
      const why = route.config?.public;
      if (!access && !why) {
        throw new Error(`${route.method} ${route.url} has no login check: add onRequest: app.requires(<permission>), or config.public with the reason`);
      }
      const allowed = access?.permission ? (PERMISSIONS[access.permission] as readonly Role[]) : [];
      const roles = access?.roles ? allowed.filter((r) => access.roles!.includes(r)) : allowed;
      const schema = (route.schema ??= {}) as Record<string, unknown>;
      // The OpenAPI document says who may call each route (and tests walk it).
      schema['x-access'] = { permission: access?.permission ?? null, public: Boolean(why) || access?.public === true, roles: [...roles] };
      if (access && !access.public) schema.security ??= [{ bearer: [] }];
    });
  },
  { name: 'zhihui-auth' },
);
