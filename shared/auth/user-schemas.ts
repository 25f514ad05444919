// Users as the API answers them: the server validates and documents with these, the administration
// screens type themselves from the same.
import { Type, type Static } from 'typebox';
import { ROLES } from '../roles.ts';

export const UserView = Type.Object({
  id: Type.Integer(),
  login: Type.String(),
  displayName: Type.String(),
  role: Type.Unsafe<(typeof ROLES)[number]>({ type: 'string', enum: [...ROLES] }),
  districtAdcode: Type.Union([Type.String(), Type.Null()]),
  officerId: Type.Union([Type.Integer(), Type.Null()]),
});
export type UserView = Static<typeof UserView>;

export const UserAdminView = Type.Intersect([
  UserView,
  Type.Object({
    disabled: Type.Boolean(),
    activeSessions: Type.Integer({ description: 'sessions not ended or expired' }),
  }),
]);
export type UserAdminView = Static<typeof UserAdminView>;
