import type { FastifyError, FastifyInstance } from 'fastify';
import { isDatabaseUnavailable } from '../db/availability.ts';
import { codedError, type ErrorCode, errorCode } from './error-codes.ts';

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

/**
 * Every error is answered `{statusCode, error, code, message, allowed?}` (ErrorResponse): 4xx keep their
 * message; 5xx are logged and answered without internals. `code` is the stable machine-readable one
 * (error-codes.ts); `allowed` the steps a case allows now, when a step was refused.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setSchemaErrorFormatter(
    (errors, context) => codedError(400, 'VALIDATION_FAILED', describeValidationError(context, errors as AjvError[])) as FastifyError,
  );
  app.setErrorHandler((err: FastifyError & { status?: number; allowed?: unknown }, request, reply) => {
    if (isDatabaseUnavailable(err)) {
      request.log.warn({ err: err.message }, 'database unavailable');
      return reply
        .status(503)
        .header('retry-after', '2')
        .send(errorBody(503, 'DATABASE_UNAVAILABLE', '数据库暂时不可用 the database is unavailable (restarting or unreachable); retry in a few seconds'));
    }
    // `status` as well: an error of a service (CaseError) or of http-errors may carry only that
    const given = err.statusCode ?? err.status;
    const status = given && given >= 400 && given < 600 ? given : 500;
    const headers = (err as { headers?: Record<string, string> }).headers;
    if (status < 500 && headers) reply.headers(headers);
    if (status >= 500 && status !== 503) {
      request.log.error({ err }, 'request failed');
      return reply.status(status).send(errorBody(status, 'INTERNAL_ERROR', 'internal error; see the server log'));
    }
    const allowed = Array.isArray(err.allowed) ? err.allowed.map(String) : undefined;
    return reply.status(status).send(errorBody(status, errorCode(err, status), err.message, allowed));
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(errorBody(404, 'ROUTE_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)),
  );
}

export function errorBody(statusCode: number, code: ErrorCode, message: string, allowed?: string[]) {
  return { statusCode, error: code === 'INTERNAL_ERROR' ? 'Internal Server Error' : httpName(statusCode), code, message, ...(allowed ? { allowed } : {}) };
}

export function httpName(status: number): string {
  return (
    (
      {
        400: 'Bad Request',
        401: 'Unauthorized',
        403: 'Forbidden',
        404: 'Not Found',
        409: 'Conflict',
        413: 'Payload Too Large',
        414: 'URI Too Long',
        415: 'Unsupported Media Type',
        422: 'Unprocessable Entity',
        429: 'Too Many Requests',
        500: 'Internal Server Error',
        503: 'Service Unavailable',
      } as Record<number, string>
    )[status] ?? 'Error'
  );
}
