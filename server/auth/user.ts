import type { Scope } from '../../shared/auth/permissions.ts';
import type { Role } from '../../shared/roles.ts';

/** What a token carries, and so what every authorised request knows about its user. */
export interface AuthUser extends Scope {
  id: number;
  login: string;
  role: Role;
  districtAdcode: string | null;
  officerId: number | null;
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: AuthUser;
    user: AuthUser;
  }
}
