import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Static, type TSchema, Type } from 'typebox';
import { CASE_ACTIONS, type CaseAction, STEPS } from '#shared/cases/state-machine.ts';
import { CASE_STATES } from '#shared/cases/states.ts';
import {
  Candidate,
  DuplicatesPreview,
  DuplicatesQuery,
  EscalateBody,
  EventView,
  CaseView,
  IntakeBody,
  IntakeResponse,
  MergeBody,
  ReassignBody,
  StepBody,
} from '#shared/cases/schemas.ts';
import { StringEnum } from '../http/schemas.ts';
import { BigId, BigIdParams } from '#shared/id-schemas.ts';
import { CaseError, type CaseService, type StepInput } from './service.ts';

const Err = Type.Ref('ErrorResponse');
const Params = BigIdParams;

/** Steps whose body has required fields of its own; the others take the optional StepBody. */
const STEP_BODIES: Partial<Record<CaseAction, TSchema>> = { merge: MergeBody, escalate: EscalateBody, reassign: ReassignBody };

export const caseRoutes: FastifyPluginAsyncTypebox<{ cases: CaseService }> = async (app, { cases }) => {
  const fail = (err: unknown): never => {
    if (err instanceof CaseError) throw app.httpErrors.createError(err.status, err.message, { allowed: err.allowed });
    throw err;
  };

  app.post(
    '/api/incidents',
    {
      onRequest: app.requires('incident.create'),
      schema: {
        tags: ['cases'],
        summary: 'Report a case (intake): located, prioritised and timed by the server',
        description: 'Send `Idempotency-Key` to make retries safe: the same key returns the first case (200) instead of a second one.',
        security: [{ bearer: [] }],
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 128 })) }),
        body: IntakeBody,
        response: {
          201: IntakeResponse,
          200: IntakeResponse,
          400: Err,
          401: Err,
          403: Err,
          422: Err,
        },
      },
    },
    async (req, reply) => {
      const r = await cases.intake(req.user, req.body, req.headers['idempotency-key'] ?? null).catch(fail);
      const body: Static<typeof IntakeResponse> = { incident: r.incident, possibleDuplicates: r.duplicates, replayed: r.replayed };
      return reply.status(r.replayed ? 200 : 201).send(body);
    },
  );

  app.get(
    '/api/incidents',
    {
      onRequest: app.requires('incident.read'),
      schema: {
        tags: ['cases'],
        summary: 'Cases you may see, most urgent first',
        description:
          'Scoped by the case rule: a district user sees their district, a city-wide one every district, an officer the cases sent to them or reported by them. `afterId` pages in id order.',
        security: [{ bearer: [] }],
        querystring: Type.Object(
          {
            open: Type.Optional(Type.Boolean({ description: 'only cases not closed or voided' })),
            state: Type.Optional(StringEnum(CASE_STATES)),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 200 })),
            afterId: Type.Optional(
              BigId({ minimum: 0, description: 'keyset paging: cases with a higher id, in id order (pass the last id of the previous page)' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(CaseView), 401: Err, 403: Err },
      },
    },
    (req) => cases.list(req.user, req.query),
  );

  app.get(
    '/api/incidents/duplicates',
    {
      onRequest: app.requires('incident.triage'),
      schema: {
        tags: ['cases'],
        summary: 'Before saving a report: where it would be located, and the open cases of its category within 50 m and 24 h (重复案件)',
        description:
          'The same lookup and duplicate rule intake applies. `location` is null for a point outside every district served (intake would answer 422). A district-scoped user sees duplicates in their district only.',
        security: [{ bearer: [] }],
        querystring: DuplicatesQuery,
        response: { 200: DuplicatesPreview, 400: Err, 401: Err, 403: Err },
      },
    },
    (req) => cases.previewIntake(req.user, req.query).catch(fail),
  );

  app.get(
    '/api/incidents/:id',
    {
      onRequest: app.requires('incident.read'),
      schema: {
        tags: ['cases'],
        summary: 'One case, with the steps you may take now',
        description:
          "`allowedSteps` lists the steps your role may take in the case's current state; a case outside your scope answers 404, as one that does not exist.",
        security: [{ bearer: [] }],
        params: Params,
        response: { 200: CaseView, 404: Err },
      },
    },
    async (req) => (await cases.view(req.user, req.params.id)) ?? app.httpErrors.notFound(`no case ${req.params.id} that you can see`),
  );

  app.get(
    '/api/incidents/:id/events',
    {
      onRequest: app.requires('incident.read'),
      schema: {
        tags: ['cases'],
        summary: 'The full record of a case (执法全过程记录)',
        description: 'Every event of the case, oldest first, each with its typed payload (the same union GET /api/events and the live feed carry).',
        security: [{ bearer: [] }],
        params: Params,
        response: { 200: Type.Array(EventView), 404: Err },
      },
    },
    async (req) => (await cases.events(req.user, req.params.id)) ?? app.httpErrors.notFound(`no case ${req.params.id} that you can see`),
  );

  app.get(
    '/api/incidents/:id/recommendations',
    {
      onRequest: app.requires('incident.recommend'),
      schema: {
        tags: ['dispatch'],
        summary: 'Who to send: the responsible squad first, then the available officers with a fresh position who get there soonest',
        description:
          "A district-scoped dispatcher is offered only their district's officers; each candidate says its squad, distance in metres, whether it holds an enforcement certificate and whether it is of the responsible squad (属地), and its travel time: `etaMethod` network where the database has pgRouting and a road network is loaded (the nearest 20 by straight line are routed and re-ranked), estimate (straight line × 1.4 at the mode's average speed) elsewhere.",
        security: [{ bearer: [] }],
        params: Params,
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 10 })) }, { additionalProperties: false }),
        response: { 200: Type.Array(Candidate), 404: Err },
      },
    },
    async (req) =>
      (await cases.recommendations(req.user, req.params.id, req.query.limit ?? 10)) ?? app.httpErrors.notFound(`no case ${req.params.id} that you can see`),
  );

  for (const action of CASE_ACTIONS) {
    const rule = STEPS[action];
    app.post(
      `/api/incidents/:id/${action}`,
      {
        // the step's roles at the door; its state and the case's scope in the service
        onRequest: app.requires('incident.read', { roles: rule.roles, what: `${action} (${rule.zh}); that is for ${rule.roles.join(', ')}` }),
        schema: {
          tags: ['cases'],
          summary: `${rule.zh} ${rule.en}: ${rule.from.join('|')} → ${rule.to ?? '(same state)'}; roles ${rule.roles.join(', ')}`,
          description:
            'Send `Idempotency-Key` to make a resend safe: a step already taken under that key answers the case as it is now, with the header `Idempotent-Replayed: true`.',
          security: [{ bearer: [] }],
          params: Params,
          body: STEP_BODIES[action] ?? Type.Optional(StepBody),
          headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 128 })) }),
          response: { 200: CaseView, 400: Err, 403: Err, 404: Err, 409: Err, 422: Err },
        },
      },
      async (req, reply) => {
        const view = await cases.step(req.user, req.params.id, action, (req.body ?? {}) as StepInput, req.headers['idempotency-key'] ?? null).catch(fail);
        if (view.replayed) reply.header('idempotent-replayed', 'true');
        return view;
      },
    );
  }
};
