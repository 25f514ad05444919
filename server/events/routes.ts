import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { CATCH_UP_PAGE } from '#shared/cases/catch-up.ts';
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
          'Live events over socket.io carry the same `seq`. After a reconnect, ask for what came after the last seq you saw; page with the last seq of the answer while `more` is true. `head` is the newest seq in the whole log: a client far behind it (more than CATCH_UP_REPLAY_MAX events in its scope, shared/cases/catch-up.ts) reloads its state and resumes after `head` instead of replaying. `limit=0` answers only `more` and `head`.',
        security: [{ bearer: [] }],
        querystring: Type.Object(
          {
            after: Seq({ description: 'last seq you have; 0 for the start' }),
            limit: Type.Optional(
              Type.Integer({ minimum: 0, maximum: CATCH_UP_PAGE, default: 1000, description: 'events per page; 0 for only `more` and `head`' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            events: Type.Array(EventView),
            more: Type.Boolean(),
            head: Seq({ description: 'the newest seq in the whole log when the page was read' }),
          }),
        },
      },
    },
    (req) => events.after(req.user, req.query.after, req.query.limit ?? 1000),
  );
};
