import { describe, expect, it } from 'vitest';
import { estimateSeconds, travelModeOf } from '#shared/dispatch/travel-speeds.ts';
import { buildRoadNetwork, meters } from '../../server/dispatch/road-network.ts';
import { loadOsmRoads } from '../../server/seed/osm-roads.ts';

describe('the road network built from road segments', () => {
  it('turns the demo OSM roads into junctions and edges: a way with its -twin two-way, one without one-way, most in one strongly connected part', () => {
    const roads = loadOsmRoads();
    const net = buildRoadNetwork(roads);
    expect(roads).toHaveLength(852);
    expect(net.edges).toHaveLength(686);
    expect(net.edges.filter((e) => e.oneway)).toHaveLength(520);
    for (const e of net.edges) {
      expect(e.source).not.toBe(e.target);
      expect(e.cost).toBeGreaterThan(0);
      expect(e.reverseCost).toBe(e.oneway ? -1 : e.cost);
    }
    const routable = new Set(net.nodes.filter((n) => n.routable).map((n) => n.id));
    const inside = net.edges.filter((e) => routable.has(e.source) && routable.has(e.target)).length;
    expect(inside / net.edges.length).toBeGreaterThan(0.9);
    // deterministic: the same input, the same ids
    expect(buildRoadNetwork(roads)).toEqual(net);
  });

  it('snaps ends within the tolerance into one junction, never both ends of one way, never chaining past the junction width', () => {
    const o: [number, number] = [104.06, 30.635];
    const east = (m: number): [number, number] => [o[0] + m / 95_800, o[1]];
    const net = buildRoadNetwork(
      [
        { id: 'a', name: '', highway: 'primary', coordinates: [east(0), east(200)], oneway: true },
        { id: 'b', name: '', highway: 'primary', coordinates: [east(210), east(400)], oneway: true }, // 10 m gap: one junction
        { id: 'c', name: '', highway: 'primary', coordinates: [east(400), east(405)], oneway: true }, // 5 m long: kept apart
      ],
      { snapMeters: 15, maxJunctionMeters: 20 },
    );
    expect(net.edges.map((e) => [e.source, e.target])).toEqual([
      [1, 2],
      [2, 3],
      [3, 4],
    ]);
    expect(meters(east(0), east(200))).toBeCloseTo(200, -1);
  });

  it('travels by the equipment: 执法车 drives, 电动巡逻车 rides, the rest walk; the estimate is straight line × 1.4 at the average speed', () => {
    expect(travelModeOf(['执法记录仪', '执法车'])).toBe('drive');
    expect(travelModeOf(['电动巡逻车'])).toBe('ride');
    expect(travelModeOf(['对讲机'])).toBe('walk');
    expect(estimateSeconds(1000, 'walk')).toBe(Math.round((1000 * 1.4) / (5 / 3.6)));
  });
});
