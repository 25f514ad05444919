import { Type } from 'typebox';
import { CASE_ACTIONS } from '#shared/cases/state-machine.ts';
import { ERROR_CODES, type ErrorCode } from './error-codes.ts';

/** The body of every 4xx and 5xx (server/http/errors.ts). */
export const ErrorResponse = Type.Object(
  {
    statusCode: Type.Integer({ description: 'the HTTP status again', minimum: 400, maximum: 599 }),
    error: Type.String({ description: "the status's name (Bad Request…)" }),
    code: StringEnum(Object.keys(ERROR_CODES) as ErrorCode[], {
      description: `what went wrong, for programs: stable, unlike the message. ${Object.entries(ERROR_CODES)
        .map(([k, v]) => `\`${k}\`: ${v}`)
        .join('; ')}.`,
    }),
    message: Type.String({ description: 'what is wrong and how to fix it, for people' }),
    allowed: Type.Optional(Type.Array(StringEnum(CASE_ACTIONS), { description: 'with STEP_NOT_ALLOWED: the steps of the case you may take now' })),
  },
  { $id: 'ErrorResponse', description: 'an error: `code` for programs, `message` for people', additionalProperties: false },
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
