// The event union of events.ts as TypeBox schemas: one source for the payload types (events.ts takes
// them as Static types), the OpenAPI schema of GET /api/events (EventView in schemas.ts) and the
// AsyncAPI document of the live feed (server/docs/asyncapi.ts). Kept apart from events.ts so that
// code importing only the types (the console) does not load TypeBox.
import { Type, type Static, type TSchema } from 'typebox';
import { ROLES } from '../roles.ts';
import { type CaseEvent, EVENT_TYPES, type EventType } from './events.ts';
import { CASE_STATES, OUTCOMES, SOURCES } from './states.ts';
import { BUILDING_ACTIONS, BUILDING_KINDS, BUILDING_STAGES } from '../buildings/stage-machine.ts';

const Enum = <const T extends readonly string[]>(values: T, description?: string) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const State = (description?: string) => Enum(CASE_STATES, description);
const Ids = (description: string) => Type.Array(Type.Integer(), { description });

const DUTY_STATUSES = ['off_duty', 'available', 'busy'] as const;

/** A step of the loop: the case's code and the states it went between, with what the step adds. */
const Step = <P extends Record<string, TSchema>>(more: P) =>
  Type.Object({ code: Type.String({ description: 'case code (案件编号)' }), from: State('state before the step'), to: State('state after the step'), ...more });

/** A photo as the evidence upload stored it. */
const StoredPhoto = Type.Object({ id: Type.Integer(), sha256: Type.String(), mime: Type.String(), bytes: Type.Integer() });

/** A building's stage step (违法建设治理): its code, the action and the stages it went between. */
const BuildingStep = Type.Object(
  {
    code: Type.String({ description: 'building code' }),
    action: Enum(BUILDING_ACTIONS),
    from: Enum(BUILDING_STAGES),
    to: Enum(BUILDING_STAGES),
    on: Type.String({ format: 'date', description: 'the day the step was taken' }),
    note: Nullable(Type.String()),
    reason: Nullable(Type.String()),
    rectifyBy: Nullable(Type.String({ format: 'date' })),
    demolishedAreaM2: Nullable(Type.Number({ description: 'm² taken down by this demolition' })),
    demolishedTotalM2: Type.Number({ description: 'm² demolished so far' }),
    stageDue: Nullable(Type.String({ format: 'date-time' })),
    evidenceIds: Ids('photos and documents of the step'),
    incidentId: Nullable(Type.Integer({ description: 'the case whose closing took the step' })),
  },
  { description: 'a building took a stage step (shared/buildings/stage-machine.ts)' },
);

