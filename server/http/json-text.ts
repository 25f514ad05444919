import type { FastifyReply } from 'fastify';

/**
 * Sends JSON that PostGIS already built: Fastify passes a string with a JSON content type through
 * untouched, so large layers are not parsed and re-serialised in Node.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function sendJsonText(reply: FastifyReply<any, any, any, any, any, any, any, any>, text: string) {
  return reply.type('application/json; charset=utf-8').send(text);
}
