import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type pg from 'pg';
import { Type } from 'typebox';
import { withTransaction } from '../db/transaction.ts';
import type { EventBus } from '../events/bus.ts';
import { appendEvents } from '../events/repository.ts';
import type { IncidentService } from '../incidents/service.ts';
import { BigIdParams } from '../../shared/id-schemas.ts';
import { EvidenceStore, type ImageMime, imageProblem, sniffImage } from './storage.ts';

export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
const MAX_PHOTOS = 6;

const EvidenceView = Type.Object({ id: Type.Integer(), sha256: Type.String(), mime: Type.String(), bytes: Type.Integer() });

export const evidenceRoutes: FastifyPluginAsyncTypebox<{ pool: pg.Pool; incidents: IncidentService; bus: EventBus; dir: string }> = async (app, { pool, incidents, bus, dir }) => {
  const store = new EvidenceStore(dir);
  await app.register(multipart, { limits: { fileSize: MAX_PHOTO_BYTES, files: MAX_PHOTOS, fields: 4, parts: MAX_PHOTOS + 4 } });

  app.post('/api/incidents/:id/evidence', {
    onRequest: app.requires('evidence.upload'),
    schema: {
      tags: ['cases'], summary: 'Attach photos (multipart, field "file"; JPEG, PNG or WebP, at most 10 MB each, 6 per request)',
      security: [{ bearer: [] }], consumes: ['multipart/form-data'],
      params: BigIdParams,
      response: { 201: Type.Array(EvidenceView), 400: Type.Ref('ErrorResponse'), 404: Type.Ref('ErrorResponse'), 413: Type.Ref('ErrorResponse'), 415: Type.Ref('ErrorResponse'), 422: Type.Ref('ErrorResponse') },
    },
  }, async (req, reply) => {
    const inc = await incidents.view(req.user, req.params.id);
    if (!inc) throw app.httpErrors.notFound(`no case ${req.params.id} that you can see`);
    const working = inc.officers.some((o) => o.officerId === req.user.officerId && ['pending', 'accepted'].includes(o.dispatchState));
    // the officer who reported a problem adds its photos until it is dispatched (上报问题 with photos)
    const reporter = ['reported', 'registered'].includes(inc.state)
      && (await pool.query(`SELECT 1 FROM incidents WHERE id = $1 AND reported_by = $2`, [inc.id, req.user.id])).rowCount === 1;
    if (req.user.role === 'officer' && !working && !reporter) {
      throw app.httpErrors.forbidden('only an officer working this case (or who reported it, until it is dispatched) may attach photos to it');
    }
    if (!req.isMultipart()) throw app.httpErrors.unsupportedMediaType('send multipart/form-data with one or more "file" parts');
    // Read every part before storing anything, so a bad file in the batch stores nothing.
    const parts: { bytes: Buffer; name: string }[] = [];
    let started = false;
    try {
      for await (const part of req.files()) {
        started = true;
        parts.push({ bytes: await part.toBuffer(), name: part.filename || 'a file' });
      }
    } catch (err) {
      throw uploadProblem(err, started, String(req.headers['content-type']));
    }
    if (parts.length === 0) throw app.httpErrors.badRequest('no "file" part in the upload');
    // Sniffed from the bytes (the declared type is not trusted), then decoded to the last pixel.
    const files: { bytes: Buffer; mime: ImageMime }[] = [];
    for (const { bytes, name } of parts) {
      const mime = sniffImage(bytes.subarray(0, 16));
      if (!mime) throw app.httpErrors.unsupportedMediaType(`${name} is not a JPEG, PNG or WebP photo`);
      const problem = await imageProblem(bytes, mime);
      if (problem) throw app.httpErrors.unprocessableEntity(`${name} ${problem}`);
      files.push({ bytes, mime });
    }
    const stored = await Promise.all(files.map(async (f) => ({ ...f, sha256: await store.put(f.bytes) })));
    const { saved, events } = await withTransaction(pool, async (db) => {
      const saved = [];
      for (const f of stored) {
        const res = await db.query<{ id: number }>(`
          INSERT INTO evidence (incident_id, sha256, mime, bytes, uploaded_by) VALUES ($1, $2, $3, $4, $5)
          ON CONFLICT (incident_id, sha256) DO UPDATE SET uploaded_at = evidence.uploaded_at RETURNING id`,
          [req.params.id, f.sha256, f.mime, f.bytes.length, req.user.id]);
        saved.push({ id: res.rows[0]!.id, sha256: f.sha256, mime: f.mime, bytes: f.bytes.length });
      }
      const events = await appendEvents(db, [{
        incidentId: inc.id, type: 'incident.evidence_added', actorUserId: req.user.id, districtAdcode: inc.districtAdcode,
        officerIds: req.user.officerId ? [req.user.officerId] : [], payload: { code: inc.code, evidence: saved },
      }]);
      return { saved, events };
    });
    bus.publish(events);
    return reply.status(201).send(saved);
  });

  app.get('/api/evidence/:id', {
    onRequest: app.requires('evidence.read'),
    schema: {
      tags: ['cases'], summary: 'A photo, to those who may see its case', security: [{ bearer: [] }],
      params: BigIdParams,
      response: {
        200: {
          description: 'the photo as uploaded (JPEG, PNG or WebP)',
          content: Object.fromEntries(['image/jpeg', 'image/png', 'image/webp'].map((type) => [type, { schema: { type: 'string', format: 'binary' } }])),
        },
        404: Type.Ref('ErrorResponse'),
      },
    },
  }, async (req, reply) => {
    const row = (await pool.query<{ incident_id: number; sha256: string; mime: string }>(`SELECT incident_id, sha256, mime FROM evidence WHERE id = $1`, [req.params.id])).rows[0];
    // A photo of a case you cannot see does not exist for you.
    if (!row || !(await incidents.view(req.user, row.incident_id))) throw app.httpErrors.notFound(`no photo ${req.params.id} that you can see`);
    return reply.type(row.mime).header('Cache-Control', 'private, max-age=86400, immutable').send(store.read(row.sha256));
  });
};

