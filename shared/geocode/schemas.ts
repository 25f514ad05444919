import { Type } from 'typebox';
import { PLACE_KINDS } from './contract.ts';

/** the longest query: a full intersection with district and house number is ~40 characters */
export const QUERY_MAX_CHARS = 64;
export const SEARCH_MAX_LIMIT = 50;

const Kind = Type.Unsafe<(typeof PLACE_KINDS)[number]>({ type: 'string', enum: [...PLACE_KINDS], description: 'what the entry names' });

export const GeocodeSearchQuery = Type.Object(
  {
    q: Type.String({
      minLength: 1,
      maxLength: QUERY_MAX_CHARS,
      description:
        'what the caller said: a road in full or in part (人民南), an intersection in either order and the usual forms (A与B交叉口, A/B路口, A和B, A B), a road and house number, a grid code or its first digits, a key area, community, street or district; one wrong or missing character is forgiven from four characters on',
      examples: ['玉林东路和人民南路四段'],
    }),
    lon: Type.Optional(
      Type.Number({ minimum: -180, maximum: 180, description: 'the context (map centre, caller): among equal matches, nearer first', examples: [104.0639] }),
    ),
    lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90, examples: [30.632] })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: SEARCH_MAX_LIMIT, default: 10 })),
  },
  { additionalProperties: false },
);

export const PlaceHitSchema = Type.Object(
  {
    kind: Kind,
    name: Type.String(),
    context: Type.Union([Type.String(), Type.Null()], { description: '区 · 街道, to tell two hits of one name apart' }),
    lon: Type.Number(),
    lat: Type.Number(),
    score: Type.Number({ minimum: 0, maximum: 1, description: 'text match first, nearness to lon/lat second' }),
  },
  { additionalProperties: false },
);

export const GeocodeSearchResponse = Type.Object({ hits: Type.Array(PlaceHitSchema) }, { additionalProperties: false });

export const ReverseGeocodeQuery = Type.Object(
  {
    lon: Type.Number({ minimum: -180, maximum: 180, examples: [104.0642] }),
    lat: Type.Number({ minimum: -90, maximum: 90, examples: [30.6324] }),
  },
  { additionalProperties: false },
);

/** shared/geocode/contract.ts Landmark: what reverse geocoding answers and a case keeps from its intake */
export const LandmarkSchema = Type.Object(
  {
    kind: Type.Unsafe<'intersection' | 'road'>({ type: 'string', enum: ['intersection', 'road'] }),
    name: Type.String(),
    meters: Type.Number({ minimum: 0, description: 'geodesic metres from the landmark (a road: its nearest point)' }),
    bearing: Type.Number({ minimum: 0, maximum: 360, description: 'degrees clockwise from north, from the landmark to the point' }),
  },
  { additionalProperties: false },
);

const Nullable = (s: ReturnType<typeof Type.String>) => Type.Union([s, Type.Null()]);

export const PlaceContextSchema = Type.Object(
  {
    landmark: Type.Union([LandmarkSchema, Type.Null()]),
    districtName: Nullable(Type.String()),
    streetName: Nullable(Type.String()),
    communityName: Nullable(Type.String()),
    gridCode: Nullable(Type.String()),
  },
  { additionalProperties: false },
);
