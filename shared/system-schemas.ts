// The system endpoints' answers (GET /api/health, GET /api/config): the server validates and documents
// them with these schemas and the console types what it reads from them.
import { Type, type Static } from 'typebox';

export const Health = Type.Object({
  status: Type.Literal('ok'),
  database: Type.Object({ mode: Type.Union([Type.Literal('embedded'), Type.Literal('external')]), postgres: Type.String(), postgis: Type.String() }),
  migrations: Type.Object({ applied: Type.Integer(), pending: Type.Integer(), latest: Type.Union([Type.String(), Type.Null()]) }),
  demo: Type.Object({ seeded: Type.Boolean() }),
  replica: Type.Optional(
    Type.Object(
      {
        status: Type.Union([Type.Literal('up'), Type.Literal('down')]),
        lagSeconds: Type.Union([Type.Number(), Type.Null()]),
        lagBytes: Type.Union([Type.Number(), Type.Null()]),
      },
      {
        description:
          "DATABASE_READ_URL only. Lag against the primary's WAL position: 0 when everything is replayed, else bytes behind and " +
          'seconds since the last transaction replayed (null: unknown, or not a standby). Down does not make the server unready: ' +
          "the leader's and indicator reads then go to the primary.",
      },
    ),
  ),
});
export type Health = Static<typeof Health>;

export const ClientConfig = Type.Object({
  mapStyleUrl: Type.Union([Type.String(), Type.Null()]),
  center: Type.Tuple([Type.Number(), Type.Number()]),
  zoom: Type.Number(),
  publicMapLayers: Type.Boolean({ description: 'map layers answer without a login (PUBLIC_MAP_LAYERS)' }),
  home: Type.Object({ zh: Type.String(), en: Type.String() }, { description: "the name of the start view (the demo city's 天府广场; a real city's centre)" }),
  demo: Type.Boolean({ description: 'the demo city is what the database holds (the console says so)' }),
  basemap: Type.Boolean({
    description: 'the server has its own street basemap built (GET /api/basemap/style); the maps use it when mapStyleUrl is null',
  }),
});
export type ClientConfig = Static<typeof ClientConfig>;