const MB = MAX_PHOTO_BYTES / 1024 / 1024;

/** A multipart parser error as a 4xx that says what is wrong with the upload (anything else stays a 500). */
function uploadProblem(err: unknown, started: boolean, contentType: string): Error {
  const e = err as Error & { code?: string; statusCode?: number; part?: { filename?: string } };
  const fail = (statusCode: number, message: string) => Object.assign(new Error(message), { statusCode });
  switch (e.code) {
    case 'FST_REQ_FILE_TOO_LARGE': return fail(413, `${e.part?.filename || 'a file'} is larger than ${MB} MB; send a smaller photo`);
    case 'FST_FILES_LIMIT': return fail(413, `at most ${MAX_PHOTOS} photos per upload; send the others in another request`);
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT': return fail(413, `too many parts: send at most ${MAX_PHOTOS} "file" parts and no more than 4 other fields`);
  }
  const message = e.message ?? '';
  if (/boundary not found/i.test(message)) {
    return fail(400, 'Content-Type multipart/form-data has no boundary: send Content-Type: multipart/form-data; boundary=<the line that separates the parts>');
  }
  if (/unexpected end|terminated early/i.test(message) || e.code === 'FST_MP_PREMATURE_CLOSE') {
    if (started) return fail(400, 'the upload ended before the file was complete (the body stops before its closing boundary); send it again');
    const boundary = /boundary=("?)([^";]+)\1/i.exec(contentType)?.[2];
    return fail(400, `no part of the body starts with the boundary of the Content-Type (${boundary ? `boundary=${boundary}` : 'none'}): the boundary does not match the body, or the body is not multipart`);
  }
  // the plugin's other errors carry their status (4xx); anything else is ours to look at (500)
  return e;
}
