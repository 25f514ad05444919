// What an officer's phone reads about itself (GET /api/officers/me): the server validates and documents
// it with this schema and the client types it from the same.
import { Type, type Static } from 'typebox';

const Enum = <const T extends readonly string[]>(values: T) => Type.Unsafe<T[number]>({ type: 'string', enum: [...values] });

export const OfficerSelf = Type.Object({
  id: Type.Integer(), name: Type.String(), kind: Enum(['officer', 'auxiliary'] as const), squadId: Type.Integer(), squadName: Type.String(),
  districtAdcode: Type.String(), dutyStatus: Enum(['off_duty', 'available', 'busy'] as const),
  positionAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]), certified: Type.Boolean(),
});
export type OfficerSelf = Static<typeof OfficerSelf>;
