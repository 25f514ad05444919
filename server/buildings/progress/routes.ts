import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { PROGRESS_DEFINITIONS, PROGRESS_GROUPINGS } from '#shared/buildings/progress.ts';
import { BuildingProgress, BuildingTarget } from '#shared/buildings/schemas.ts';
import type { BuildingProgressService } from './service.ts';

const Err = Type.Ref('ErrorResponse');
const errors = { 400: Err, 401: Err, 403: Err };
const scopeNote = 'A district-scoped user (a district leader) sees their district only; city users the whole city or one district (`district`).';
const Year = Type.Integer({ minimum: 2000, maximum: 2100, description: 'calendar year (Beijing time); default this year', examples: [2026] });
const District = Type.String({ pattern: '^[0-9]{6}$', maxLength: 6, description: 'district adcode', examples: ['510104'] });
const meaning = PROGRESS_DEFINITIONS.map((d) => `\`${d.key}\` ${d.name.zh}: ${d.definition.en}`).join(' ');

/** 控违拆违: yearly targets per district and progress against them, for leaders. */
export const buildingProgressRoutes: FastifyPluginAsyncTypebox<{ progress: BuildingProgressService }> = async (app, { progress }) => {
  app.get(
    '/api/buildings/targets',
    {
      onRequest: app.requires('leader.read'),
      schema: {
        tags: ['leader'],
        summary: "The year's targets per district (控违目标): stock to demolish (m², count), new construction allowed (0 = zero growth)",
        description: `Districts without a target are absent. ${scopeNote}`,
        querystring: Type.Object({ year: Type.Optional(Year), district: Type.Optional(District) }, { additionalProperties: false }),
        response: { 200: Type.Array(BuildingTarget), ...errors },
      },
    },
    (req) => progress.targets(req.user, req.query),
  );

  app.put(
    '/api/buildings/targets/:district/:year',
    {
      onRequest: app.requires('leader.read', { roles: ['admin', 'supervisor', 'leader'], what: 'set building targets' }),
      schema: {
        tags: ['leader'],
        summary: "Set a district's target for a year (admin, supervisors and leaders; a district-scoped one for their district only)",
        description:
          'The body is the whole target, naming the same district and year as the path. Replaces any earlier target; the change is written to the audit log (building.target_set) with before → after.',
        params: Type.Object({ district: District, year: Type.Integer({ minimum: 2000, maximum: 2100, examples: [2026] }) }, { additionalProperties: false }),
        body: Type.Object(BuildingTarget.properties, { additionalProperties: false }),
        response: { 200: BuildingTarget, ...errors, 404: Err },
      },
    },
    (req) => progress.putTarget(req.user, req.params.district, req.params.year, req.body),
  );

  app.get(
    '/api/buildings/progress',
    {
      onRequest: app.requires('leader.read'),
      schema: {
        tags: ['leader'],
        summary: 'Progress of the year against the targets (控违拆违进度), per district, street, squad or month, with the current stage breakdown',
        description:
          `${meaning} Rows: every district in scope (with its target), every month of the year, or the streets / squads with figures ('' = not placed). ` +
          `\`totals\` sums the rows and carries the sum of the targets in scope. \`byStage\`: buildings and footprint m² per stage and kind now. ${scopeNote}`,
        querystring: Type.Object(
          {
            year: Type.Optional(Year),
            by: Type.Optional(
              Type.Unsafe<(typeof PROGRESS_GROUPINGS)[number]>({ type: 'string', enum: [...PROGRESS_GROUPINGS], description: 'default district' }),
            ),
            district: Type.Optional(District),
          },
          { additionalProperties: false },
        ),
        response: { 200: BuildingProgress, ...errors },
      },
    },
    (req) => progress.progress(req.user, req.query),
  );
};
