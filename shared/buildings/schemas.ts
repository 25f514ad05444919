// The wire contract of illegal-building governance (违法建设治理): what /api/buildings answers and
// takes. The server validates and documents with these; the console, phone and leader view read them.
import { Type, type Static } from 'typebox';
import { BigId } from '../id-schemas.ts';
import { AreaGeometry } from '../geo-schemas.ts';
import { BUILDING_ACTIONS, BUILDING_KINDS, BUILDING_STAGES } from './stage-machine.ts';
import { INSPECTION_RESULTS } from './inspection-cycle.ts';

const Enum = <const T extends readonly string[]>(values: T, description?: string) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });
const Nullable = <T extends ReturnType<typeof Type.String | typeof Type.Number | typeof Type.Integer>>(t: T) => Type.Union([t, Type.Null()]);
const Day = () => Type.String({ format: 'date', maxLength: 10, examples: ['2026-12-31'] });

/** A row of the register as the list and the map's panel show it. */
export const BuildingSummary = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  kind: Enum(BUILDING_KINDS),
  stage: Enum(BUILDING_STAGES),
  areaM2: Type.Number({ description: 'footprint area on the spheroid (WGS84), m²' }),
  declaredAreaM2: Nullable(Type.Number({ description: 'area as declared by the register or the party, m²' })),
  floors: Type.Integer(),
  use: Nullable(Type.String({ description: '用途, e.g. 商铺, 仓储, 住宅' })),
  party: Nullable(Type.String({ description: '当事人' })),
  demolishedAreaM2: Type.Number(),
  districtAdcode: Type.String(),
  districtName: Type.String(),
  streetCode: Nullable(Type.String()),
  streetName: Nullable(Type.String()),
  gridCode: Nullable(Type.String()),
  keyAreas: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String() })),
  discoveredOn: Type.String({ format: 'date' }),
  stageAt: Type.String({ format: 'date-time', description: 'when the building entered its stage' }),
  stageDue: Nullable(Type.String({ format: 'date-time', description: 'when the next step is due (shared/buildings/stage-machine.ts)' })),
  overdue: Type.Boolean({ description: 'the next step is past its due time' }),
  escalatedAt: Nullable(Type.String({ format: 'date-time' })),
  lon: Type.Number({ description: 'a point on the footprint (WGS84)' }),
  lat: Type.Number(),
});
export type BuildingSummary = Static<typeof BuildingSummary>;

export const BuildingList = Type.Object({
  buildings: Type.Array(BuildingSummary),
  total: Type.Integer({ description: 'rows matching the filters; `buildings` holds at most `limit` of them' }),
});
export type BuildingList = Static<typeof BuildingList>;

export const BuildingListQuery = Type.Object(
  {
    stage: Type.Optional(Enum(BUILDING_STAGES)),
    kind: Type.Optional(Enum(BUILDING_KINDS)),
    overdue: Type.Optional(Type.Boolean({ description: 'only those whose next step is past due' })),
    district: Type.Optional(Type.String({ pattern: '^[0-9]{6}$', maxLength: 6, examples: ['510104'] })),
    q: Type.Optional(Type.String({ maxLength: 64, description: 'code or party contains', examples: ['WJ-510104'] })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, examples: [100] })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, examples: [0] })),
  },
  { additionalProperties: false },
);

/** A building's full record: the register row, its footprint, the log, evidence, linked cases, demolitions, inspections. */
export const BuildingDetail = Type.Object({
  building: BuildingSummary,
  geometry: AreaGeometry,
  allowedSteps: Type.Array(Enum(BUILDING_ACTIONS), { description: "steps the caller's role may take now" }),
  events: Type.Array(
    Type.Object({
      seq: Type.Integer(),
      type: Type.String({ description: 'building.discovered, building.verified, … building.escalated, building.inspected' }),
      at: Type.String({ format: 'date-time' }),
      actor: Nullable(Type.String()),
      payload: Type.Record(Type.String(), Type.Unknown()),
    }),
  ),
  evidence: Type.Array(
    Type.Object({ id: Type.Integer(), mime: Type.String(), bytes: Type.Integer(), stage: Nullable(Type.String()), incidentId: Nullable(Type.Integer()) }),
  ),
  cases: Type.Array(
    Type.Object({
      id: Type.Integer(),
      code: Type.String(),
      state: Type.String(),
      task: Nullable(Type.String()),
      reportedAt: Type.String({ format: 'date-time' }),
    }),
  ),
  demolitions: Type.Array(Type.Object({ on: Type.String({ format: 'date' }), areaM2: Type.Number() })),
  inspections: Type.Array(
    Type.Object({
      id: Type.Integer(),
      dueOn: Type.String({ format: 'date' }),
      state: Type.String(),
      result: Nullable(Type.String()),
      inspectedAt: Nullable(Type.String({ format: 'date-time' })),
    }),
  ),
});
export type BuildingDetail = Static<typeof BuildingDetail>;

