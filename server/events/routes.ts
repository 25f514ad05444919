import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { EventView } from '#shared/cases/schemas.ts';
import { Seq } from '#shared/id-schemas.ts';
import type { EventService } from './service.ts';

export const eventRoutes: FastifyPluginAsyncTypebox<{ events: EventService }> = async (app, { events }) => {
  app.get(
    '/api/events',
    {
      onRequest: app.requires('events.read'),
      schema: {
        tags: ['live'],
        summary: 'Every event after `after` that you may see, in seq order: what a client that was away missed',
        description:
          'Live events over socket.io carry the same `seq`. After a reconnect, ask for everything after the last seq you saw; page with the last seq of the answer while `more` is true.',
        security: [{ bearer: [] }],
        querystring: Type.Object(
          {
            after: Seq({ description: 'last seq you have; 0 for the start' }),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, default: 1000 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ events: Type.Array(EventView), more: Type.Boolean() }) },
      },
    },
    (req) => events.after(req.user, req.query.after, req.query.limit ?? 1000),
  );
};
