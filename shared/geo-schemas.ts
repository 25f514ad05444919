import { Type, type Static } from 'typebox';
import { BUILDING_STAGES } from './buildings/stage-machine.ts';

/** GeoJSON (RFC 7946) shapes as the API documents them; geometries are WGS84 lon/lat. */
export const Position = Type.Array(Type.Number(), { minItems: 2, maxItems: 3 });
export const PointGeometry = Type.Object({ type: Type.Literal('Point'), coordinates: Position });
export const AreaGeometry = Type.Object({
  type: Type.Union([Type.Literal('Polygon'), Type.Literal('MultiPolygon')]),
  coordinates: Type.Array(Type.Any()),
});

export function featureCollection<P extends ReturnType<typeof Type.Object>, G extends ReturnType<typeof Type.Object>>(
  properties: P,
  geometry: G,
  opts: { truncatable?: boolean; description?: string } = {},
) {
  return Type.Object(
    {
      type: Type.Literal('FeatureCollection'),
      ...(opts.truncatable ? { truncated: Type.Boolean({ description: 'true when more features matched than `limit`' }) } : {}),
      features: Type.Array(Type.Object({ type: Type.Literal('Feature'), id: Type.Optional(Type.Union([Type.Number(), Type.String()])), geometry, properties })),
    },
    { description: opts.description },
  );
}

export const DistrictProps = Type.Object({
  adcode: Type.String(),
  name: Type.String(),
  nameEn: Type.String(),
  areaKm2: Type.Number(),
  gridCellCount: Type.Integer(),
});
export const GridCellProps = Type.Object({
  code: Type.String({ description: '15 digits: district(6) street(3) community(3) sequence(3)' }),
  districtAdcode: Type.String(),
  districtName: Type.String(),
  streetName: Type.String(),
  communityName: Type.String(),
  areaM2: Type.Number(),
  squadName: Type.Union([Type.String(), Type.Null()]),
});
export const IllegalBuildingProps = Type.Object({
  id: Type.Optional(Type.Integer({ description: 'the register row: GET /api/buildings/{id} has its record' })),
  code: Type.String(),
  areaM2: Type.Number(),
  floors: Type.Integer(),
  kind: Type.Union([Type.Literal('stock'), Type.Literal('new')]),
  stage: Type.Union(BUILDING_STAGES.map((s) => Type.Literal(s))),
  party: Type.Union([Type.String(), Type.Null()]),
  demolishedAreaM2: Type.Number(),
  discoveredOn: Type.String({ format: 'date' }),
  districtName: Type.String(),
  overdue: Type.Optional(Type.Boolean({ description: 'the next step of its stage is past due' })),
  escalated: Type.Optional(Type.Boolean({ description: 'escalated (督办) when found: new construction in a key area or a zero-growth district' })),
});
export const KeyAreaProps = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  nameEn: Type.Union([Type.String(), Type.Null()]),
  level: Type.Union([Type.Literal('city'), Type.Literal('district')]),
  kind: Type.String(),
  priorityBoost: Type.Integer(),
  complaintBaseline: Type.Number(),
  listedOn: Type.String(),
  delistedOn: Type.Union([Type.String(), Type.Null()]),
  active: Type.Boolean(),
});
export const SquadProps = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  districtAdcode: Type.String(),
  districtName: Type.String(),
  officerCount: Type.Integer(),
});
export const OfficerProps = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  squadId: Type.Integer(),
  squadName: Type.String(),
  kind: Type.Union([Type.Literal('officer'), Type.Literal('auxiliary')]),
  dutyStatus: Type.Union([Type.Literal('off_duty'), Type.Literal('available'), Type.Literal('busy')]),
  positionAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  equipment: Type.Array(Type.String()),
});

export type DistrictProperties = Static<typeof DistrictProps>;
export type GridCellProperties = Static<typeof GridCellProps>;
export type IllegalBuildingProperties = Static<typeof IllegalBuildingProps>;
export type KeyAreaProperties = Static<typeof KeyAreaProps>;
export type SquadProperties = Static<typeof SquadProps>;
export type OfficerProperties = Static<typeof OfficerProps>;
