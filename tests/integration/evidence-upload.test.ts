// Photo uploads (POST /api/incidents/:id/evidence) from a broken or hostile client: a multipart body
// without a boundary, with the wrong one, cut short or too large is a 4xx that says so; a file is kept
// only when it decodes to the last pixel as the image it starts as, and then byte-exact.
import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testApp } from '../support/app.ts';
import { call, login, type Session } from '../support/clients.ts';
import { testDatabase } from '../support/database.ts';

const db = testDatabase();
let app: FastifyInstance;
let admin: Session;
let caseId: number;

beforeAll(async () => {
  app = await testApp(db);
  admin = await login(app, 'admin');
  // 锦江区, near 春熙路
  const r = await call(app, admin, {
    url: '/api/incidents',
    body: { category: '0102', source: 'dispatcher', description: '照片上传测试', lon: 104.0817, lat: 30.6571 },
  });
  expect(r.status, r.body).toBe(201);
  caseId = r.json.incident.id;
});
afterAll(async () => {
  await app.close();
  await db.close();
});

const BOUNDARY = 'zhihui-upload-test-boundary';

function multipartBody(files: { name: string; type: string; bytes: Buffer }[], boundary = BOUNDARY): Buffer {
  return Buffer.concat([
    ...files.map((f) =>
      Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${f.name}"\r\nContent-Type: ${f.type}\r\n\r\n`),
        f.bytes,
        Buffer.from('\r\n'),
      ]),
    ),
    Buffer.from(`--${boundary}--\r\n`),
  ]);
}

async function upload(body: Buffer, contentType = `multipart/form-data; boundary=${BOUNDARY}`) {
  const res = await app.inject({
    method: 'POST',
    url: `/api/incidents/${caseId}/evidence`,
    payload: body,
    headers: { authorization: `Bearer ${admin.token}`, 'content-type': contentType },
  });
  let json: any = null;
  try {
    json = res.json();
  } catch {
    /* not JSON */
  }
  return { status: res.statusCode, json, body: res.body };
}

/** Evidence rows and events of the case: a refused upload changes neither. */
async function stored(): Promise<{ photos: number; events: number }> {
  const r = await db.pool.query<{ photos: number; events: number }>(
    `
    SELECT (SELECT count(*)::int FROM evidence WHERE incident_id = $1) AS photos,
           (SELECT count(*)::int FROM incident_events WHERE incident_id = $1) AS events`,
    [caseId],
  );
  return r.rows[0]!;
}

/** A photo as a phone writes it: a JPEG of real-looking pixels with EXIF (a Samsung camera), then Samsung's trailer after EOI. */
async function phoneJpeg(): Promise<Buffer> {
  const width = 640;
  const height = 480;
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = ((i * 2654435761) >>> 24) ^ (i % 251);
  const jpeg = await sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 85 })
    .withExif({ IFD0: { Make: 'samsung', Model: 'SM-S918B', Software: 'S918BXXU1AWBD' } })
    .toBuffer();
  // Samsung appends its SEF data (and motion photos their video) after the EOI marker
  const trailer = Buffer.concat([Buffer.from('SEFH'), Buffer.alloc(12, 0x01), Buffer.from('Image_UTC_Data1700000000000'), Buffer.from('SEFT')]);
  return Buffer.concat([jpeg, trailer]);
}

const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
const HTML = Buffer.from('<!DOCTYPE html><html><body><script>fetch("/api/users").then(r=>r.text()).then(alert)</script></body></html>');

