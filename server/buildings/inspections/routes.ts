import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { InspectionRecordBody, InspectionTask } from '#shared/buildings/schemas.ts';
import { INSPECTION_RESULTS } from '#shared/buildings/inspection-cycle.ts';
import { BigIdParams } from '#shared/id-schemas.ts';
import { StringEnum } from '../../http/schemas.ts';
import type { InspectionService } from './service.ts';

const Err = Type.Ref('ErrorResponse');

const RecordedTask = Type.Object({
  ...InspectionTask.properties,
  state: Type.Literal('done'),
  result: StringEnum(INSPECTION_RESULTS),
  incidentId: Type.Union([Type.Integer(), Type.Null()], { description: 'extended (加建): the case opened at the building' }),
});

export const inspectionRoutes: FastifyPluginAsyncTypebox<{ inspections: InspectionService }> = async (app, { inspections }) => {
  app.get(
    '/api/buildings/inspections/mine',
    {
      onRequest: app.requires('officer.self'),
      schema: {
        tags: ['buildings'],
        summary: "The officer's patrol tasks (巡查任务): stock buildings due for inspection in their squad's cells, most overdue first",
        description:
          "A task comes due when a stock building's cycle (shared/buildings/inspection-cycle.ts: 30 days in a key area, 90 elsewhere) has run out since its last inspection; each carries the building's register row and footprint.",
        security: [{ bearer: [] }],
        response: { 200: Type.Array(InspectionTask), 401: Err, 403: Err },
      },
    },
    async (req) => inspections.mine(req.user),
  );

  app.get(
    '/api/buildings/inspections',
    {
      onRequest: app.requires('inspections.read'),
      schema: {
        tags: ['buildings'],
        summary: 'Patrol tasks of a district (or every district, city-wide), oldest due date first',
        description: 'A district-scoped user sees their district only; `state` picks due (the default), done or cancelled tasks.',
        security: [{ bearer: [] }],
        querystring: Type.Object(
          {
            district: Type.Optional(Type.String({ pattern: '^[0-9]{6}$', maxLength: 6, examples: ['510104'] })),
            state: Type.Optional(StringEnum(['due', 'done', 'cancelled'] as const, { description: 'due (the default): still to inspect' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 200 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(InspectionTask), 400: Err, 401: Err, 403: Err },
      },
    },
    async (req) => inspections.list(req.user, req.query),
  );

  app.post(
    '/api/buildings/inspections/sweep',
    {
      onRequest: app.requires('inspections.sweep'),
      schema: {
        tags: ['buildings'],
        summary: 'Run the inspection cycle now: a task for every stock building whose cycle has run out and has none due',
        description: 'The clocks run the same sweep every few minutes; running it twice creates nothing new.',
        security: [{ bearer: [] }],
        response: { 200: Type.Object({ created: Type.Integer({ description: 'tasks created by this sweep' }) }), 401: Err, 403: Err },
      },
    },
    async () => ({ created: (await inspections.sweep()).length }),
  );

  app.post(
    '/api/buildings/inspections/:id',
    {
      onRequest: app.requires('officer.self'),
      schema: {
        tags: ['buildings'],
        summary: 'Record a patrol inspection (无变化 / 加建 / 已拆除) with at least one photo of the building',
        description:
          'Upload the photos first (POST /api/buildings/{id}/evidence). `extended` opens a case (私搭乱建, source patrol) at the building; `demolished` records what was seen, and the desk takes the demolish step.',
        security: [{ bearer: [] }],
        params: BigIdParams,
        body: InspectionRecordBody,
        response: { 200: RecordedTask, 400: Err, 401: Err, 403: Err, 404: Err, 409: Err, 422: Err },
      },
    },
    async (req) => inspections.record(req.user, req.params.id, req.body),
  );
};
