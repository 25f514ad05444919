// UI text: Chinese first, English second. Components show `zh` large and `en` as a small subtitle;
// in English-first mode ('en') the two swap, and in Chinese-only mode ('zh') the English goes.
import { BUILDING_STAGES, BUILDING_STAGE_NAMES } from '#shared/buildings/stage-machine.ts';

export interface Bi {
  zh: string;
  en: string;
}

/** 'bi': 中文 with English beside it (the default); 'zh': Chinese only; 'en': English first, Chinese beside it */
export type LangMode = 'bi' | 'zh' | 'en';
export const LANG_MODES: readonly LangMode[] = ['bi', 'en', 'zh'];
/** the language switch's own label for each mode */
export const langModeLabel: Record<LangMode, string> = { bi: '中+EN', en: 'EN', zh: '中' };

/** The main text of a label in a mode (a label without English stays Chinese). */
export const mainText = (t: Bi, mode: LangMode): string => (mode === 'en' && t.en ? t.en : t.zh);
/** The subtitle beside the main text, '' for none. */
export const subText = (t: Bi, mode: LangMode): string => (mode === 'zh' ? '' : mode === 'en' ? (t.en ? t.zh : '') : t.en);
/** One string for a placeholder, title, aria label or <option>: main text first, then the subtitle. */
export const oneLine = (t: Bi, mode: LangMode, sep = '  '): string => [mainText(t, mode), subText(t, mode)].filter(Boolean).join(sep);

/** a label: 中文 first, English second */
export const bi = (zh: string, en: string): Bi => ({ zh, en });

export const ui = {
  title: bi('智慧城管 · 指挥调度', 'Zhihui Command'),
  database: bi('数据库', 'Database'),
  embedded: bi('嵌入式', 'embedded'),
  external: bi('外部', 'external'),
  dbUnknown: bi('未连接', 'unknown'),
  districts: bi('行政区', 'Districts'),
  keyAreas: bi('重点地区', 'Key areas'),
  officersOnDuty: bi('在岗队员', 'On duty'),
  beijingTime: bi('北京时间', 'Beijing time'),
  legend: bi('图例', 'Legend'),
  city: bi('全市', 'City'),
  zoomForGrid: bi('放大查看网格', 'Zoom in for grid'),
  zoomForBuildings: bi('放大查看违建', 'Zoom in for illegal buildings'),
  loading: bi('加载中', 'loading'),
  zoom: bi('缩放', 'Zoom'),
  errors: bi('错误', 'Errors'),
  dismiss: bi('关闭', 'Close'),
  details: bi('详情', 'Details'),
  attribution: bi('行政区划: 阿里云 DataV GeoAtlas (GCJ-02→WGS84)', 'Boundaries: Alibaba Cloud DataV GeoAtlas (GCJ-02→WGS84)'),
  demoData: bi('演示数据', 'demo data'),
  attributionCity: bi('底图数据: 本市导入 (系统管理 › 底图数据)', "the city's own imported geography"),
  mapStyleFallback: bi('底图加载失败，改用离线底图', 'basemap failed, using offline style'),
} as const;

/** Layer names as the test hook and the legend know them. */
export type LayerName = 'districts' | 'gridCells' | 'keyAreas' | 'illegalBuildings' | 'squads' | 'officers' | 'incidents';

export const layerTitle: Record<LayerName, Bi> = {
  districts: bi('行政区', 'Districts'),
  gridCells: bi('单元网格', 'Grid'),
  keyAreas: bi('重点地区', 'Key areas'),
  illegalBuildings: bi('违法建设', 'Illegal buildings'),
  squads: bi('中队驻地', 'Squad bases'),
  officers: bi('执法队员', 'Officers'),
  incidents: bi('案件', 'Cases'),
};

export const dutyStatusLabel: Record<string, Bi> = {
  available: bi('在岗空闲', 'available'),
  busy: bi('执行任务', 'busy'),
  off_duty: bi('离岗', 'off duty'),
};

export const officerKindLabel: Record<string, Bi> = {
  officer: bi('执法队员 (持证)', 'certified officer'),
  auxiliary: bi('协管员', 'auxiliary'),
};

export const buildingKindLabel: Record<string, Bi> = {
  stock: bi('存量违建', 'stock'),
  new: bi('新增违建', 'new'),
};

export const buildingStageLabel: Record<string, Bi> = Object.fromEntries(
  BUILDING_STAGES.map((s) => [s, bi(BUILDING_STAGE_NAMES[s].zh, BUILDING_STAGE_NAMES[s].en)]),
);

export const keyAreaLevelLabel: Record<string, Bi> = {
  city: bi('市级', 'city level'),
  district: bi('区级', 'district level'),
};

export const keyAreaKindLabel: Record<string, Bi> = {
  commercial: bi('商圈', 'commercial'),
  civic: bi('市政广场', 'civic'),
  nightlife: bi('夜间经济', 'nightlife'),
  scenic: bi('景区', 'scenic'),
  transport: bi('交通枢纽', 'transport hub'),
  market: bi('市场', 'market'),
  major_event: bi('重大活动保障', 'major event'),
  school: bi('学校周边', 'school'),
  hospital: bi('医院周边', 'hospital'),
  residential: bi('居住区', 'residential'),
};

export const equipmentLabel: Record<string, Bi> = {
  vehicle: bi('执法车', 'vehicle'),
  body_camera: bi('执法记录仪', 'body camera'),
  bodycam: bi('执法记录仪', 'body camera'),
  handheld: bi('手持终端', 'handheld'),
  handheld_terminal: bi('手持终端', 'handheld'),
  radio: bi('对讲机', 'radio'),
  ebike: bi('电动车', 'e-bike'),
};

/** Look a code up in a label table; unknown codes are shown as they are. */
export function label(table: Record<string, Bi>, code: string | null | undefined): Bi {
  if (code == null) return bi('—', '');
  return table[code] ?? bi(code, '');
}

const timeFmt = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});
const dateFmt = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  weekday: 'short',
});
const dateTimeFmt = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

/** Clock parts in Asia/Shanghai, whatever the browser's own zone is. */
export function shanghaiClock(d: Date): { time: string; date: string } {
  const part = (type: Intl.DateTimeFormatPartTypes) => dateFmt.formatToParts(d).find((p) => p.type === type)?.value ?? '';
  return { time: timeFmt.format(d), date: `${part('year')}-${part('month')}-${part('day')} ${part('weekday')}` };
}

export function formatDateTime(iso: string | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTimeFmt.format(d);
}

const intFmt = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 0 });
const decFmt = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 1 });

export const formatInt = (n: number): string => intFmt.format(n);
export const formatDec = (n: number): string => decFmt.format(n);
