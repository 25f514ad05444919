// The basemap's "repository": the PMTiles archive under <DATA_DIR>/basemap, read with protomaps'
// maintained `pmtiles` package, and its glyph files. A rebuilt archive (`npm run basemap` while the
// server runs) is picked up at the next request: the file is reopened when its identity changes.
import fs from 'node:fs';
import path from 'node:path';
import { PMTiles, type RangeResponse, type Source } from 'pmtiles';
import type { BasemapMetadata } from '#shared/basemap-style.ts';
import { archivePath, basemapDir, FONTS_DIR } from './build.ts';

class FileRangeSource implements Source {
  private readonly fd: number;
  constructor(private readonly file: string) {
    this.fd = fs.openSync(file, 'r');
  }
  getKey(): string {
    return this.file;
  }
  async getBytes(offset: number, length: number): Promise<RangeResponse> {
    const buf = Buffer.alloc(length);
    const read = await new Promise<number>((resolve, reject) => fs.read(this.fd, buf, 0, length, offset, (err, n) => (err ? reject(err) : resolve(n))));
    const view = buf.subarray(0, read);
    return { data: view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength) as ArrayBuffer };
  }
  close(): void {
    fs.closeSync(this.fd);
  }
}

export interface BasemapInfo {
  metadata: BasemapMetadata;
  bounds: [number, number, number, number];
  minZoom: number;
  maxZoom: number;
}

interface Open {
  key: string;
  source: FileRangeSource;
  tiles: PMTiles;
  info: BasemapInfo;
}

export class BasemapArchive {
  private open: Open | null = null;
  private opening: Promise<Open | null> | null = null;

  constructor(private readonly dataDir: string) {}

  /** the archive as it is on disk now; null when there is none */
  private async current(): Promise<Open | null> {
    const file = archivePath(this.dataDir);
    let key: string;
    try {
      const st = fs.statSync(file);
      key = `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch {
      return null;
    }
    if (this.open?.key === key) return this.open;
    if (!this.opening) {
      this.opening = (async () => {
        const source = new FileRangeSource(file);
        const tiles = new PMTiles(source);
        const h = await tiles.getHeader();
        const metadata = (await tiles.getMetadata()) as BasemapMetadata;
        const info: BasemapInfo = { metadata, bounds: [h.minLon, h.minLat, h.maxLon, h.maxLat], minZoom: h.minZoom, maxZoom: h.maxZoom };
        this.open?.source.close();
        this.open = { key, source, tiles, info };
        return this.open;
      })().finally(() => (this.opening = null));
    }
    return this.opening;
  }

  async info(): Promise<BasemapInfo | null> {
    return (await this.current())?.info ?? null;
  }

  /** the tile, decompressed; an empty buffer when the archive has no tile there; null with no archive */
  async tile(z: number, x: number, y: number): Promise<Buffer | null> {
    const open = await this.current();
    if (!open) return null;
    const t = await open.tiles.getZxy(z, x, y);
    return t ? Buffer.from(t.data) : Buffer.alloc(0);
  }

  /** a glyph range file as the build wrote it; null when there is none */
  glyphs(fontstack: string, range: string): Buffer | null {
    const dir = path.join(basemapDir(this.dataDir), FONTS_DIR);
    const file = path.join(dir, fontstack, `${range}.pbf`);
    // the route's patterns keep names inside the fonts directory; this says so once more
    if (path.dirname(path.dirname(file)) !== dir) return null;
    try {
      return fs.readFileSync(file);
    } catch {
      return null;
    }
  }

  close(): void {
    this.open?.source.close();
    this.open = null;
  }
}
