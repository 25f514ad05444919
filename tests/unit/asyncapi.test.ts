// The AsyncAPI document of the live feed (server/docs/asyncapi.ts): valid AsyncAPI 3.0 by the
// official JSON Schema (@asyncapi/specs, which Spectral brings), every event type of the union a
// message whose payload is exactly that member, and every reference resolving.
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { caseEventSchema } from '#shared/cases/event-schemas.ts';
import { EVENT_TYPES } from '#shared/cases/events.ts';
import { PositionUpdate } from '#shared/workforce-schemas.ts';
import { asyncApiDocument, eventMessageKey, LIVE_MESSAGES } from '../../server/docs/asyncapi.ts';

const doc = asyncApiDocument() as any;
const plain = (x: unknown) => JSON.parse(JSON.stringify(x));

/** The value a local `$ref` ('#/a/b') points at; undefined when it points at nothing. */
function resolve(pointer: string): any {
  expect(pointer.startsWith('#/'), pointer).toBe(true);
  return pointer
    .slice(2)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<any>((node, key) => (node === undefined ? undefined : node[key]), doc);
}

function refsIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => refsIn(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refsIn(v, out);
    }
  }
  return out;
}

describe('the AsyncAPI document of the live feed', () => {
  it('is valid AsyncAPI 3.0.0 by the official JSON Schema', () => {
    const require = createRequire(import.meta.url);
    const schema = require('@asyncapi/specs/schemas/3.0.0-without-$id.json');
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    const ok = validate(doc);
    expect(validate.errors ?? [], JSON.stringify(validate.errors?.slice(0, 5), null, 1)).toEqual([]);
    expect(ok).toBe(true);
    expect(doc.asyncapi).toBe('3.0.0');
  });

  it("has a message for every event type whose payload is that member of the union, plus the room's prev", () => {
    for (const type of EVENT_TYPES) {
      const message = doc.components.messages[eventMessageKey(type)];
      expect(message, type).toBeDefined();
      expect(message.name).toBe(LIVE_MESSAGES.event);
      const [member, envelope] = message.payload.allOf.map((r: { $ref: string }) => resolve(r.$ref));
      expect(member, type).toEqual(plain(caseEventSchema(type)));
      expect(member.properties.type.const).toBe(type);
      expect(Object.keys(envelope.properties)).toEqual(['prev']);
    }
    expect(resolve(doc.components.messages.positions.payload.items.$ref)).toEqual(plain(PositionUpdate));
  });

  it('names every message the server emits, and channels for the rooms it emits them to', () => {
    const names = new Set(Object.values(doc.components.messages).map((m: any) => m.name));
    expect([...names].sort()).toEqual(Object.values(LIVE_MESSAGES).sort());
    const addresses = Object.values(doc.channels).map((c: any) => c.address);
    expect(addresses).toEqual(expect.arrayContaining(['scope:city', 'scope:{adcode}', 'officer:{officerId}', 'session:{sid}', 'user:{userId}', null]));
    for (const [name, channel] of Object.entries<any>(doc.channels)) {
      for (const p of (channel.address ?? '').match(/\{(\w+)\}/g) ?? []) expect(channel.parameters?.[p.slice(1, -1)], `${name} ${p}`).toBeDefined();
    }
  });

  it("references only what exists: channels their messages, operations their channel and that channel's messages", () => {
    const refs = refsIn(doc);
    expect(refs.length).toBeGreaterThan(EVENT_TYPES.length * 3);
    for (const r of refs) expect(resolve(r), r).toBeDefined();
    for (const [name, op] of Object.entries<any>(doc.operations)) {
      const channelPath = op.channel.$ref;
      for (const m of op.messages) expect(m.$ref.startsWith(`${channelPath}/messages/`), `${name}: ${m.$ref}`).toBe(true);
    }
    const cityMessages = Object.keys(doc.channels.city.messages);
    expect(cityMessages).toEqual(expect.arrayContaining([...EVENT_TYPES.map(eventMessageKey), 'positions']));
  });
});
