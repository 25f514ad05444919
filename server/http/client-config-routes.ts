import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';

/** Where the console map starts and which basemap it draws on (none: our own offline style). */
export const clientConfigRoutes: FastifyPluginAsyncTypebox<{ mapStyleUrl: string | null }> = async (app, { mapStyleUrl }) => {
  app.get('/api/config', {
    schema: {
      tags: ['system'], summary: 'Console map configuration',
      response: {
        200: Type.Object({
          mapStyleUrl: Type.Union([Type.String(), Type.Null()]),
          center: Type.Tuple([Type.Number(), Type.Number()]),
          zoom: Type.Number(),
        }),
      },
    },
  }, async () => ({ mapStyleUrl, center: [104.065, 30.66] as [number, number], zoom: 13.2 }));
};