/** POST /api/buildings — register a building found at the desk or by survey. */
export const BuildingCreateBody = Type.Object(
  {
    code: Type.Optional(Type.String({ pattern: '^[A-Z0-9-]{4,32}$', maxLength: 32, description: 'left out: one is given (WJ-<adcode>-<n>)' })),
    geometry: AreaGeometry,
    crs: Type.Optional(Enum(['wgs84', 'gcj02', 'bd09'] as const, 'coordinate system of the footprint; stored as WGS84')),
    kind: Enum(BUILDING_KINDS),
    floors: Type.Integer({ minimum: 1, maximum: 100 }),
    declaredAreaM2: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 10_000_000 })),
    use: Type.Optional(Type.String({ maxLength: 64 })),
    party: Type.Optional(Type.String({ maxLength: 128 })),
    discoveredOn: Type.Optional(Day()),
    notes: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export type BuildingCreateBody = Static<typeof BuildingCreateBody>;

/** POST /api/buildings/:id/steps — take a stage step (BUILDING_STEPS says which need what). */
export const BuildingStepBody = Type.Object(
  {
    action: Enum(BUILDING_ACTIONS),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'dismiss: why the discovery is not an illegal building' })),
    demolishedAreaM2: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 10_000_000, description: 'demolish: m² taken down this time' })),
    rectifyBy: Type.Optional(Day()),
    on: Type.Optional(Day()),
    evidenceIds: Type.Optional(Type.Array(BigId(), { maxItems: 20 })),
  },
  { additionalProperties: false },
);
export type BuildingStepBody = Static<typeof BuildingStepBody>;

/** POST /api/buildings/:id/field-case — send the field step (核查 / 拆除) out as a case, dispatched through the loop. */
export const FieldCaseBody = Type.Object(
  {
    task: Enum(['verify', 'demolish', 'inspect'] as const),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);

export const InspectionTask = Type.Object({
  id: Type.Integer(),
  dueOn: Type.String({ format: 'date' }),
  overdueDays: Type.Integer({ description: 'days past due (0 when due today or later)' }),
  building: BuildingSummary,
  geometry: AreaGeometry,
});
export type InspectionTask = Static<typeof InspectionTask>;

export const InspectionRecordBody = Type.Object(
  {
    result: Enum(INSPECTION_RESULTS, 'unchanged (无变化) | extended (加建: opens a case) | demolished (已拆除)'),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
    // no minItems: a record without a photo is refused by the service with 422 and how to upload one
    evidenceIds: Type.Array(BigId(), {
      maxItems: 20,
      description: 'at least one photo of the building taken on site (POST /api/buildings/{id}/evidence); none: 422',
    }),
    lon: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
    lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
  },
  { additionalProperties: false },
);

/** Per district and year: stock to demolish and new construction allowed (0 = zero growth). */
export const BuildingTarget = Type.Object({
  districtAdcode: Type.String({ pattern: '^[0-9]{6}$', maxLength: 6 }),
  year: Type.Integer({ minimum: 2000, maximum: 2100 }),
  stockDemolishM2: Type.Number({ minimum: 0, maximum: 100_000_000 }),
  stockDemolishCount: Type.Integer({ minimum: 0, maximum: 10_000_000 }),
  newMax: Type.Integer({ minimum: 0, maximum: 10_000_000 }),
});
export type BuildingTarget = Static<typeof BuildingTarget>;

/** One row of progress: demolished stock (m², count), new construction found, against the target where one is set. */
export const ProgressRow = Type.Object({
  key: Type.String({ description: 'district adcode, street code, squad id or month (YYYY-MM)' }),
  name: Type.String(),
  stockDemolishedM2: Type.Number(),
  stockDemolishedCount: Type.Integer(),
  newFound: Type.Integer(),
  newDemolishedM2: Type.Number(),
  target: Type.Union([BuildingTarget, Type.Null()]),
});
export const BuildingProgress = Type.Object({
  year: Type.Integer(),
  by: Enum(['district', 'street', 'squad', 'month'] as const),
  rows: Type.Array(ProgressRow),
  totals: ProgressRow,
  byStage: Type.Array(Type.Object({ stage: Enum(BUILDING_STAGES), kind: Enum(BUILDING_KINDS), count: Type.Integer(), areaM2: Type.Number() })),
});
export type BuildingProgress = Static<typeof BuildingProgress>;
