import type { FastifyError, FastifyInstance } from 'fastify';
import { isDatabaseUnavailable } from '../db/availability.ts';

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Turns an ajv validation error into a sentence that names the field and what to do. */
export function describeValidationError(context: string, errors: AjvError[]): string {
  return errors
    .map((e) => {
      const where = `${context}${e.instancePath.replace(/\//g, '.')}`;
      if (e.keyword === 'additionalProperties') return `${where}: unknown field "${String(e.params.additionalProperty)}"; remove it`;
      if (e.keyword === 'required') return `${where}: "${String(e.params.missingProperty)}" is required`;
      if (e.keyword === 'enum') return `${where} must be one of ${JSON.stringify(e.params.allowedValues)}`;
      return `${where} ${e.message ?? 'is invalid'}`;
    })
    .join('; ');
}

/** 4xx keep their message; 5xx are logged and answered without internals. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setSchemaErrorFormatter((errors, context) => {
    const err = new Error(describeValidationError(context, errors as AjvError[])) as FastifyError;
    err.statusCode = 400;
    return err;
  });
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (isDatabaseUnavailable(err)) {
      request.log.warn({ err: err.message }, 'database unavailable');
      return reply.status(503).header('retry-after', '2')
        .send({ statusCode: 503, error: 'Service Unavailable', message: '数据库暂时不可用 the database is unavailable (restarting or unreachable); retry in a few seconds' });
    }
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    const headers = (err as { headers?: Record<string, string> }).headers;
    if (status < 500 && headers) reply.headers(headers);
    if (status >= 500) {
      request.log.error({ err }, 'request failed');
      return reply.status(status).send({ statusCode: status, error: 'Internal Server Error', message: 'internal error; see the server log' });
    }
    return reply.status(status).send({ statusCode: status, error: err.name === 'Error' || !err.name ? httpName(status) : httpName(status), message: err.message });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ statusCode: 404, error: 'Not Found', message: `no route ${request.method} ${request.url.split('?')[0]}` }),
  );
}

function httpName(status: number): string {
  return (
    { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Entity', 429: 'Too Many Requests', 503: 'Service Unavailable' } as Record<number, string>
  )[status] ?? 'Error';
}
