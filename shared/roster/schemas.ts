// The administration screens' contract for squads, officers and the change log: the server validates
// and documents with these, the client types itself from the same.
import { Type, type Static } from 'typebox';
import { CERTIFICATE_STATES } from './rules.ts';

const Enum = <const T extends readonly string[]>(values: T, description?: string) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });

const DistrictCode = Type.String({ pattern: '^[0-9]{6}$', maxLength: 6, description: '6-digit district adcode' });
const Day = Type.String({ format: 'date', maxLength: 10, description: 'YYYY-MM-DD (China time)' });
const Phone = Type.String({ pattern: '^[0-9+() -]{3,24}$', maxLength: 24, description: 'digits, + ( ) - and spaces' });
const Crs = Enum(['wgs84', 'gcj02', 'bd09'] as const, 'coordinate system of lon/lat: wgs84 (default), gcj02 (Amap/Tencent), bd09 (Baidu)');

export const SquadAdmin = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  districtAdcode: Type.String(),
  districtName: Type.String(),
  lon: Type.Number({ description: 'base, WGS84' }),
  lat: Type.Number({ description: 'base, WGS84' }),
  phone: Type.Union([Type.String(), Type.Null()]),
  officers: Type.Integer({ description: 'officers and auxiliaries in the squad' }),
  cells: Type.Integer({ description: 'current grid cells the squad is responsible for' }),
});
export type SquadAdmin = Static<typeof SquadAdmin>;

export const SquadInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64 }),
    districtAdcode: DistrictCode,
    lon: Type.Number({ minimum: -180, maximum: 180 }),
    lat: Type.Number({ minimum: -90, maximum: 90 }),
    crs: Type.Optional(Crs),
    phone: Type.Optional(Type.Union([Phone, Type.Null()])),
  },
  { additionalProperties: false },
);
export type SquadInput = Static<typeof SquadInput>;
export const SquadPatch = Type.Partial(SquadInput, { additionalProperties: false, minProperties: 1 });
export type SquadPatch = Static<typeof SquadPatch>;

export const OfficerAdmin = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  kind: Enum(['officer', 'auxiliary'] as const),
  squadId: Type.Integer(),
  squadName: Type.String(),
  districtAdcode: Type.String(),
  certificateNo: Type.Union([Type.String(), Type.Null()]),
  certificateExpires: Type.Union([Type.String(), Type.Null()]),
  certificate: Enum(CERTIFICATE_STATES, 'valid; expiring within 30 days; expired (never recommended or dispatched to enforce); none (auxiliary)'),
  equipment: Type.Array(Type.String()),
  phone: Type.Union([Type.String(), Type.Null()]),
  dutyStatus: Enum(['off_duty', 'available', 'busy'] as const),
  userLogin: Type.Union([Type.String(), Type.Null()], { description: 'the login linked to this officer, if any' }),
});
export type OfficerAdmin = Static<typeof OfficerAdmin>;

const Equipment = Type.Array(Type.String({ minLength: 1, maxLength: 32 }), { maxItems: 16, uniqueItems: true, description: '执法车, 执法记录仪, 手持终端 …' });

export const OfficerInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 32 }),
    squadId: Type.Integer({ minimum: 1, maximum: 2147483647 }),
    kind: Enum(['officer', 'auxiliary'] as const, 'officer: 执法队员 with a certificate; auxiliary: 协管员, none'),
    certificateNo: Type.Optional(Type.Union([Type.String({ minLength: 4, maxLength: 32, pattern: '^[0-9A-Za-z-]+$' }), Type.Null()])),
    certificateExpires: Type.Optional(Type.Union([Day, Type.Null()])),
    equipment: Type.Optional(Equipment),
    phone: Type.Optional(Type.Union([Phone, Type.Null()])),
  },
  { additionalProperties: false },
);
export type OfficerInput = Static<typeof OfficerInput>;
export const OfficerPatch = Type.Partial(OfficerInput, { additionalProperties: false, minProperties: 1 });
export type OfficerPatch = Static<typeof OfficerPatch>;

export const AuditEntry = Type.Object({
  id: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  actorUserId: Type.Union([Type.Integer(), Type.Null()], { description: 'null: the server shell (npm run user) or the system' }),
  actorLogin: Type.Union([Type.String(), Type.Null()]),
  actorName: Type.Union([Type.String(), Type.Null()]),
  action: Type.String({ description: 'user.create, user.update, squad.create, officer.update, gis.import_committed …' }),
  target: Type.String({ description: 'table/id' }),
  before: Type.Unknown(),
  after: Type.Unknown(),
});
export type AuditEntry = Static<typeof AuditEntry>;

export const StreetResponsibility = Type.Object({
  code: Type.String({ description: '9-digit street (街道) code' }),
  name: Type.String(),
  districtAdcode: Type.String(),
  cells: Type.Integer({ description: 'current grid cells in the street' }),
  squads: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String(), cells: Type.Integer() }), {
    description: "the squads answering for the street's cells, with how many each (none: unassigned)",
  }),
});
export type StreetResponsibility = Static<typeof StreetResponsibility>;

export const SquadStreets = Type.Object(
  {
    streets: Type.Array(Type.String({ pattern: '^[0-9]{9}$', maxLength: 9, examples: ['510104001'] }), {
      minItems: 1,
      maxItems: 200,
      uniqueItems: true,
      description: "streets of the squad's district whose current grid cells the squad answers for (属地责任) from now on",
    }),
  },
  { additionalProperties: false },
);
export type SquadStreets = Static<typeof SquadStreets>;
