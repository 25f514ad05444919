import crypto from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errorResponses, StringEnum } from '../http/schemas.ts';
import { TILE_LAYER_NAMES, tileAddressProblem } from './layers.ts';
import type { TileRepository } from './repository.ts';

const MVT = 'application/vnd.mapbox-vector-tile';

export const tileRoutes: FastifyPluginAsyncTypebox<{ repo: TileRepository; publicMap: boolean }> = async (app, { repo, publicMap }) => {
  app.get(
    '/api/tiles/:layer/:z/:x/:y.pbf',
    {
      onRequest: app.requires('map.read', { public: publicMap }),
      // a wall screen panning across the city asks for dozens of tiles a second; they are cheap
      config: { rateLimit: false },
      schema: {
        tags: ['map'],
        summary: 'Vector tiles (MVT 2.1) of grid cells (z 12–22) and illegal buildings (z 10–22)',
        description:
          'Source layers `grid_cells` and `illegal_buildings`; each feature has the row id as its id and the properties ' +
          'of /api/grid-cells or /api/illegal-buildings. A tile with no feature answers 204 No Content.',
        params: Type.Object({
          layer: StringEnum(TILE_LAYER_NAMES),
          z: Type.Integer({ minimum: 0, maximum: 22, examples: [14] }),
          x: Type.Integer({ minimum: 0, maximum: 2 ** 22 - 1, description: 'column, 0 to 2^z − 1', examples: [12928] }),
          y: Type.Integer({ minimum: 0, maximum: 2 ** 22 - 1, description: 'row, 0 to 2^z − 1', examples: [6725] }),
        }),
        response: {
          200: { description: 'the tile, not compressed', content: { [MVT]: { schema: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }) } } },
          204: Type.Null({ description: 'no feature in this tile' }),
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const { layer, z, x, y } = req.params;
      const problem = tileAddressProblem(layer, z, x, y);
      if (problem) throw app.httpErrors.badRequest(problem);
      const tile = await repo.tile(layer, z, x, y);
      reply.header('cache-control', `${publicMap ? 'public' : 'private'}, max-age=60`);
      // MapLibre takes 204 as an empty tile; no body to hash.
      if (tile.length === 0) return reply.code(204).send(null);
      const etag = `"${crypto.createHash('sha1').update(tile).digest('base64url')}"`;
      reply.header('etag', etag);
      if (req.headers['if-none-match'] === etag) return reply.code(304).send();
      return reply.type(MVT).send(tile);
    },
  );
};
