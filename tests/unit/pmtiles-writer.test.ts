// The PMTiles v3 writer read back with protomaps' `pmtiles` reader: an archive big enough to need leaf
// directories (its root would not fit in the first 16 KiB), identical tiles stored once, runs of them
// as one entry, and the header's zooms, bounds and metadata.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { PMTiles, type RangeResponse, type Source } from 'pmtiles';
import { afterAll, describe, expect, it } from 'vitest';
import { type PmtilesTile, writePmtiles } from '../../server/basemap/pmtiles-writer.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'zhihui-pmtiles-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

class BufferSource implements Source {
  constructor(private readonly bytes: Buffer) {}
  getKey() {
    return 'buffer';
  }
  async getBytes(offset: number, length: number): Promise<RangeResponse> {
    const v = this.bytes.subarray(offset, offset + length);
    return { data: v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength) as ArrayBuffer };
  }
}

/** a deterministic pseudo-random sequence, mulberry32 (the archive's layout must not depend on luck) */
function mulberry32(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const opts = {
  minZoom: 14,
  maxZoom: 14,
  bounds: [104, 30.6, 104.1, 30.7] as [number, number, number, number],
  center: [104.05, 30.65, 14] as [number, number, number],
};

describe('the PMTiles v3 writer', () => {
  it('writes leaf directories when the root would not fit, and every tile reads back', async () => {
    const rand = mulberry32(42);
    const seen = new Set<string>();
    const tiles: (PmtilesTile & { text: string })[] = [];
    while (tiles.length < 30_000) {
      const x = Math.floor(rand() * 2 ** 14);
      const y = Math.floor(rand() * 2 ** 14);
      if (seen.has(`${x}/${y}`)) continue;
      seen.add(`${x}/${y}`);
      const text = `${x}/${y}:${'#'.repeat(Math.floor(rand() * 300))}`;
      tiles.push({ z: 14, x, y, data: zlib.gzipSync(text), text });
    }
    const file = path.join(tmp, 'big.pmtiles');
    writePmtiles(file, tiles, { ...opts, metadata: { name: 'big' } });
    const bytes = fs.readFileSync(file);
    // leaf directories section is not empty (header bytes 48–55)
    expect(Number(bytes.readBigUInt64LE(48))).toBeGreaterThan(0);
    expect(Number(bytes.readBigUInt64LE(16))).toBeLessThanOrEqual(16_384 - 127);
    const p = new PMTiles(new BufferSource(bytes));
    const h = await p.getHeader();
    expect([h.specVersion, h.minZoom, h.maxZoom, h.numAddressedTiles]).toEqual([3, 14, 14, 30_000]);
    expect(h.minLon).toBeCloseTo(104, 5);
    expect(h.maxLat).toBeCloseTo(30.7, 5);
    expect(await p.getMetadata()).toEqual({ name: 'big' });
    for (const t of tiles.filter((_, i) => i % 97 === 0)) {
      const got = await p.getZxy(t.z, t.x, t.y);
      expect(Buffer.from(got!.data).toString()).toBe(t.text);
    }
    expect(await p.getZxy(14, 0, 0)).toBeUndefined();
  });

  it('stores identical tiles once and a run of them as one entry', async () => {
    const same = zlib.gzipSync('sea');
    const tiles: PmtilesTile[] = [];
    for (let x = 0; x < 16; x++) for (let y = 0; y < 16; y++) tiles.push({ z: 4, x, y, data: same });
    tiles.push({ z: 5, x: 3, y: 3, data: zlib.gzipSync('land') });
    const file = path.join(tmp, 'runs.pmtiles');
    const size = writePmtiles(file, tiles, { ...opts, minZoom: 4, maxZoom: 5, metadata: {} });
    const bytes = fs.readFileSync(file);
    expect(size).toBe(bytes.length);
    const p = new PMTiles(new BufferSource(bytes));
    const h = await p.getHeader();
    expect(h.numAddressedTiles).toBe(257);
    expect(h.numTileContents).toBe(2);
    // all of z4 is one run: one entry for it, one for the z5 tile
    expect(h.numTileEntries).toBe(2);
    expect(Buffer.from((await p.getZxy(4, 15, 15))!.data).toString()).toBe('sea');
    expect(Buffer.from((await p.getZxy(5, 3, 3))!.data).toString()).toBe('land');
  });
});
