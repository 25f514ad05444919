// Where the console map starts. The demo city opens on 天府广场, close enough to see its grid and
// buildings; a city that imported its own districts opens on their extent; a city with none yet on China.
export interface StartView {
  center: [number, number];
  zoom: number;
  home: { zh: string; en: string };
}

export const DEMO_START: StartView = { center: [104.065, 30.66], zoom: 13.2, home: { zh: '天府广场', en: 'Tianfu Sq.' } };
const EMPTY_START: StartView = { center: [104.2, 35.9], zoom: 4, home: { zh: '全国', en: 'China' } };

/** The zoom at which `degrees` fill about 800 px (the map between a wall's panels, with room around). */
function zoomFor(degrees: number): number {
  const z = Math.log2((800 / 512) * (360 / Math.max(degrees, 1e-4)));
  return Math.round(Math.min(14, Math.max(8, z)) * 10) / 10;
}

export function startView(demo: boolean, extent: [number, number, number, number] | null): StartView {
  if (demo) return DEMO_START;
  if (!extent) return EMPTY_START;
  const [x1, y1, x2, y2] = extent;
  return {
    center: [Math.round(((x1 + x2) / 2) * 1e5) / 1e5, Math.round(((y1 + y2) / 2) * 1e5) / 1e5],
    zoom: zoomFor(Math.max(x2 - x1, (y2 - y1) * 1.2)),
    home: { zh: '城市中心', en: 'City centre' },
  };
}
