/**
 * The machine-readable `code` of every error body, beside the human `message`. Clients branch on the
 * code, never on the message (which may be reworded or translated); a code, once published, keeps its
 * meaning. The list is the `code` enum of ErrorResponse in the OpenAPI document.
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: 'a field has a value the schema refuses (wrong type, out of range, unknown field, NUL or broken Unicode text); `message` names the field',
  MALFORMED_REQUEST: 'the request cannot be read: the body is not UTF-8 JSON (or has a "__proto__" / "constructor" key), or the URL is not UTF-8',
  BAD_REQUEST: 'the values are well-formed but do not make sense together (a period that ends before it starts, an unknown category…)',
  UNAUTHENTICATED: 'no login, a token that is not ours, or a session that has ended: log in (again)',
  FORBIDDEN: 'your role or district may not do this',
  STEP_NOT_ALLOWED: 'this step of the case is not allowed now (409: its state; 403: your role); `allowed` lists the steps you may take',
  NOT_FOUND: 'no such record that you can see',
  ROUTE_NOT_FOUND: 'no such route: check the method and the path',
  CONFLICT: 'the request clashes with the current state of a record (a busy officer, a taken login…)',
  PAYLOAD_TOO_LARGE: 'the body, a file or the number of parts is over its limit',
  URI_TOO_LONG: 'a segment of the URL path is too long',
  UNSUPPORTED_MEDIA_TYPE: "the Content-Type (or a file's type) is not one this route takes",
  UNPROCESSABLE: 'understood, but the rules refuse it (outside every district, an officer without a valid certificate…)',
  RATE_LIMITED: 'too many requests: wait for Retry-After seconds',
  INTERNAL_ERROR: 'a fault of the server; it is logged with the request id (X-Request-Id)',
  DATABASE_UNAVAILABLE: 'the database is restarting or unreachable: retry after Retry-After seconds',
  UNAVAILABLE: 'the server is overloaded: retry after Retry-After seconds',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

const BY_STATUS: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'RATE_LIMITED',
  503: 'UNAVAILABLE',
};

/** Fastify's own error codes that say more than their status. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_VALIDATION: 'VALIDATION_FAILED',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_REQUEST',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'MALFORMED_REQUEST',
  FST_ERR_BAD_URL: 'MALFORMED_REQUEST',
};

export const isErrorCode = (code: unknown): code is ErrorCode => typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);

/**
 * The code of an error answered with `status`: the one its thrower set (`code`, when it is one of
 * ours), else what a validation error or a Fastify error code says, else the status's own.
 */
export function errorCode(err: { code?: unknown; validation?: unknown; allowed?: unknown }, status: number): ErrorCode {
  if (isErrorCode(err.code)) return err.code;
  if (status >= 500) return status === 503 ? 'UNAVAILABLE' : 'INTERNAL_ERROR';
  if (Array.isArray(err.allowed)) return 'STEP_NOT_ALLOWED';
  if (err.validation) return 'VALIDATION_FAILED';
  if (typeof err.code === 'string' && FASTIFY_CODES[err.code]) return FASTIFY_CODES[err.code]!;
  return BY_STATUS[status] ?? 'BAD_REQUEST';
}

/** An error for the error handler: its status, message and code. */
export function codedError(statusCode: number, code: ErrorCode, message: string): Error & { statusCode: number; code: ErrorCode } {
  return Object.assign(new Error(message), { statusCode, code });
}