/** Each event type's payload. */
export const EventPayloadSchemas = {
  'incident.reported': Type.Object(
    {
      code: Type.String(),
      category: Type.String({ description: 'minor category code' }),
      source: Enum(SOURCES, 'discovery channel (发现渠道)'),
      sourceRef: Nullable(Type.String()),
      priority: Type.Integer(),
      gridCode: Nullable(Type.String()),
      keyAreaIds: Ids('key areas the point lies in'),
      duplicates: Type.Array(Type.String(), { description: 'codes of possible duplicates' }),
    },
    { description: 'a case was reported (上报)' },
  ),
  'incident.registered': Step({}),
  'incident.voided': Step({ reason: Type.String() }),
  'incident.dispatched': Step({ officerIds: Ids('officers sent'), reason: Nullable(Type.String()) }),
  'incident.reworked': Step({ officerIds: Ids('officers sent again'), reason: Nullable(Type.String()) }),
  'incident.accepted': Step({ officerId: Nullable(Type.Integer()) }),
  'incident.declined': Step({ officerId: Nullable(Type.Integer()), reason: Type.String() }),
  'incident.arrived': Step({ officerId: Nullable(Type.Integer()) }),
  'incident.handled': Step({
    officerId: Nullable(Type.Integer()),
    outcome: Enum(OUTCOMES, '721 method'),
    notes: Nullable(Type.String()),
    evidenceIds: Ids('photos of the handling'),
    demolishedAreaM2: Type.Optional(Type.Number({ description: 'a demolition case: m² taken down, recorded on the building at close' })),
  }),
  'incident.closed': Step({}),
  'incident.suspended': Step({ reason: Type.String() }),
  'incident.resumed': Step({}),
  'incident.extended': Step({ reason: Type.String(), extendBy: Type.Integer(), deadline: Type.String({ format: 'date-time' }) }),
  'incident.merged': Step({ intoId: Type.Integer(), intoCode: Type.String(), reason: Nullable(Type.String()) }),
  'incident.reassigned': Step({ officerIds: Ids('officers sent instead'), previousOfficerIds: Ids('officers taken off'), reason: Type.String() }),
  'incident.evidence_added': Type.Object({ code: Type.String(), evidence: Type.Array(StoredPhoto) }),
  'incident.overdue': Type.Object(
    { code: Type.String(), state: Type.String(), deadline: Type.String({ format: 'date-time' }) },
    { description: 'by the overdue clock' },
  ),
  'incident.escalated': Type.Union(
    [
      Type.Object({ code: Type.String(), to: Type.Literal('leader'), reason: Type.String() }, { description: 'by the overdue clock, with incident.overdue' }),
      Type.Object(
        {
          code: Type.String(),
          state: State(),
          to: Type.Literal('leader'),
          manual: Type.Literal(true),
          reason: Type.String(),
          by: Type.Object({ userId: Type.Integer(), login: Type.String(), role: Enum(ROLES) }),
        },
        { description: 'by hand, with who did it' },
      ),
    ],
    { description: '督办' },
  ),
  'incident.dispatch_timed_out': Type.Object(
    {
      code: Type.String(),
      from: Type.String(),
      to: Type.String(),
      officerIds: Ids('officers who did not accept'),
      alert: Type.Literal(true),
      timeoutSeconds: Type.Integer(),
    },
    { description: 'a dispatch not accepted in time went back to the queue' },
  ),
  'officer.duty': Type.Object(
    { officerId: Nullable(Type.Integer()), from: Type.String(), to: Enum(DUTY_STATUSES) },
    { description: 'an officer went on or off duty (上岗/下岗)' },
  ),
  'map.updated': Type.Object(
    {
      layer: Enum(['districts', 'grid_cells', 'key_areas', 'illegal_buildings'] as const),
      versionId: Type.Integer(),
      added: Type.Integer(),
      changed: Type.Integer(),
      removed: Type.Integer(),
    },
    { description: "an import of the city's geography was committed as a new version (底图更新): consoles fetch the layer and its tiles again" },
  ),
  'building.discovered': Type.Object(
    {
      code: Type.String(),
      kind: Enum(BUILDING_KINDS),
      areaM2: Type.Number(),
      stageDue: Nullable(Type.String({ format: 'date-time' })),
      originIncidentId: Nullable(Type.Integer({ description: 'the case that found it' })),
      keyAreaIds: Ids('key areas the footprint lies in'),
    },
    { description: 'an illegal building entered the register (发现)' },
  ),
  'building.verified': BuildingStep,
  'building.filed': BuildingStep,
  'building.ordered': BuildingStep,
  'building.demolished': BuildingStep,
  'building.rectified': BuildingStep,
  'building.closed': BuildingStep,
  'building.dismissed': BuildingStep,
  'building.escalated': Type.Object(
    { code: Type.String(), reason: Type.String(), reasonEn: Type.String(), incidentId: Nullable(Type.Integer()) },
    { description: '新增违建零容忍: escalated (督办) to the district leaders when found' },
  ),
  'building.case_linked': Type.Object(
    { code: Type.String(), incidentId: Type.Integer(), caseCode: Type.String(), task: Enum(['verify', 'demolish', 'inspect', 'report'] as const) },
    { description: 'a case about the building was joined to it' },
  ),
  'roster.updated': Type.Object(
    { squadId: Nullable(Type.Integer()), officerId: Nullable(Type.Integer()) },
    { description: 'an administrator created or changed a squad or an officer (编制变更): consoles fetch squads, officers and the squad board again' },
  ),
  'building.inspection_due': Type.Object(
    {
      code: Type.String({ description: 'building code (违建编号)' }),
      inspectionId: Type.Integer(),
      squadId: Nullable(Type.Integer({ description: "the squad of the building's grid cell, whose officers patrol it" })),
      dueOn: Type.String({ format: 'date' }),
      cycleDays: Type.Integer({ description: 'the inspection cycle that applies (shared/buildings/inspection-cycle.ts)' }),
    },
    { description: "a stock building is due for its patrol inspection (存量违建巡查): a task on the squad's phones" },
  ),
  'building.inspected': Type.Object(
    {
      code: Type.String({ description: 'building code (违建编号)' }),
      inspectionId: Type.Integer(),
      result: Enum(['unchanged', 'extended', 'demolished'] as const, 'unchanged (无变化) | extended (加建) | demolished (已拆除)'),
      officerId: Nullable(Type.Integer()),
      evidenceIds: Ids('photos taken on site'),
      note: Nullable(Type.String()),
      opensCase: Type.Boolean({ description: 'extended: a new case (加建) is opened at the building' }),
      observationOnly: Type.Boolean({ description: "demolished: only what the officer saw; the building's stage moves when the desk takes the demolish step" }),
    },
    { description: 'an officer inspected a stock building on patrol (巡查)' },
  ),
};

/** The payload type of each event type: what events.ts calls EventPayloads. */
export type EventPayloadTypes = { [K in keyof typeof EventPayloadSchemas]: Static<(typeof EventPayloadSchemas)[K]> };

/** The columns around the typed payload, as the log stores them and the feed carries them. */
const EVENT_COLUMNS = {
  seq: Type.Integer({ minimum: 1, description: 'position in the event log; increases with every event' }),
  incidentId: Nullable(Type.Integer()),
  buildingId: Type.Optional(Nullable(Type.Integer({ description: "the illegal building of a building's event (incidentId is then null)" }))),
  actorUserId: Nullable(Type.Integer({ description: 'who did it; null for the clocks' })),
  occurredAt: Type.String({ format: 'date-time' }),
  position: Nullable(Type.Tuple([Type.Number(), Type.Number()], { description: '[lon, lat] WGS84' })),
  districtAdcode: Nullable(Type.String()),
  officerIds: Type.Array(Type.Integer(), { description: 'officers the event is addressed to' }),
};

/** One event of the log of this type: the columns, `type` and its payload (titled with the type, for the documents). */
export function caseEventSchema<K extends EventType>(type: K) {
  return Type.Object({ ...EVENT_COLUMNS, type: Type.Literal(type), payload: EventPayloadSchemas[type] }, { title: type });
}

/**
 * Every event of the log: one member per event type, told apart by `type`. Typed as CaseEvent
 * (events.ts), the union of the members' Static types, which TypeBox cannot infer from a mapped list.
 */
export const CaseEventSchema = Type.Unsafe<CaseEvent>(
  Type.Union(
    EVENT_TYPES.map((t) => caseEventSchema(t)),
    {
      description: 'an event of the log (执法全过程记录): its `type` says which payload it carries',
    },
  ),
);
