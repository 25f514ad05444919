import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ROLES } from '#shared/roles.ts';
import { caseEventSchema } from '#shared/cases/event-schemas.ts';
import { EVENT_TYPES } from '#shared/cases/events.ts';
import { PositionUpdate } from '#shared/workforce-schemas.ts';
import { TOKEN_COOKIE } from '../auth/plugin.ts';
import { API_CONTACT } from './contact.ts';

type Json = Record<string, unknown>;
const ref = (path: string) => ({ $ref: `#/${path}` });
/** A TypeBox schema as plain JSON (its symbol keys dropped), as it is served. */
const plain = (schema: unknown): Json => JSON.parse(JSON.stringify(schema)) as Json;

/** The socket.io message names the server emits (server/live/socket.ts); clients send none. */
export const LIVE_MESSAGES = {
  event: 'event',
  positions: 'positions',
  ready: 'ready',
  sessionEnded: 'session_ended',
  serverClosing: 'server_closing',
} as const;

/** What `event` adds to the event it carries. */
const Envelope = Type.Object({
  prev: Type.Integer({
    minimum: 0,
    description:
      "seq of the event sent before this one to the same room (the bus's start seq for the first): " +
      'when it is above the last seq you applied, fetch GET /api/events?after=<last> first',
  }),
});
const Notice = (description: string) => Type.Object({ message: Type.String({ description: 'bilingual (zh + en), for the user' }) }, { description });
const Ready = Type.Object({
  role: Type.Unsafe<string>({ type: 'string', enum: [...ROLES] }),
  districtAdcode: Type.Union([Type.String(), Type.Null()], { description: "the user's district; null: city-wide" }),
  officerId: Type.Union([Type.Integer(), Type.Null()], { description: 'the officer this login is, if any' }),
  seq: Type.Integer({
    minimum: 0,
    description: 'the newest seq of the log when the socket joined its rooms: catch up from your last seq to here with GET /api/events',
  }),
});

/** components.messages key of an event type's message. */
export const eventMessageKey = (type: string) => `event.${type}`;

/**
 * The AsyncAPI 3.0 document of the live feed (socket.io on the API's origin): the rooms a socket is
 * put in are the channels, and what the server emits to them the messages, one `event` message per
 * event type with its payload schema from shared/cases/event-schemas.ts (the union GET /api/events
 * documents), so a new event type is documented here by being added there.
 */
