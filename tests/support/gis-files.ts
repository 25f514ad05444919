// What the GIS reader and writer tests share: files written where a test can find them, and the
// GisFileError a bad one must give.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { GisFileError } from '../../server/gis/formats/errors.ts';

/**
 * A temp directory for this test file (made before its tests, removed after), and `upload`, which
 * writes `content` as `filename` in a subdirectory of its own (so names may repeat) and returns the path.
 */
export function uploads(prefix: string) {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), `${prefix}-`));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return {
    dir: () => dir,
    async upload(filename: string, content: string | Buffer): Promise<string> {
      const sub = await mkdtemp(path.join(dir, 'upload-'));
      const file = path.join(sub, filename);
      await writeFile(file, content);
      return file;
    },
  };
}

/** The GisFileError `fn` throws; fails the test when it throws nothing or something else. */
export async function gisError(fn: () => unknown): Promise<GisFileError> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GisFileError);
    return err as GisFileError;
  }
  throw new Error('expected a GisFileError, nothing was thrown');
}
