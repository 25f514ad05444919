import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { startView } from '#shared/map-home.ts';
import { ClientConfig } from '#shared/system-schemas.ts';
import type { BasemapService } from '../basemap/service.ts';
import type { GeoRepository } from '../geo/repository.ts';

/** Where the console map starts and which basemap it draws on (none: our own offline style). */
export const clientConfigRoutes: FastifyPluginAsyncTypebox<{
  mapStyleUrl: string | null;
  publicMapLayers: boolean;
  geo: GeoRepository;
  basemap: BasemapService;
}> = async (app, { mapStyleUrl, publicMapLayers, geo, basemap }) => {
  app.get(
    '/api/config',
    {
      config: { public: 'the console reads it before anyone logs in' },
      schema: {
        tags: ['system'],
        summary: 'Console map configuration',
        description:
          "Where the console map starts (center, zoom, the name of that view: the districts the database holds, or the demo city's 天府广场), which basemap style it draws on (none: the offline style, with Zhihui's own streets when `basemap`) and whether map layers are public; readable before login.",
        response: {
          200: ClientConfig,
        },
      },
    },
    async () => {
      // from what the database holds now: a city that imports its districts opens on them
      const { demo, extent } = await geo.cityExtent();
      return { mapStyleUrl, publicMapLayers, demo, basemap: await basemap.built(), ...startView(demo, extent) };
    },
  );
};