export function asyncApiDocument(): Json {
  const schemas: Json = {};
  const messages: Json = {};
  for (const type of EVENT_TYPES) {
    schemas[type] = plain(caseEventSchema(type));
    messages[eventMessageKey(type)] = {
      name: LIVE_MESSAGES.event,
      title: type,
      summary: `socket.io \`event\` carrying a ${type} event of the log, with the room's \`prev\` seq`,
      payload: { allOf: [ref(`components/schemas/${type}`), ref('components/schemas/LiveEnvelope')] },
    };
  }
  schemas.LiveEnvelope = plain(Envelope);
  schemas.PositionUpdate = plain(PositionUpdate);
  messages.positions = {
    name: LIVE_MESSAGES.positions,
    title: 'positions',
    summary: 'a batch of officer positions as the server stored them (about once a second while officers report)',
    payload: { type: 'array', items: ref('components/schemas/PositionUpdate') },
  };
  messages.ready = {
    name: LIVE_MESSAGES.ready,
    title: 'ready',
    summary: 'the socket has joined its rooms: who you are to the feed and the seq to catch up to',
    payload: plain(Ready),
  };
  messages.sessionEnded = {
    name: LIVE_MESSAGES.sessionEnded,
    title: 'session_ended',
    summary: 'the session ended (logout, ended by an administrator, expired); the socket is disconnected next: log in again',
    payload: plain(Notice('why the session ended')),
  };
  messages.serverClosing = {
    name: LIVE_MESSAGES.serverClosing,
    title: 'server_closing',
    summary: 'this server instance is shutting down: reconnect (through a balancer, to another instance) and catch up',
    payload: plain(Notice('the server is restarting')),
  };

  const eventRefs = Object.fromEntries(EVENT_TYPES.map((t) => [eventMessageKey(t), ref(`components/messages/${eventMessageKey(t)}`)]));
  const msg = (key: string) => ({ [key]: ref(`components/messages/${key}`) });
  const channels: Json = {
    city: {
      address: 'scope:city',
      title: 'city-wide consoles',
      description: 'Consoles and leaders without a district: every event of the log and every position batch.',
      messages: { ...eventRefs, ...msg('positions') },
    },
    district: {
      address: 'scope:{adcode}',
      title: "a district's consoles",
      description: 'Consoles and leaders of one district: the events of that district and the positions of its officers.',
      parameters: { adcode: { description: "the district's 6-digit administrative code, e.g. 510104" } },
      messages: { ...eventRefs, ...msg('positions') },
    },
    officer: {
      address: 'officer:{officerId}',
      title: 'an officer on duty',
      description:
        "An officer's phone while they are on duty (joined and left with officer.duty events): the events addressed to them " +
        '(their dispatches, reassignments, time-outs, their duty changes).',
      parameters: { officerId: { description: 'officers.id' } },
      messages: eventRefs,
    },
    session: {
      address: 'session:{sid}',
      title: 'one login session',
      description: 'Every socket of one session: told when the session ends.',
      parameters: { sid: { description: 'the session id of the token' } },
      messages: msg('sessionEnded'),
    },
    user: {
      address: 'user:{userId}',
      title: 'one user',
      description: 'Every socket of one user: told when all their sessions end (password reset, account disabled).',
      parameters: { userId: { description: 'users.id' } },
      messages: msg('sessionEnded'),
    },
    socket: {
      address: null,
      title: 'the connected socket',
      description: 'The socket itself: `ready` once it has joined its rooms; `server_closing` (to every socket) when the instance shuts down.',
      messages: { ...msg('ready'), ...msg('serverClosing') },
    },
  };
  const send = (channel: string, keys: string[], summary: string) => ({
    action: 'send',
    channel: ref(`channels/${channel}`),
    summary,
    messages: keys.map((k) => ref(`channels/${channel}/messages/${k}`)),
  });
  const eventKeys = EVENT_TYPES.map(eventMessageKey);
  const operations: Json = {
    sendCityEvents: send('city', eventKeys, 'each event of the log, in seq order, to city-wide consoles'),
    sendCityPositions: send('city', ['positions'], 'position batches to city-wide consoles'),
    sendDistrictEvents: send('district', eventKeys, 'each event of a district, in seq order, to its consoles'),
    sendDistrictPositions: send('district', ['positions'], "position batches of a district's officers to its consoles"),
    sendOfficerEvents: send('officer', eventKeys, 'each event addressed to an officer on duty, in seq order'),
    sendSessionEnded: send('session', ['sessionEnded'], 'a session ended'),
    sendUserSessionsEnded: send('user', ['sessionEnded'], 'all sessions of a user ended'),
    sendReady: send('socket', ['ready'], 'the socket joined its rooms'),
    sendServerClosing: send('socket', ['serverClosing'], 'the instance shuts down'),
  };

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Zhihui 指挥 live feed',
      version: '0.2.0',
      description:
        'What the server pushes over socket.io (Engine.IO protocol 4; WebSocket, long-polling as fallback) on the origin that serves ' +
        'the API. Connect with `auth: { token }` (the token of POST /api/auth/login), an `Authorization: Bearer` header or the session cookie. ' +
        "A socket is put in rooms by its login: consoles in their scope's room, officers in their own while on duty. Events carry the log's `seq` " +
        "and the room's `prev`; GET /api/events?after= (OpenAPI: /docs/json) fills any gap. Clients send no messages.",
      license: { name: 'MIT', url: 'https://spdx.org/licenses/MIT.html' },
      contact: API_CONTACT,
    },
    defaultContentType: 'application/json',
    servers: {
      origin: {
        host: '{origin}',
        protocol: 'ws',
        pathname: '/socket.io/',
        description: 'the server that serves this document (socket.io path /socket.io/)',
        variables: { origin: { description: 'host and port of the console and API', default: 'localhost:3000' } },
        security: [ref('components/securitySchemes/bearer'), ref('components/securitySchemes/cookie')],
      },
    },
    channels,
    operations,
    components: {
      schemas,
      messages,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'the token from POST /api/auth/login, as socket.io `auth.token` or an Authorization header',
        },
        cookie: { type: 'httpApiKey', in: 'cookie', name: TOKEN_COOKIE, description: 'the session cookie POST /api/auth/login sets (the console uses it)' },
      },
    },
  };
}

/** GET /docs/asyncapi.json: public, like /docs/json; left out of the OpenAPI document, as /docs/json is. */
export function registerAsyncApi(app: FastifyInstance): void {
  const document = asyncApiDocument();
  app.get(
    '/docs/asyncapi.json',
    {
      schema: {
        hide: true,
        response: {
          200: Type.Object({ asyncapi: Type.Literal('3.0.0') }, { additionalProperties: true, description: 'the AsyncAPI 3.0 document of the live feed' }),
        },
      },
    },
    async () => document,
  );
}
