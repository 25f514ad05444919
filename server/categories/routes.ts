import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { CategoryCatalogue } from '#shared/categories/catalogue.ts';
import type { CategoryService } from './service.ts';

const Err = Type.Ref('ErrorResponse');

export const categoryRoutes: FastifyPluginAsyncTypebox<{ categories: CategoryService }> = async (app, { categories }) => {
  app.get(
    '/api/categories',
    {
      // everyone who reads cases reads their categories (the console's pickers, the officer's report)
      onRequest: app.requires('incident.read'),
      schema: {
        tags: ['cases'],
        summary: 'The category catalogue in force (案件分类), by class: what intake takes as `category`',
        description: 'The catalogue is versioned data; a new version replaces this answer within 30 s. Cases keep the category they were reported under.',
        security: [{ bearer: [] }],
        response: { 200: CategoryCatalogue, 401: Err, 403: Err },
      },
    },
    () => categories.catalogue(),
  );
};
