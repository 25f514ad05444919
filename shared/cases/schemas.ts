import { Type, type Static } from 'typebox';
import { CASE_ACTIONS } from './state-machine.ts';
import { CASE_STATES, OUTCOMES, SOURCES } from './states.ts';
import { TIME_TYPES } from '../categories/time-types.ts';

const Enum = <const T extends readonly string[]>(values: T, description?: string) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const Instant = () => Nullable(Type.String({ format: 'date-time' }));

export const CRS_VALUES = ['wgs84', 'gcj02', 'bd09'] as const;

export const IntakeBody = Type.Object({
  category: Type.String({ pattern: '^[0-9]{4}$', description: 'minor category code of the current catalogue, e.g. 0501' }),
  source: Enum(SOURCES, 'discovery channel (发现渠道)'),
  sourceRef: Type.Optional(Type.String({ maxLength: 128, description: 'the channel\'s own reference, e.g. a 12345 ticket number' })),
  description: Type.String({ minLength: 1, maxLength: 2000 }),
  lon: Type.Number({ minimum: -180, maximum: 180 }),
  lat: Type.Number({ minimum: -90, maximum: 90 }),
  crs: Type.Optional(Enum(CRS_VALUES, 'coordinate system of lon/lat: wgs84 (GPS, default), gcj02 (Amap/Tencent), bd09 (Baidu)')),
  address: Type.Optional(Type.String({ maxLength: 256 })),
  reporterName: Type.Optional(Type.String({ maxLength: 64 })),
  reporterContact: Type.Optional(Type.String({ maxLength: 64 })),
  register: Type.Optional(Type.Boolean({ description: 'dispatchers and supervisors: register (立案) on intake' })),
}, { additionalProperties: false });
export type IntakeBody = Static<typeof IntakeBody>;

export const IncidentView = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  state: Enum(CASE_STATES),
  category: Type.Object({ code: Type.String(), nameZh: Type.String(), nameEn: Type.String(), timeLimit: Type.Number(), timeType: Enum(TIME_TYPES), enforcement: Type.Boolean() }),
  source: Enum(SOURCES),
  sourceRef: Nullable(Type.String()),
  description: Type.String(),
  lon: Type.Number(),
  lat: Type.Number(),
  address: Nullable(Type.String()),
  gridCode: Nullable(Type.String()),
  districtAdcode: Nullable(Type.String()),
  districtName: Nullable(Type.String()),
  streetCode: Nullable(Type.String()),
  keyAreas: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String() })),
  priority: Type.Integer(),
  deadline: Instant(),
  overdue: Type.Boolean(),
  reportedAt: Type.String({ format: 'date-time' }),
  registeredAt: Instant(),
  dispatchedAt: Instant(),
  acceptedAt: Instant(),
  onSceneAt: Instant(),
  handledAt: Instant(),
  closedAt: Instant(),
  outcome: Type.Union([Enum(OUTCOMES), Type.Null()]),
  feedbackNotes: Nullable(Type.String()),
  stateReason: Nullable(Type.String()),
  reworkCount: Type.Integer(),
  extendedCount: Type.Integer(),
  officers: Type.Array(Type.Object({ officerId: Type.Integer(), name: Type.String(), kind: Enum(['officer', 'auxiliary'] as const), dispatchState: Type.String() })),
  evidence: Type.Array(Type.Object({ id: Type.Integer(), mime: Type.String(), bytes: Type.Integer(), sha256: Type.String() })),
  allowedSteps: Type.Optional(Type.Array(Enum(CASE_ACTIONS))),
});
export type IncidentViewT = Static<typeof IncidentView>;

export const Duplicate = Type.Object({ id: Type.Integer(), code: Type.String(), meters: Type.Number() });

export const StepBody = Type.Object({
  reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  officerIds: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 10 })),
  outcome: Type.Optional(Enum(OUTCOMES, '721 method: service | management | enforcement')),
  notes: Type.Optional(Type.String({ maxLength: 2000 })),
  evidenceIds: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 20 })),
  extendBy: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 365, description: 'extension (延期) in the category\'s time unit' })),
  lon: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
  lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
}, { additionalProperties: false });

export const EventView = Type.Object({
  seq: Type.Integer(),
  incidentId: Type.Union([Type.Integer(), Type.Null()]),
  type: Type.String(),
  actorUserId: Type.Union([Type.Integer(), Type.Null()]),
  payload: Type.Record(Type.String(), Type.Unknown()),
  occurredAt: Type.String({ format: 'date-time' }),
  position: Type.Union([Type.Tuple([Type.Number(), Type.Number()]), Type.Null()]),
  districtAdcode: Type.Union([Type.String(), Type.Null()]),
  officerIds: Type.Array(Type.Integer()),
});
