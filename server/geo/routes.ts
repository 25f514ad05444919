import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { parseBbox } from '#shared/bbox.ts';
import { AreaGeometry, DistrictProps, featureCollection, GridCellProps, IllegalBuildingProps, KeyAreaProps } from '#shared/geo-schemas.ts';
import { sendJsonText } from '../http/json-text.ts';
import { BboxQuery, errorResponses } from '../http/schemas.ts';
import type { GeoRepository } from './repository.ts';

export const geoRoutes: FastifyPluginAsyncTypebox<{ repo: GeoRepository; publicMap: boolean }> = async (app, { repo, publicMap }) => {
  const onRequest = app.requires('map.read', { public: publicMap });
  const bboxOrThrow = (text: string) => {
    const parsed = parseBbox(text);
    if (!parsed.ok) throw app.httpErrors.badRequest(parsed.message);
    return parsed.value;
  };

  app.get(
    '/api/districts',
    {
      onRequest,
      schema: {
        tags: ['map'],
        summary: 'District boundaries (区)',
        description: 'Every district this system serves as a GeoJSON FeatureCollection in WGS84.',
        response: { 200: featureCollection(DistrictProps, AreaGeometry) },
      },
    },
    async (_req, reply) => sendJsonText(reply, await repo.districts()),
  );

  app.get(
    '/api/grid-cells',
    {
      onRequest,
      schema: {
        tags: ['map'],
        summary: 'Unit grid cells (单元网格) meeting a bounding box',
        description:
          'Current cells whose geometry meets `bbox` (WGS84), at most `limit`; `truncated` says when more cells met it, so zoom in or raise the limit.',
        querystring: BboxQuery,
        response: { 200: featureCollection(GridCellProps, AreaGeometry, { truncatable: true }), ...errorResponses },
      },
    },
    async (req, reply) => sendJsonText(reply, await repo.gridCells(bboxOrThrow(req.query.bbox), req.query.limit ?? 5_000)),
  );

  app.get(
    '/api/illegal-buildings',
    {
      onRequest,
      schema: {
        tags: ['map'],
        summary: 'Illegal-building footprints (违法建设) meeting a bounding box',
        description: 'Footprints meeting `bbox` (WGS84) with their stage and party, at most `limit`; `truncated` says when more met it.',
        querystring: BboxQuery,
        response: { 200: featureCollection(IllegalBuildingProps, AreaGeometry, { truncatable: true }), ...errorResponses },
      },
    },
    async (req, reply) => sendJsonText(reply, await repo.illegalBuildings(bboxOrThrow(req.query.bbox), req.query.limit ?? 5_000)),
  );

  app.get(
    '/api/key-areas',
    {
      onRequest,
      schema: {
        tags: ['map'],
        summary: 'Key areas (重点地区); listed ones unless all=true',
        description: 'Key-area polygons with their level, kind and complaints baseline; `all=true` adds the areas no longer listed.',
        querystring: Type.Object({ all: Type.Optional(Type.Boolean({ default: false })) }, { additionalProperties: false }),
        response: { 200: featureCollection(KeyAreaProps, AreaGeometry), ...errorResponses },
      },
    },
    async (req, reply) => sendJsonText(reply, await repo.keyAreas({ includeInactive: req.query.all ?? false })),
  );
};
