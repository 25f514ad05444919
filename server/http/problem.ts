/**
 * An error the caller can fix, thrown by services: the error handler answers it with `statusCode`, the
 * message and any headers (Retry-After). Services stay free of Fastify.
 */
export class Problem extends Error {
  constructor(
    readonly statusCode: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'Problem';
  }
}
