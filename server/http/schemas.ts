import { Type } from 'typebox';

export const ErrorResponse = Type.Object(
  { statusCode: Type.Integer(), error: Type.String(), message: Type.String({ description: 'what is wrong and how to fix it' }) },
  { $id: 'ErrorResponse' },
);

export const BboxQuery = Type.Object(
  {
    bbox: Type.String({ maxLength: 200, description: 'minLon,minLat,maxLon,maxLat (WGS84 degrees)', examples: ['104.05,30.65,104.08,30.67'] }),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50_000, default: 5_000, description: 'most features to return' })),
  },
  { additionalProperties: false },
);

export const DistrictCode = Type.String({ pattern: '^[0-9]{6}$', maxLength: 6, description: '6-digit district adcode' });

export const errorResponses = {
  400: Type.Ref('ErrorResponse'),
};

/** A string from a fixed list; validation errors then list the allowed values. */
export function StringEnum<const T extends readonly string[]>(values: T, opts: { description?: string; default?: T[number] } = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...opts });
}
