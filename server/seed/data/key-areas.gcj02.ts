/**
 * Key areas (重点地区) of the demo city. Outlines are approximate, drawn by hand in GCJ-02 around
 * the named places (converted to WGS84 on import like the district boundaries); levels, boosts and
 * baselines are demo values, not official listings.
 */
export interface KeyAreaSeed {
  name: string;
  nameEn: string;
  level: 'city' | 'district';
  kind: 'commercial' | 'scenic' | 'transport' | 'market' | 'nightlife' | 'civic' | 'major_event';
  /** Outer ring, GCJ-02 lon/lat, not closed. */
  ring: [number, number][];
  listedOn: string;
  delistedOn?: string;
  priorityBoost: number;
  /** Citizen complaints per month the area is measured against. */
  complaintBaseline: number;
}

export const KEY_AREAS: KeyAreaSeed[] = [
  {
    name: '天府广场',
    nameEn: 'Tianfu Square',
    level: 'city',
    kind: 'civic',
    listedOn: '2021-01-01',
    priorityBoost: 30,
    complaintBaseline: 42,
    ring: [
      [104.0636, 30.6558],
      [104.0679, 30.6558],
      [104.0682, 30.6574],
      [104.0679, 30.659],
      [104.0636, 30.659],
      [104.0632, 30.6574],
    ],
  },
  {
    name: '春熙路·太古里',
    nameEn: 'Chunxi Road & Taikoo Li',
    level: 'city',
    kind: 'commercial',
    listedOn: '2021-01-01',
    priorityBoost: 30,
    complaintBaseline: 120,
    ring: [
      [104.0772, 30.6598],
      [104.0826, 30.6598],
      [104.0872, 30.656],
      [104.0868, 30.6518],
      [104.0818, 30.6512],
      [104.0776, 30.6535],
    ],
  },
  {
    name: '宽窄巷子',
    nameEn: 'Kuanzhai Alleys',
    level: 'city',
    kind: 'scenic',
    listedOn: '2021-01-01',
    priorityBoost: 25,
    complaintBaseline: 65,
    ring: [
      [104.0512, 30.6652],
      [104.0562, 30.6652],
      [104.0564, 30.6622],
      [104.0514, 30.662],
    ],
  },
  {
    name: '锦里',
    nameEn: 'Jinli Street',
    level: 'city',
    kind: 'scenic',
    listedOn: '2021-01-01',
    priorityBoost: 25,
    complaintBaseline: 58,
    ring: [
      [104.0479, 30.6472],
      [104.0506, 30.647],
      [104.0512, 30.6446],
      [104.0498, 30.6436],
      [104.0482, 30.6444],
    ],
  },
  {
    name: '成都东站',
    nameEn: 'Chengdu East Railway Station',
    level: 'city',
    kind: 'transport',
    listedOn: '2021-01-01',
    priorityBoost: 30,
    complaintBaseline: 88,
    ring: [
      [104.1372, 30.6342],
      [104.1462, 30.6342],
      [104.1468, 30.6262],
      [104.1376, 30.6258],
    ],
  },
  {
    name: '成都站',
    nameEn: 'Chengdu Railway Station',
    level: 'city',
    kind: 'transport',
    listedOn: '2021-01-01',
    priorityBoost: 30,
    complaintBaseline: 96,
    ring: [
      [104.0698, 30.6996],
      [104.0784, 30.6996],
      [104.0786, 30.6944],
      [104.0702, 30.694],
    ],
  },
  {
    name: '九眼桥',
    nameEn: 'Jiuyanqiao',
    level: 'district',
    kind: 'nightlife',
    listedOn: '2022-03-01',
    priorityBoost: 20,
    complaintBaseline: 54,
    ring: [
      [104.0898, 30.6452],
      [104.0956, 30.645],
      [104.096, 30.6412],
      [104.0902, 30.641],
    ],
  },
  {
    name: '文殊院',
    nameEn: 'Wenshu Monastery',
    level: 'district',
    kind: 'scenic',
    listedOn: '2022-03-01',
    priorityBoost: 15,
    complaintBaseline: 30,
    ring: [
      [104.0706, 30.6778],
      [104.075, 30.6778],
      [104.0752, 30.6736],
      [104.0708, 30.6734],
    ],
  },
  {
    name: '建设路',
    nameEn: 'Jianshe Road',
    level: 'district',
    kind: 'commercial',
    listedOn: '2022-03-01',
    priorityBoost: 20,
    complaintBaseline: 70,
    ring: [
      [104.1008, 30.6778],
      [104.1112, 30.676],
      [104.1108, 30.6726],
      [104.1004, 30.6742],
    ],
  },
  {
    name: '荷花池市场',
    nameEn: 'Hehuachi Market',
    level: 'district',
    kind: 'market',
    listedOn: '2022-03-01',
    priorityBoost: 20,
    complaintBaseline: 80,
    ring: [
      [104.0756, 30.6938],
      [104.0816, 30.6938],
      [104.0818, 30.69],
      [104.0758, 30.6898],
    ],
  },
  {
    name: '人民公园',
    nameEn: "People's Park",
    level: 'district',
    kind: 'scenic',
    listedOn: '2023-01-01',
    priorityBoost: 10,
    complaintBaseline: 25,
    ring: [
      [104.0552, 30.6604],
      [104.0604, 30.6604],
      [104.0606, 30.656],
      [104.0554, 30.6558],
    ],
  },
  {
    name: '天府广场 国庆保障区',
    nameEn: 'Tianfu Square National Day event zone',
    level: 'city',
    kind: 'major_event',
    listedOn: '2026-09-28',
    delistedOn: '2026-10-08',
    priorityBoost: 50,
    complaintBaseline: 0,
    ring: [
      [104.06, 30.653],
      [104.0712, 30.653],
      [104.0716, 30.6618],
      [104.0604, 30.662],
    ],
  },
  {
    name: '成都东站 春运保障区',
    nameEn: 'East Station Spring Festival travel zone',
    level: 'city',
    kind: 'major_event',
    listedOn: '2026-11-20',
    delistedOn: '2027-03-10',
    priorityBoost: 50,
    complaintBaseline: 0,
    ring: [
      [104.134, 30.6372],
      [104.15, 30.6372],
      [104.1504, 30.623],
      [104.1344, 30.6228],
    ],
  },
];
