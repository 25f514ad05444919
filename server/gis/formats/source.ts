import { open, type FileHandle } from 'node:fs/promises';

const WINDOW = 1 << 20;

/**
 * Bytes of a file or a buffer read at any position through a 1 MiB window, so that walking 100k records
 * header by header costs a read per megabyte, not one per record, and memory stays flat.
 */
export class ByteSource {
  private window = Buffer.alloc(0);
  private windowStart = 0;

  private constructor(
    private readonly file: FileHandle | undefined,
    private readonly buffer: Buffer | undefined,
    readonly size: number,
  ) {}

  static async open(source: string | Uint8Array): Promise<ByteSource> {
    if (typeof source !== 'string') {
      const buffer = Buffer.from(source.buffer, source.byteOffset, source.byteLength);
      return new ByteSource(undefined, buffer, buffer.length);
    }
    const file = await open(source, 'r');
    try {
      return new ByteSource(file, undefined, (await file.stat()).size);
    } catch (err) {
      await file.close();
      throw err;
    }
  }

  /** `length` bytes from `position`; fewer at the end of the file. The result may share memory with the window. */
  async read(position: number, length: number): Promise<Buffer> {
    const end = Math.min(this.size, position + length);
    if (position >= end) return Buffer.alloc(0);
    if (this.buffer) return this.buffer.subarray(position, end);
    if (position < this.windowStart || end > this.windowStart + this.window.length) {
      const size = Math.max(WINDOW, end - position);
      const window = Buffer.alloc(Math.min(size, this.size - position));
      const { bytesRead } = await this.file!.read(window, 0, window.length, position);
      this.window = window.subarray(0, bytesRead);
      this.windowStart = position;
    }
    return this.window.subarray(position - this.windowStart, end - this.windowStart);
  }

  async close(): Promise<void> {
    await this.file?.close();
  }
}
