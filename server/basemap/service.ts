// What the basemap routes answer: tiles and glyphs from the archive, and the style built by the shared
// style builder for the archive at hand.
import crypto from 'node:crypto';
import { type BasemapTheme, buildBasemapStyle } from '#shared/basemap-style.ts';
import type { StyleSpecification } from 'maplibre-gl';
import type { BasemapArchive } from './archive-reader.ts';

export interface Blob {
  bytes: Buffer;
  etag: string;
}

const etagOf = (b: Buffer) => `"${crypto.createHash('sha1').update(b).digest('base64url')}"`;

export class BasemapService {
  constructor(private readonly archive: BasemapArchive) {}

  /** a basemap archive is there to serve */
  async built(): Promise<boolean> {
    return (await this.archive.info()) !== null;
  }

  /** null: no basemap built; a tile of zero bytes: the archive has nothing there */
  async tile(z: number, x: number, y: number): Promise<Blob | null> {
    const t = await this.archive.tile(z, x, y);
    return t ? { bytes: t, etag: t.length ? etagOf(t) : '' } : null;
  }

  glyphs(fontstack: string, range: string): Blob | null {
    // MapLibre asks for a comma-separated stack; we build one font, the first one named
    const first = fontstack.split(',')[0]!.trim();
    const g = this.archive.glyphs(first, range);
    return g ? { bytes: g, etag: etagOf(g) } : null;
  }

  /** the style for this archive, its URLs under `origin`; null with no basemap built */
  async style(theme: BasemapTheme, origin: string): Promise<StyleSpecification | null> {
    const info = await this.archive.info();
    if (!info) return null;
    return buildBasemapStyle({
      theme,
      origin,
      fontstack: info.metadata.fontstack,
      attribution: info.metadata.attribution,
      note: info.metadata.note,
      bounds: info.bounds,
      minzoom: info.minZoom,
      maxzoom: info.maxZoom,
    });
  }
}
