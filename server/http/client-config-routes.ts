import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ClientConfig } from '#shared/system-schemas.ts';

/** Where the console map starts and which basemap it draws on (none: our own offline style). */
export const clientConfigRoutes: FastifyPluginAsyncTypebox<{ mapStyleUrl: string | null; publicMapLayers: boolean }> = async (
  app,
  { mapStyleUrl, publicMapLayers },
) => {
  app.get(
    '/api/config',
    {
      config: { public: 'the console reads it before anyone logs in' },
      schema: {
        tags: ['system'],
        summary: 'Console map configuration',
        description:
          'Where the console map starts (center, zoom), which basemap style it draws on (none: the offline style) and whether map layers are public; readable before login.',
        response: {
          200: ClientConfig,
        },
      },
    },
    async () => ({ mapStyleUrl, center: [104.065, 30.66] as [number, number], zoom: 13.2, publicMapLayers }),
  );
};
