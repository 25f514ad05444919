import { Type, type Static } from 'typebox';
import { CaseEventSchema } from './event-schemas.ts';
import { CASE_ACTIONS } from './state-machine.ts';
import { CASE_STATES, OUTCOMES, SOURCES } from './states.ts';
import { TIME_TYPES } from '../categories/time-types.ts';
import { BigId, IntId } from '../id-schemas.ts';
import { LandmarkSchema } from '../geocode/schemas.ts';
import { ETA_METHODS, TRAVEL_MODES } from '../dispatch/travel-speeds.ts';
import { BUILDING_KINDS, BUILDING_STAGES } from '../buildings/stage-machine.ts';

const Enum = <const T extends readonly string[]>(values: T, description?: string) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const Instant = () => Nullable(Type.String({ format: 'date-time' }));

export const CRS_VALUES = ['wgs84', 'gcj02', 'bd09'] as const;

export const IntakeBody = Type.Object(
  {
    category: Type.String({ pattern: '^[0-9]{4}$', maxLength: 4, description: 'minor category code of the current catalogue, e.g. 0501' }),
    source: Enum(SOURCES, 'discovery channel (发现渠道)'),
    sourceRef: Type.Optional(Type.String({ maxLength: 128, description: "the channel's own reference, e.g. a 12345 ticket number" })),
    description: Type.String({ minLength: 1, maxLength: 2000 }),
    lon: Type.Number({ minimum: -180, maximum: 180, examples: [104.0817] }),
    lat: Type.Number({ minimum: -90, maximum: 90, examples: [30.6571] }),
    crs: Type.Optional(Enum(CRS_VALUES, 'coordinate system of lon/lat: wgs84 (GPS, default), gcj02 (Amap/Tencent), bd09 (Baidu)')),
    address: Type.Optional(Type.String({ maxLength: 256 })),
    reporterName: Type.Optional(Type.String({ maxLength: 64 })),
    reporterContact: Type.Optional(Type.String({ maxLength: 64 })),
    register: Type.Optional(Type.Boolean({ description: 'dispatchers and supervisors: register (立案) on intake' })),
  },
  { additionalProperties: false },
);
export type IntakeBody = Static<typeof IntakeBody>;

export const CaseView = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  state: Enum(CASE_STATES),
  category: Type.Object({
    code: Type.String(),
    nameZh: Type.String(),
    nameEn: Type.String(),
    timeLimit: Type.Number(),
    timeType: Enum(TIME_TYPES),
    enforcement: Type.Boolean(),
  }),
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
  streetName: Nullable(Type.String()),
  communityCode: Nullable(Type.String({ description: '社区 of the grid cell the case lies in' })),
  communityName: Nullable(Type.String()),
  landmark: Type.Union([LandmarkSchema, Type.Null()], {
    description: 'the nearest named intersection or road when the case came in (shared/geocode/contract.ts Landmark); null beyond every named road',
  }),
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
  escalatedAt: Instant(),
  mergedInto: Type.Union([Type.Object({ id: Type.Integer(), code: Type.String() }), Type.Null()], {
    description: 'the case this one was merged into (合并), or null',
  }),
  building: Type.Union(
    [
      Type.Object({
        id: Type.Integer(),
        code: Type.String(),
        kind: Enum(BUILDING_KINDS),
        stage: Enum(BUILDING_STAGES),
        task: Type.Union([Enum(['verify', 'demolish', 'inspect', 'report'] as const), Type.Null()], {
          description: 'the field step this case carries for the building (核查, 拆除, 巡查) or report: a case found at it',
        }),
        escalated: Type.Boolean({ description: 'new construction escalated (督办) when found' }),
      }),
      Type.Null(),
    ],
    { description: 'the illegal building (违法建设) this case concerns, or null: GET /api/buildings/{id} has its record' },
  ),
  officers: Type.Array(
    Type.Object({ officerId: Type.Integer(), name: Type.String(), kind: Enum(['officer', 'auxiliary'] as const), dispatchState: Type.String() }),
  ),
  evidence: Type.Array(Type.Object({ id: Type.Integer(), mime: Type.String(), bytes: Type.Integer(), sha256: Type.String() })),
  allowedSteps: Type.Optional(Type.Array(Enum(CASE_ACTIONS))),
});
export type CaseViewT = Static<typeof CaseView>;

export const Duplicate = Type.Object({ id: Type.Integer(), code: Type.String(), meters: Type.Number() });

/** POST /api/incidents: 201 created, 200 replayed by its idempotency key (`replayed` says which). */
export const IntakeResponse = Type.Object({
  incident: CaseView,
  possibleDuplicates: Type.Array(Duplicate, { description: 'open cases of the same category nearby (重复案件), to merge into' }),
  replayed: Type.Boolean({ description: 'true when the Idempotency-Key was seen before and this is the first answer again' }),
});

export const StepBody = Type.Object(
  {
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    officerIds: Type.Optional(Type.Array(IntId(), { minItems: 1, maxItems: 10 })),
    outcome: Type.Optional(Enum(OUTCOMES, '721 method: service | management | enforcement')),
    notes: Type.Optional(Type.String({ maxLength: 2000 })),
    evidenceIds: Type.Optional(Type.Array(BigId(), { maxItems: 20 })),
    extendBy: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 365, description: "extension (延期) in the category's time unit" })),
    demolishedAreaM2: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 10_000_000,
        description: "handle of a demolition case (拆除): m² taken down; the case's close records it on the building",
      }),
    ),
    lon: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
    lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
  },
  { additionalProperties: false },
);

