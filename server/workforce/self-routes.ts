import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type pg from 'pg';
import { Type } from 'typebox';
import { CRS_VALUES } from '../../shared/cases/schemas.ts';
import { withTransaction } from '../db/transaction.ts';
import type { EventBus } from '../events/bus.ts';
import { appendEvents } from '../events/repository.ts';
import { StringEnum } from '../http/schemas.ts';
import { toWgs84 } from '../incidents/service.ts';
import { PositionRefused, type PositionService } from './positions.ts';

const Err = Type.Ref('ErrorResponse');

/** What an officer's phone does for itself: report its position, go on and off duty. */
export const officerSelfRoutes: FastifyPluginAsyncTypebox<{ pool: pg.Pool; positions: PositionService; bus: EventBus }> = async (app, { pool, positions, bus }) => {
  app.post('/api/officers/me/position', {
    onRequest: app.requires('officer.self'),
    config: { rateLimit: false },
    schema: {
      tags: ['live'], summary: 'Report my position (AVL), at most once a second', security: [{ bearer: [] }],
      body: Type.Object({
        lon: Type.Number({ minimum: -180, maximum: 180 }), lat: Type.Number({ minimum: -90, maximum: 90 }),
        crs: Type.Optional(StringEnum(CRS_VALUES)), accuracy: Type.Optional(Type.Number({ minimum: 0, maximum: 100_000 })),
        recordedAt: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })),
      }, { additionalProperties: false }),
      response: { 202: Type.Object({ accepted: Type.Literal(true) }), 400: Err, 422: Err, 429: Err },
    },
  }, async (req, reply) => {
    const [lon, lat] = toWgs84(req.body.lon, req.body.lat, req.body.crs ?? 'wgs84');
    const recordedAt = req.body.recordedAt ? new Date(req.body.recordedAt) : undefined;
    if (recordedAt && Math.abs(recordedAt.getTime() - Date.now()) > 10 * 60_000) {
      throw app.httpErrors.badRequest('recordedAt is more than 10 minutes from the server clock; check the phone\'s time');
    }
    const ok = await positions.record(req.user.officerId!, { lon, lat, accuracy: req.body.accuracy, recordedAt }).catch((err: unknown) => {
      if (err instanceof PositionRefused) throw app.httpErrors.unprocessableEntity(err.message);
      throw err;
    });
    if (!ok) throw app.httpErrors.tooManyRequests('positions are kept at most once a second per officer; send the next fix a little later');
    return reply.status(202).send({ accepted: true as const });
  });

  app.post('/api/officers/me/duty', {
    onRequest: app.requires('officer.self'),
    schema: {
      tags: ['live'], summary: 'Go on duty (available) or off duty', security: [{ bearer: [] }],
      body: Type.Object({ status: StringEnum(['available', 'off_duty'] as const) }, { additionalProperties: false }),
      response: { 200: Type.Object({ dutyStatus: Type.String() }), 409: Err },
    },
  }, async (req) => {
    const events = await withTransaction(pool, async (db) => {
      const cur = (await db.query<{ duty_status: string; district_adcode: string }>(`
        SELECT o.duty_status, s.district_adcode FROM officers o JOIN squads s ON s.id = o.squad_id WHERE o.id = $1 FOR UPDATE OF o`, [req.user.officerId])).rows[0]!;
      if (cur.duty_status === 'busy') throw app.httpErrors.conflict('you are on a case: finish or hand it back before changing duty');
      if (cur.duty_status === req.body.status) return [];
      await db.query(`UPDATE officers SET duty_status = $2 WHERE id = $1`, [req.user.officerId, req.body.status]);
      return appendEvents(db, [{ incidentId: null, type: 'officer.duty', actorUserId: req.user.id, districtAdcode: cur.district_adcode,
        officerIds: [req.user.officerId!], payload: { officerId: req.user.officerId, from: cur.duty_status, to: req.body.status } }]);
    });
    bus.publish(events);
    return { dutyStatus: req.body.status };
  });
};
