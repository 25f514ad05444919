import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { normalizePlaceText } from '#shared/geocode/normalize.ts';
import { GeocodeSearchQuery, GeocodeSearchResponse, PlaceContextSchema, QUERY_MAX_CHARS, ReverseGeocodeQuery } from '#shared/geocode/schemas.ts';
import type { GeocodeService } from './service.ts';

const Err = Type.Ref('ErrorResponse');

export const geocodeRoutes: FastifyPluginAsyncTypebox<{ geocode: GeocodeService }> = async (app, { geocode }) => {
  const onRequest = app.requires('map.read');

  app.get(
    '/api/geocode/search',
    {
      onRequest,
      schema: {
        tags: ['map'],
        summary: 'Find a place by what the caller says (地名地址查询): roads, intersections, addresses, grid codes, key areas',
        description:
          'Searches the gazetteer: every reading of `q` (the whole text; an intersection of two roads in either order; a road and house number; a grid code prefix), ranked by how well the text matches, then by nearness to `lon`,`lat` when given. `{ hits: [] }` when nothing matches.',
        security: [{ bearer: [] }],
        querystring: GeocodeSearchQuery,
        response: { 200: GeocodeSearchResponse, 400: Err, 401: Err, 403: Err },
      },
    },
    async (req) => {
      const { q, lon, lat, limit } = req.query;
      if ([...q].length > QUERY_MAX_CHARS) throw app.httpErrors.badRequest(`q is too long: at most ${QUERY_MAX_CHARS} characters`);
      if (!normalizePlaceText(q)) throw app.httpErrors.badRequest('q must name a place: it has only spaces or punctuation');
      if ((lon === undefined) !== (lat === undefined)) throw app.httpErrors.badRequest('lon and lat go together: give both or neither');
      return { hits: await geocode.search({ q, lon: lon ?? null, lat: lat ?? null, limit: limit ?? 10 }) };
    },
  );

  app.get(
    '/api/geocode/reverse',
    {
      onRequest,
      schema: {
        tags: ['map'],
        summary: 'What a point is known by (逆地理编码): its nearest intersection or road, and its district, street, community and grid cell',
        description:
          'The landmark is the nearest named intersection within 150 m, else the nearest named road within 500 m (null beyond), with geodesic metres and the bearing from the landmark to the point. WGS84.',
        security: [{ bearer: [] }],
        querystring: ReverseGeocodeQuery,
        response: { 200: PlaceContextSchema, 400: Err, 401: Err, 403: Err },
      },
    },
    (req) => geocode.reverse({ lon: req.query.lon, lat: req.query.lat }),
  );
};