/** An event of the log as GET /api/events and a case's record answer it: one member per event type (event-schemas.ts). */
export const EventView = CaseEventSchema;

const Reason = (description: string, maxLength = 500) => Type.String({ minLength: 1, maxLength, description });
const OfficerIds = Type.Array(IntId(), { minItems: 1, maxItems: 10, description: 'officers to send (ids)' });

/** POST /api/incidents/:id/merge */
export const MergeBody = Type.Object(
  {
    intoId: BigId({ description: 'the open case this one duplicates' }),
    reason: Type.Optional(Reason("why (kept on the voided case after the target's code)", 400)),
  },
  { additionalProperties: false },
);

/** POST /api/incidents/:id/escalate */
export const EscalateBody = Type.Object(
  {
    reason: Reason("why the case needs the leaders' attention (督办)"),
  },
  { additionalProperties: false },
);

/** POST /api/incidents/:id/reassign */
export const ReassignBody = Type.Object(
  {
    officerIds: OfficerIds,
    reason: Reason('why the officers are replaced (改派)'),
  },
  { additionalProperties: false },
);

const CategoryName = Type.Object({ code: Type.String(), nameZh: Type.String(), nameEn: Type.String() });

export const DuplicatesQuery = Type.Object(
  {
    lon: Type.Number({ minimum: -180, maximum: 180, examples: [104.0817] }),
    lat: Type.Number({ minimum: -90, maximum: 90, examples: [30.6571] }),
    crs: Type.Optional(Enum(CRS_VALUES, 'coordinate system of lon/lat: wgs84 (GPS, default), gcj02 (Amap/Tencent), bd09 (Baidu)')),
    categoryCode: Type.String({ pattern: '^[0-9]{4}$', maxLength: 4, description: 'minor category code of the current catalogue, e.g. 0501' }),
  },
  { additionalProperties: false },
);

export const DuplicateCase = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  state: Enum(CASE_STATES),
  meters: Type.Number({ description: 'distance from the point, metres' }),
  reportedAt: Type.String({ format: 'date-time' }),
  description: Type.String(),
  category: CategoryName,
});

export const DuplicatesPreview = Type.Object({
  lon: Type.Number({ description: 'the point in WGS84, as intake would store it' }),
  lat: Type.Number(),
  location: Type.Union(
    [
      Type.Object({
        districtAdcode: Type.String(),
        districtName: Nullable(Type.String()),
        streetCode: Nullable(Type.String()),
        streetName: Nullable(Type.String()),
        gridCode: Nullable(Type.String()),
        landmark: Type.Union([LandmarkSchema, Type.Null()]),
        keyAreas: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String() })),
      }),
      Type.Null(),
    ],
    { description: 'null: outside every district served (intake would answer 422)' },
  ),
  duplicates: Type.Array(DuplicateCase),
});

const DUTY = ['off_duty', 'available', 'busy'] as const;
const DutyCounts = Type.Object({ available: Type.Integer(), busy: Type.Integer({ description: 'on a case' }), offDuty: Type.Integer() });

export const SquadBoard = Type.Object({
  generatedAt: Type.String({ format: 'date-time' }),
  districts: Type.Array(
    Type.Object({
      adcode: Type.String(),
      name: Type.String(),
      officers: DutyCounts,
      auxiliaries: DutyCounts,
      squads: Type.Array(
        Type.Object({
          id: Type.Integer(),
          name: Type.String(),
          districtAdcode: Type.String(),
          members: Type.Array(
            Type.Object({
              id: Type.Integer(),
              name: Type.String(),
              kind: Enum(['officer', 'auxiliary'] as const),
              certified: Type.Boolean({ description: 'holds a valid enforcement certificate (执法证)' }),
              dutyStatus: Enum(DUTY),
              positionAgeSeconds: Type.Union([Type.Integer(), Type.Null()], { description: 'seconds since the last fix; null if none' }),
              currentCase: Type.Union([
                Type.Object({
                  id: Type.Integer(),
                  code: Type.String(),
                  state: Enum(CASE_STATES),
                  dispatchState: Enum(['pending', 'accepted'] as const),
                  category: CategoryName,
                }),
                Type.Null(),
              ]),
            }),
          ),
        }),
      ),
    }),
  ),
});

/** A recommended officer (GET /api/incidents/:id/recommendations), best first. */
export const Candidate = Type.Object({
  officerId: Type.Integer(),
  name: Type.String(),
  kind: Enum(['officer', 'auxiliary'] as const),
  certified: Type.Boolean({ description: 'holds a valid enforcement certificate (执法证) today: may carry out enforcement' }),
  squadId: Type.Integer(),
  squadName: Type.String(),
  dutyStatus: Type.String(),
  meters: Type.Number(),
  positionAt: Type.String(),
  responsibleSquad: Type.Boolean({ description: 'of the squad responsible for the grid cell (属地)' }),
  travelMode: Enum(TRAVEL_MODES, 'how the officer travels, from their equipment: drive (执法车), ride (电动巡逻车), walk'),
  etaSeconds: Type.Integer({ minimum: 0, description: 'travel time to the case, seconds; candidates of the same squad rank by it' }),
  etaMethod: Enum(
    ETA_METHODS,
    "network: routed on the loaded road network (pgRouting) with the legs off it; estimate: straight line × detour factor at the mode's average speed (no pgRouting, no network loaded, or beyond its roads)",
  ),
});
export type Candidate = Static<typeof Candidate>;
