// Colours of the console map, shared by the style layers and the legend so the two never drift.
export const palette = {
  background: '#070d1a',
  backgroundGrid: '#0e1a30',
  district: { fill: '#2f8cff', line: '#5fe3ff', glow: '#32d6ff' },
  grid: { line: '#8fb0dc' },
  keyArea: {
    city: { fill: '#ff6b3d', line: '#ff8a5c' },
    district: { fill: '#ffc53d', line: '#ffd666' },
    inactive: { fill: '#8c8c8c', line: '#a6a6a6' },
  },
  building: {
    new: '#ff3355',
    stock: '#ff9f1c',
    outline: '#ffe3d1',
    /** by stage (违法建设治理): hot while it stands untouched, cooling as it is dealt with, grey when 销号 */
    stage: {
      discovered: '#ff3355',
      verified: '#ff6a3d',
      filed: '#ff9f1c',
      ordered: '#ffd60a',
      demolished: '#52d273',
      rectified: '#36cfc9',
      closed: '#7d8aa3',
    },
    overdue: '#ffffff',
  },
  squad: { fill: '#b37feb', halo: '#9254de', stroke: '#ffffff' },
  officer: {
    available: '#3ddc84',
    busy: '#ffe14d',
    off_duty: '#7d8aa3',
    /** the inside of the hollow ring of an on-duty officer whose fix is old */
    staleFill: '#0a1020',
    certifiedRing: '#ffffff',
    auxiliaryRing: '#0a1020',
  },
  selection: '#00f0ff',
} as const;
