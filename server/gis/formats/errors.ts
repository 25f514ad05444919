import { Problem } from '../../http/problem.ts';

/**
 * A GIS file the uploader has to fix (or re-declare): 413 too large, 422 understood but unusable, 400 not
 * a file we read at all. A Problem, so the HTTP error handler answers it as it stands.
 */
export class GisFileError extends Problem {
  constructor(
    readonly status: 400 | 413 | 422,
    message: string,
  ) {
    super(status, message);
    this.name = 'GisFileError';
  }
}

export const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
