// What an officer's phone reads about itself (GET /api/officers/me): the server validates and documents
// it with this schema and the client types it from the same.
import { Type, type Static } from 'typebox';

const Enum = <const T extends readonly string[]>(values: T) => Type.Unsafe<T[number]>({ type: 'string', enum: [...values] });

export const OfficerSelf = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  kind: Enum(['officer', 'auxiliary'] as const),
  squadId: Type.Integer(),
  squadName: Type.String(),
  districtAdcode: Type.String(),
  dutyStatus: Enum(['off_duty', 'available', 'busy'] as const),
  positionAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  certified: Type.Boolean(),
});
export type OfficerSelf = Static<typeof OfficerSelf>;

/**
 * An officer's position as the live feed carries it (socket.io `positions`, in batches, to the city
 * room and the officer's district room): what the server stored from their phone's report. No HTTP
 * route answers it; the AsyncAPI document of the feed (server/docs/asyncapi.ts) describes it with this.
 */
export const PositionUpdate = Type.Object({
  officerId: Type.Integer(),
  lon: Type.Number({ minimum: -180, maximum: 180, description: 'WGS84' }),
  lat: Type.Number({ minimum: -90, maximum: 90, description: 'WGS84' }),
  at: Type.String({ format: 'date-time', description: 'when the server stored the fix' }),
  dutyStatus: Enum(['off_duty', 'available', 'busy'] as const),
  districtAdcode: Type.String({ description: "the district of the officer's squad" }),
});
export type PositionUpdate = Static<typeof PositionUpdate>;
