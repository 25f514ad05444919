import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { BuildingCreateBody, BuildingDetail, BuildingList, BuildingListQuery, BuildingStepBody, FieldCaseBody } from '#shared/buildings/schemas.ts';
import { BUILDING_STEPS } from '#shared/buildings/stage-machine.ts';
import { CaseView } from '#shared/cases/schemas.ts';
import { IntIdParams } from '#shared/id-schemas.ts';
import { CaseError } from '../cases/service.ts';
import { BuildingError, type BuildingService } from './service.ts';

const Err = Type.Ref('ErrorResponse');
/** Everyone who takes some step of a building; which step each may take is the stage machine's (403 in the service). */
const STEP_ROLES = [...new Set(Object.values(BUILDING_STEPS).flatMap((s) => s.roles))];

export const buildingRoutes: FastifyPluginAsyncTypebox<{ buildings: BuildingService }> = async (app, { buildings }) => {
  const fail = (err: unknown): never => {
    // the same shape as a case's refused step: the message, and the steps allowed now
    if (err instanceof BuildingError || err instanceof CaseError) throw app.httpErrors.createError(err.status, err.message, { allowed: err.allowed });
    throw err;
  };
  const notFound = (id: number) => app.httpErrors.notFound(`no building ${id} that you can see`);

  app.get(
    '/api/buildings',
    {
      onRequest: app.requires('map.read'),
      schema: {
        tags: ['buildings'],
        summary: '违法建设台账: the register of illegal buildings, overdue first',
        description: "A district-scoped user sees their district's buildings (asking for another district answers 403).",
        security: [{ bearer: [] }],
        querystring: BuildingListQuery,
        response: { 200: BuildingList, 401: Err, 403: Err },
      },
    },
    (req) => buildings.list(req.user, req.query).catch(fail),
  );

  app.get(
    '/api/buildings/:id',
    {
      onRequest: app.requires('map.read'),
      schema: {
        tags: ['buildings'],
        summary: "A building's record: the row, footprint, steps you may take, its events, evidence, cases, demolitions and inspections",
        description:
          "`allowedSteps` lists the steps your role may take in the building's stage; a building outside your district answers 404, as one that does not exist.",
        security: [{ bearer: [] }],
        params: IntIdParams,
        response: { 200: BuildingDetail, 401: Err, 404: Err },
      },
    },
    async (req) => (await buildings.detail(req.user, req.params.id)) ?? notFound(req.params.id),
  );

  app.post(
    '/api/buildings',
    {
      onRequest: app.requires('incident.read', { roles: ['supervisor', 'admin'], what: 'register (登记) a building; that is for supervisor, admin' }),
      schema: {
        tags: ['buildings'],
        summary: 'Register (登记) an illegal building found at the desk or by survey: placed, timed, escalated when the new-building rule says so',
        description:
          'The footprint is checked before it is stored (closed rings, a valid polygon, inside a district, 1–100000 m²; 422 says what to fix), converted to WGS84 from `crs`, and measured on the spheroid (`areaM2`; `declaredAreaM2` is kept apart). A code WJ-<adcode>-<n> is given when none is sent.',
        security: [{ bearer: [] }],
        body: BuildingCreateBody,
        response: { 201: BuildingDetail, 400: Err, 401: Err, 403: Err, 409: Err, 422: Err },
      },
    },
    async (req, reply) => reply.status(201).send(await buildings.create(req.user, req.body).catch(fail)),
  );

  app.post(
    '/api/buildings/:id/steps',
    {
      onRequest: app.requires('incident.read', { roles: STEP_ROLES, what: `take a step of a building; that is for ${STEP_ROLES.join(', ')}` }),
      schema: {
        tags: ['buildings'],
        summary: 'Take a stage step (核查 立案 责令 拆除 整改 销号 核查不实): 409 with the allowed steps when the stage does not allow it',
        description:
          'order needs `rectifyBy` (default: 15 working days), demolish `demolishedAreaM2` (at most what is left of the floor area), dismiss a `reason`. `evidenceIds` must be of the building or of a case joined to it.',
        security: [{ bearer: [] }],
        params: IntIdParams,
        body: BuildingStepBody,
        response: { 200: BuildingDetail, 400: Err, 401: Err, 403: Err, 404: Err, 409: Err, 422: Err },
      },
    },
    (req) => buildings.step(req.user, req.params.id, req.body).catch(fail),
  );

  app.post(
    '/api/buildings/:id/field-case',
    {
      onRequest: app.requires('incident.create', {
        roles: ['dispatcher', 'supervisor', 'admin'],
        what: 'send a field step out as a case; that is for dispatcher, supervisor, admin',
      }),
      schema: {
        tags: ['buildings'],
        summary: 'Send a field step (核查 / 拆除 / 巡查) out as a case, registered at once for dispatch; its close moves the building',
        description: '409 when the stage does not allow the step or an open case already carries it.',
        security: [{ bearer: [] }],
        params: IntIdParams,
        body: FieldCaseBody,
        response: { 201: CaseView, 400: Err, 401: Err, 403: Err, 404: Err, 409: Err, 422: Err },
      },
    },
    async (req, reply) => reply.status(201).send(await buildings.fieldCase(req.user, req.params.id, req.body).catch(fail)),
  );
};
