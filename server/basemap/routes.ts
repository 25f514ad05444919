// GET /api/basemap/style, /tiles/{z}/{x}/{y}.pbf and /fonts/{fontstack}/{range}.pbf: Zhihui's own
// offline basemap (server/basemap). Login as for the other map layers: the street map is map data, so
// a session with `map.read` (the cookie goes with MapLibre's same-origin requests, the console also sends
// its token), or anyone with PUBLIC_MAP_LAYERS=true.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { BASEMAP_THEMES } from '#shared/basemap-style.ts';
import { errorResponses, StringEnum } from '../http/schemas.ts';
import type { BasemapService } from './service.ts';

const MVT = 'application/vnd.mapbox-vector-tile';
const PBF = 'application/x-protobuf';
const Err = Type.Ref('ErrorResponse');
const NOT_BUILT = 'no basemap has been built: run `npm run basemap -- <extract.osm.pbf | roads.geojson>` (the demo city builds its own at start)';

export const basemapRoutes: FastifyPluginAsyncTypebox<{ basemap: BasemapService; publicMap: boolean }> = async (app, { basemap, publicMap }) => {
  const cache = (seconds: number) => `${publicMap ? 'public' : 'private'}, max-age=${seconds}`;

  app.get(
    '/api/basemap/style',
    {
      onRequest: app.requires('map.read', { public: publicMap }),
      schema: {
        tags: ['map'],
        summary: "The MapLibre style of Zhihui's offline basemap",
        description:
          "A MapLibre style (version 8) over this server's basemap tiles and glyphs: `dark` for the wall console, `light` for phones. " +
          'The source `zhihui-basemap` carries the attribution (© OpenStreetMap contributors for OSM data) and, for the demo city, the note ' +
          'that its basemap is partial (zh-CN first, English second; also in `metadata["zhihui:note"]`). Layer ids start with `bm-`. 404 when no basemap is built.',
        querystring: Type.Object(
          { theme: Type.Optional(StringEnum(BASEMAP_THEMES, { description: 'dark (wall console, the default) or light (phones)', default: 'dark' })) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Unsafe<Record<string, unknown>>({ type: 'object', description: 'a MapLibre style document', additionalProperties: true }),
          404: Err,
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const origin = `${req.protocol}://${req.host}`;
      const style = await basemap.style(req.query.theme ?? 'dark', origin);
      if (!style) throw app.httpErrors.notFound(NOT_BUILT);
      reply.header('cache-control', cache(60));
      return style;
    },
  );

  app.get(
    '/api/basemap/tiles/:z/:x/:y.pbf',
    {
      onRequest: app.requires('map.read', { public: publicMap }),
      // a map panning the streets asks for dozens of tiles a second; they are cheap
      config: { rateLimit: false },
      schema: {
        tags: ['map'],
        summary: 'Basemap vector tiles (MVT 2.1)',
        description:
          'Source layers `roads` (name, name_en, class, ref, link), `water` (name, class), `rail` (class, name) and `places` (name, name_en, class), ' +
          'from the PMTiles archive under DATA_DIR/basemap. A tile with nothing in it answers 204 No Content (MapLibre draws it empty); ' +
          '404 when no basemap is built.',
        params: Type.Object({
          z: Type.Integer({ minimum: 0, maximum: 22, examples: [15] }),
          x: Type.Integer({ minimum: 0, maximum: 2 ** 22 - 1, description: 'column, 0 to 2^z − 1', examples: [25856] }),
          y: Type.Integer({ minimum: 0, maximum: 2 ** 22 - 1, description: 'row, 0 to 2^z − 1', examples: [13452] }),
        }),
        response: {
          200: { description: 'the tile, not compressed', content: { [MVT]: { schema: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }) } } },
          204: Type.Null({ description: 'nothing in this tile' }),
          404: Err,
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const { z, x, y } = req.params;
      const last = 2 ** z - 1;
      if (x > last || y > last)
        throw app.httpErrors.badRequest(`${x > last ? 'x' : 'y'} ${x > last ? x : y} is out of range at z ${z}: it must be from 0 to ${last}`);
      const tile = await basemap.tile(z, x, y);
      if (!tile) throw app.httpErrors.notFound(NOT_BUILT);
      reply.header('cache-control', cache(300));
      if (tile.bytes.length === 0) return reply.code(204).send(null);
      reply.header('etag', tile.etag);
      if (req.headers['if-none-match'] === tile.etag) return reply.code(304).send();
      return reply.type(MVT).send(tile.bytes);
    },
  );

  app.get(
    '/api/basemap/fonts/:fontstack/:range.pbf',
    {
      onRequest: app.requires('map.read', { public: publicMap }),
      config: { rateLimit: false },
      schema: {
        tags: ['map'],
        summary: "Glyphs (SDF, 256 code points) for the basemap's labels",
        description:
          'Made at build time with fontnik from an open CJK font, only for the ranges the labels use (and 0–255). A comma-separated stack is answered ' +
          'from its first font. 404 for a range or font the build did not make.',
        params: Type.Object({
          fontstack: Type.String({
            minLength: 1,
            maxLength: 96,
            pattern: '^[A-Za-z0-9 ,_-]+$',
            description: 'font names, comma-separated',
            examples: ['WenQuanYi Micro Hei Regular'],
          }),
          range: Type.String({
            maxLength: 13,
            pattern: '^[0-9]{1,5}-[0-9]{1,5}$',
            description: 'first-last code point, 256 of them',
            examples: ['0-255'],
          }),
        }),
        response: {
          200: { description: 'the glyph range (protobuf)', content: { [PBF]: { schema: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }) } } },
          404: Err,
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const { fontstack, range } = req.params;
      const [start, end] = range.split('-').map(Number) as [number, number];
      if (start % 256 !== 0 || end !== start + 255 || end > 0xffff) {
        throw app.httpErrors.badRequest(`range ${range} is not a glyph range: it must be N-(N+255) with N a multiple of 256 up to 65280, e.g. 0-255`);
      }
      const g = basemap.glyphs(fontstack, range);
      if (!g) throw app.httpErrors.notFound(`no glyphs ${range} for "${fontstack}": the basemap's labels do not use that range, or no basemap is built`);
      reply.header('cache-control', cache(3600));
      reply.header('etag', g.etag);
      if (req.headers['if-none-match'] === g.etag) return reply.code(304).send();
      return reply.type(PBF).send(g.bytes);
    },
  );
};
