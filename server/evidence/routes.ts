import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type pg from 'pg';
import { Type } from 'typebox';
import { withTransaction } from '../db/transaction.ts';
import type { EventBus } from '../events/bus.ts';
import { appendEvents } from '../events/repository.ts';
import type { IncidentService } from '../incidents/service.ts';
import { EvidenceStore, sniffImage } from './storage.ts';

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
      params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
      response: { 201: Type.Array(EvidenceView), 400: Type.Ref('ErrorResponse'), 404: Type.Ref('ErrorResponse'), 413: Type.Ref('ErrorResponse'), 415: Type.Ref('ErrorResponse') },
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
    const files: { bytes: Buffer; mime: string }[] = [];
    for await (const part of req.files()) {
      let bytes: Buffer;
      try {
        bytes = await part.toBuffer();
      } catch {
        throw app.httpErrors.payloadTooLarge(`${part.filename || 'a file'} is larger than ${MAX_PHOTO_BYTES / 1024 / 1024} MB; send a smaller photo`);
      }
      const mime = sniffImage(bytes.subarray(0, 16));
      if (!mime) throw app.httpErrors.unsupportedMediaType(`${part.filename || 'a file'} is not a JPEG, PNG or WebP photo`);
      files.push({ bytes, mime });
    }
    if (files.length === 0) throw app.httpErrors.badRequest('no "file" part in the upload');
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
      params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
      response: { 404: Type.Ref('ErrorResponse') },
    },
  }, async (req, reply) => {
    const row = (await pool.query<{ incident_id: number; sha256: string; mime: string }>(`SELECT incident_id, sha256, mime FROM evidence WHERE id = $1`, [req.params.id])).rows[0];
    // A photo of a case you cannot see does not exist for you.
    if (!row || !(await incidents.view(req.user, row.incident_id))) throw app.httpErrors.notFound(`no photo ${req.params.id} that you can see`);
    return reply.type(row.mime).header('Cache-Control', 'private, max-age=86400, immutable').send(store.read(row.sha256));
  });
};
