import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { BigIdParams, IntIdParams } from '#shared/id-schemas.ts';
import { Problem } from '../http/problem.ts';
import type { EvidenceService, UploadedFile } from './service.ts';

/** A stored photo's bytes as GET answers them, for a case's photos and a building's alike. */
const PHOTO_BYTES = {
  description: 'the photo as uploaded (JPEG, PNG or WebP)',
  content: Object.fromEntries(['image/jpeg', 'image/png', 'image/webp'].map((type) => [type, { schema: { type: 'string', format: 'binary' } }])),
};

export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
const MAX_PHOTOS = 6;

const EvidenceView = Type.Object({ id: Type.Integer(), sha256: Type.String(), mime: Type.String(), bytes: Type.Integer() });

export const evidenceRoutes: FastifyPluginAsyncTypebox<{ evidence: EvidenceService }> = async (app, { evidence }) => {
  await app.register(multipart, { limits: { fileSize: MAX_PHOTO_BYTES, files: MAX_PHOTOS, fields: 4, parts: MAX_PHOTOS + 4 } });

  app.post(
    '/api/incidents/:id/evidence',
    {
      onRequest: app.requires('evidence.upload'),
      schema: {
        tags: ['cases'],
        summary: 'Attach photos (multipart, field "file"; JPEG, PNG or WebP, at most 10 MB each, 6 per request)',
        description:
          'Each photo is stored with its SHA-256 and an `incident.evidence_added` event is appended to the case record; the answer lists the stored photos.',
        security: [{ bearer: [] }],
        consumes: ['multipart/form-data'],
        params: BigIdParams,
        response: {
          201: Type.Array(EvidenceView),
          400: Type.Ref('ErrorResponse'),
          404: Type.Ref('ErrorResponse'),
          413: Type.Ref('ErrorResponse'),
          415: Type.Ref('ErrorResponse'),
          422: Type.Ref('ErrorResponse'),
        },
      },
    },
    async (req, reply) => reply.status(201).send(await evidence.attach(req.user, req.params.id, () => readUpload(req))),
  );

  app.get(
    '/api/evidence/:id',
    {
      onRequest: app.requires('evidence.read'),
      schema: {
        tags: ['cases'],
        summary: 'A photo, to those who may see its case',
        description: 'The bytes as uploaded, with their media type; cacheable privately for a day, since a stored photo never changes.',
        security: [{ bearer: [] }],
        params: BigIdParams,
        response: {
          200: PHOTO_BYTES,
          404: Type.Ref('ErrorResponse'),
        },
      },
    },
    async (req, reply) => {
      const { mime, file } = await evidence.photo(req.user, req.params.id);
      return reply.type(mime).header('Cache-Control', 'private, max-age=86400, immutable').send(file);
    },
  );
};

const BuildingPhotoParams = Type.Object(
  { id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }), evidenceId: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) },
  { additionalProperties: false },
);

/** Photos of an illegal building (巡查, stage evidence): the same checks, limits and store as a case's. */
export const buildingEvidenceRoutes: FastifyPluginAsyncTypebox<{ evidence: EvidenceService }> = async (app, { evidence }) => {
  await app.register(multipart, { limits: { fileSize: MAX_PHOTO_BYTES, files: MAX_PHOTOS, fields: 4, parts: MAX_PHOTOS + 4 } });

  app.post(
    '/api/buildings/:id/evidence',
    {
      onRequest: app.requires('evidence.upload'),
      schema: {
        tags: ['buildings'],
        summary: 'Attach photos to an illegal building (multipart, field "file"; JPEG, PNG or WebP, at most 10 MB each, 6 per request)',
        description:
          "Recorded at the building's current stage, with no case. An officer attaches to a building their squad patrols or a case about it sends them to; others within their district. Send the ids with the inspection or the stage step they document.",
        security: [{ bearer: [] }],
        consumes: ['multipart/form-data'],
        params: IntIdParams,
        response: {
          201: Type.Array(EvidenceView),
          400: Type.Ref('ErrorResponse'),
          404: Type.Ref('ErrorResponse'),
          413: Type.Ref('ErrorResponse'),
          415: Type.Ref('ErrorResponse'),
          422: Type.Ref('ErrorResponse'),
        },
      },
    },
    async (req, reply) => reply.status(201).send(await evidence.attachToBuilding(req.user, req.params.id, () => readUpload(req))),
  );

  app.get(
    '/api/buildings/:id/evidence/:evidenceId',
    {
      onRequest: app.requires('evidence.read'),
      schema: {
        tags: ['buildings'],
        summary: 'A photo of an illegal building, to those who may see the building',
        description:
          'The bytes as uploaded, with their media type. An officer sees the photos of a building their squad patrols or a case about it sends them to; others within their district.',
        security: [{ bearer: [] }],
        params: BuildingPhotoParams,
        response: {
          200: PHOTO_BYTES,
          404: Type.Ref('ErrorResponse'),
        },
      },
    },
    async (req, reply) => {
      const { mime, file } = await evidence.buildingPhoto(req.user, req.params.id, req.params.evidenceId);
      return reply.type(mime).header('Cache-Control', 'private, max-age=86400, immutable').send(file);
    },
  );
};

/** Every "file" part of a multipart upload, read whole (a parser error becomes a 4xx that says what is wrong). */
async function readUpload(req: FastifyRequest): Promise<UploadedFile[]> {
  if (!req.isMultipart()) throw new Problem(415, 'send multipart/form-data with one or more "file" parts');
  const parts: UploadedFile[] = [];
  let started = false;
  try {
    for await (const part of req.files()) {
      started = true;
      parts.push({ bytes: await part.toBuffer(), name: part.filename || 'a file' });
    }
  } catch (err) {
    throw uploadProblem(err, started, String(req.headers['content-type']));
  }
  return parts;
}

const MB = MAX_PHOTO_BYTES / 1024 / 1024;

/** A multipart parser error as a 4xx that says what is wrong with the upload (anything else stays a 500). */
function uploadProblem(err: unknown, started: boolean, contentType: string): Error {
  const e = err as Error & { code?: string; statusCode?: number; part?: { filename?: string } };
  const fail = (statusCode: number, message: string) => Object.assign(new Error(message), { statusCode });
  switch (e.code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return fail(413, `${e.part?.filename || 'a file'} is larger than ${MB} MB; send a smaller photo`);
    case 'FST_FILES_LIMIT':
      return fail(413, `at most ${MAX_PHOTOS} photos per upload; send the others in another request`);
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return fail(413, `too many parts: send at most ${MAX_PHOTOS} "file" parts and no more than 4 other fields`);
  }
  const message = e.message ?? '';
  if (/boundary not found/i.test(message)) {
    return fail(400, 'Content-Type multipart/form-data has no boundary: send Content-Type: multipart/form-data; boundary=<the line that separates the parts>');
  }
  if (/unexpected end|terminated early/i.test(message) || e.code === 'FST_MP_PREMATURE_CLOSE') {
    if (started) return fail(400, 'the upload ended before the file was complete (the body stops before its closing boundary); send it again');
    const boundary = /boundary=("?)([^";]+)\1/i.exec(contentType)?.[2];
    return fail(
      400,
      `no part of the body starts with the boundary of the Content-Type (${boundary ? `boundary=${boundary}` : 'none'}): the boundary does not match the body, or the body is not multipart`,
    );
  }
  // the plugin's other errors carry their status (4xx); anything else is ours to look at (500)
  return e;
}
