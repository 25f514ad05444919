import type { Scope } from '#shared/auth/permissions.ts';
import type { Role } from '#shared/roles.ts';

/** Who a request acts for, as the database says now (not as the token said when it was signed). */
export interface AuthUser extends Scope {
  id: number;
  login: string;
  role: Role;
  districtAdcode: string | null;
  officerId: number | null;
  /** the session the token names; absent for the server's own actors (simulator, clocks) */
  sid?: string;
}

/** What a token carries: the session it names, and the user's claims when it was signed (for clients). */
export interface TokenClaims {
  sid: string;
  id: number;
  login: string;
  role: Role;
  districtAdcode: string | null;
  officerId: number | null;
  exp?: number;
  iat?: number;
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: TokenClaims;
    user: AuthUser;
  }
}