describe(`photo uploads from a hostile client (${inject('databaseMode')} database)`, () => {
  it('keeps a real phone JPEG (EXIF, data after EOI) byte-exact, and PNG and WebP', async () => {
    const jpeg = await phoneJpeg();
    expect((await sharp(jpeg).metadata()).exif).toBeDefined();
    const png = await sharp({ create: { width: 32, height: 24, channels: 3, background: '#c03' } })
      .png()
      .toBuffer();
    const webp = await sharp({ create: { width: 32, height: 24, channels: 3, background: '#03c' } })
      .webp()
      .toBuffer();
    const r = await upload(
      multipartBody([
        { name: 'phone.jpg', type: 'image/jpeg', bytes: jpeg },
        { name: 'shot.png', type: 'image/png', bytes: png },
        // the declared type is not trusted: the bytes say what it is
        { name: 'shot.webp', type: 'application/octet-stream', bytes: webp },
      ]),
    );
    expect(r.status, r.body).toBe(201);
    expect(r.json.map((p: { mime: string }) => p.mime)).toEqual(['image/jpeg', 'image/png', 'image/webp']);
    expect(r.json[0]).toMatchObject({ bytes: jpeg.length, sha256: sha256(jpeg) });
    const back = await app.inject({ method: 'GET', url: `/api/evidence/${r.json[0].id}`, headers: { authorization: `Bearer ${admin.token}` } });
    expect(back.statusCode).toBe(200);
    expect(back.headers['content-type']).toBe('image/jpeg');
    expect(back.rawPayload.equals(jpeg)).toBe(true);
  });

  it('answers a multipart body without a boundary 400, saying so', async () => {
    const before = await stored();
    const r = await upload(
      multipartBody([
        {
          name: 'a.png',
          type: 'image/png',
          bytes: await sharp({ create: { width: 4, height: 4, channels: 3, background: '#fff' } })
            .png()
            .toBuffer(),
        },
      ]),
      'multipart/form-data',
    );
    expect(r.status, r.body).toBe(400);
    expect(r.json.message).toMatch(/no boundary/);
    expect(await stored()).toEqual(before);
  });

  it('answers a boundary that does not match the body 400, saying so', async () => {
    const before = await stored();
    const body = multipartBody([{ name: 'a.jpg', type: 'image/jpeg', bytes: await phoneJpeg() }], 'the-body-uses-this-one');
    const r = await upload(body, 'multipart/form-data; boundary=the-header-names-another');
    expect(r.status, r.body).toBe(400);
    expect(r.json.message).toMatch(/boundary does not match the body/);
    expect(r.json.message).toContain('boundary=the-header-names-another');
    expect(await stored()).toEqual(before);
  });

  it('answers an upload cut short 400 "ended before the file was complete", not 413', async () => {
    const before = await stored();
    const body = multipartBody([{ name: 'cut.jpg', type: 'image/jpeg', bytes: await phoneJpeg() }]);
    for (const cut of [0.5, 0.97, body.length - 10]) {
      const r = await upload(body.subarray(0, cut < 1 ? Math.floor(body.length * cut) : cut));
      expect(r.status, r.body).toBe(400);
      expect(r.json.message).toMatch(/ended before the file was complete/);
    }
    expect(await stored()).toEqual(before);
  });

  it('answers a file over 10 MB 413', async () => {
    const before = await stored();
    const big = Buffer.concat([await phoneJpeg(), Buffer.alloc(10 * 1024 * 1024, 0x20)]);
    const r = await upload(multipartBody([{ name: 'huge.jpg', type: 'image/jpeg', bytes: big }]));
    expect(r.status, r.body).toBe(413);
    expect(r.json.message).toMatch(/huge\.jpg is larger than 10 MB/);
    expect(await stored()).toEqual(before);
  });

  it('refuses a file that starts as a JPEG and goes on as HTML, and other polyglots, storing nothing', async () => {
    const before = await stored();
    const jpeg = await phoneJpeg();
    const headerThenHtml = Buffer.concat([jpeg.subarray(0, 20), HTML]);
    let r = await upload(multipartBody([{ name: 'evil.jpg', type: 'image/jpeg', bytes: headerThenHtml }]));
    expect(r.status, r.body).toBe(422);
    expect(r.json.message).toMatch(/evil\.jpg does not decode as a JPEG image/);

    // a whole JPEG (it decodes) with a page after its end …
    const imageThenHtml = Buffer.concat([jpeg.subarray(0, jpeg.indexOf(Buffer.from('SEFH'))), HTML]);
    expect((await sharp(imageThenHtml).stats()).channels).toHaveLength(3);
    r = await upload(multipartBody([{ name: 'tail.jpg', type: 'image/jpeg', bytes: imageThenHtml }]));
    expect(r.status, r.body).toBe(422);
    expect(r.json.message).toMatch(/tail\.jpg is a JPEG image carrying "<(script|!doctype|html|body)" outside its pixels/);

    // … or inside a comment segment (COM) right after SOI
    const com = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from([(HTML.length + 2) >> 8, (HTML.length + 2) & 0xff]), HTML]);
    const inComment = Buffer.concat([jpeg.subarray(0, 2), com, jpeg.subarray(2)]);
    r = await upload(multipartBody([{ name: 'comment.jpg', type: 'image/jpeg', bytes: inComment }]));
    expect(r.status, r.body).toBe(422);
    expect(r.json.message).toMatch(/comment\.jpg is a JPEG image carrying/);

    // a page declared as a JPEG is not an image at all
    r = await upload(multipartBody([{ name: 'page.jpg', type: 'image/jpeg', bytes: HTML }]));
    expect(r.status, r.body).toBe(415);

    // one bad file in a batch: none of it is kept
    r = await upload(
      multipartBody([
        { name: 'good.jpg', type: 'image/jpeg', bytes: jpeg },
        { name: 'evil.jpg', type: 'image/jpeg', bytes: headerThenHtml },
      ]),
    );
    expect(r.status, r.body).toBe(422);
    expect(await stored()).toEqual(before);
  });

  it('refuses a PNG cut short and a truncated JPEG that still sniffs as one', async () => {
    const before = await stored();
    const png = await sharp(Buffer.alloc(300 * 200 * 3, 0x7f), { raw: { width: 300, height: 200, channels: 3 } })
      .png({ compressionLevel: 0 })
      .toBuffer();
    let r = await upload(multipartBody([{ name: 'half.png', type: 'image/png', bytes: png.subarray(0, Math.floor(png.length / 2)) }]));
    expect(r.status, r.body).toBe(422);
    expect(r.json.message).toMatch(/half\.png does not decode as a PNG image/);
    const jpeg = await phoneJpeg();
    r = await upload(multipartBody([{ name: 'half.jpg', type: 'image/jpeg', bytes: jpeg.subarray(0, Math.floor(jpeg.length * 0.8)) }]));
    expect(r.status, r.body).toBe(422);
    expect(r.json.message).toMatch(/half\.jpg does not decode as a JPEG image/);
    expect(await stored()).toEqual(before);
  });
});
