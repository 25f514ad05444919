/**
 * The layers a city brings (issue 13), as data: what each holds, the fields an import maps onto, the
 * names bureaus' GIS exports give those fields (数字城管 / ArcGIS / SuperMap: Chinese, pinyin initials,
 * English), and the geometry it takes. The import proposes a mapping from these, the API documents
 * them and the administration screen draws its mapping form from them.
 */
export type GisLayer = 'districts' | 'grid_cells' | 'key_areas' | 'illegal_buildings';
export type GeometryFamily = 'polygon' | 'point';

export interface TargetField {
  key: string;
  label: { zh: string; en: string };
  required: boolean;
  /** Source field names, compared without case, spaces, underscores or hyphens. */
  synonyms: readonly string[];
  /** How a value is read: text as is (the default), a date (YYYY-MM-DD, YYYY/M/D, YYYYMMDD), a number. */
  type?: 'text' | 'date' | 'number' | 'integer';
  /** The words bureaus write for each stored value (stored value → words); a value not among them is refused. */
  values?: Record<string, readonly string[]>;
  /** Stored when the file has no value (or no such field). */
  fallback?: string;
}

export interface LayerSpec {
  label: { zh: string; en: string };
  geometry: GeometryFamily;
  /** The field a row is known by: matched against the current version to tell added / changed / removed. */
  key: string;
  /** Registers often give a point, not a footprint: take it as a circle of the row's area (100 m² without one), with a warning. */
  pointFootprints?: boolean;
  fields: readonly TargetField[];
}

export const GIS_LAYERS: Record<GisLayer, LayerSpec> = {
  districts: {
    label: { zh: '行政区', en: 'districts' },
    geometry: 'polygon',
    key: 'adcode',
    fields: [
      {
        key: 'adcode',
        label: { zh: '行政区划代码', en: 'adcode' },
        required: true,
        synonyms: ['adcode', '行政区划代码', '区划代码', '行政代码', 'xzqdm', 'xzqhdm', 'code', 'dm'],
      },
      { key: 'name', label: { zh: '名称', en: 'name' }, required: true, synonyms: ['name', '名称', '区县名称', '行政区名称', 'xzqmc', 'mc'] },
      { key: 'name_en', label: { zh: '英文名称', en: 'English name' }, required: false, synonyms: ['name_en', 'english', '英文名称', 'ename'] },
    ],
  },
  grid_cells: {
    label: { zh: '单元网格', en: 'unit grid cells' },
    geometry: 'polygon',
    key: 'code',
    fields: [
      {
        key: 'code',
        label: { zh: '网格编码', en: 'grid code (15 digits)' },
        required: true,
        synonyms: ['网格编码', '网格代码', '单元网格编码', '网格号', 'wgbm', 'wgdm', 'grid_code', 'gridcode', 'code', 'bm'],
      },
      {
        key: 'street_name',
        label: { zh: '街道', en: 'street' },
        required: false,
        synonyms: ['街道', '街道名称', '所属街道', '街乡', 'jdmc', 'street', 'street_name'],
      },
      {
        key: 'street_code',
        label: { zh: '街道编码', en: 'street code (9 digits)' },
        required: false,
        synonyms: ['街道编码', '街道代码', 'jdbm', 'jddm', 'street_code'],
      },
      {
        key: 'community_name',
        label: { zh: '社区', en: 'community' },
        required: false,
        synonyms: ['社区', '社区名称', '所属社区', '村社区', 'sqmc', 'community', 'community_name'],
      },
      {
        key: 'community_code',
        label: { zh: '社区编码', en: 'community code (12 digits)' },
        required: false,
        synonyms: ['社区编码', '社区代码', 'sqbm', 'sqdm', 'community_code'],
      },
      { key: 'unit', label: { zh: '责任单位', en: 'responsible unit' }, required: false, synonyms: ['责任单位', 'zrdw', 'unit'] },
    ],
  },
  key_areas: {
    label: { zh: '重点地区', en: 'key areas' },
    geometry: 'polygon',
    key: 'name',
    fields: [
      { key: 'name', label: { zh: '名称', en: 'name' }, required: true, synonyms: ['名称', '区域名称', '重点地区名称', '重点区域', 'mc', 'qymc', 'name'] },
      {
        key: 'level',
        label: { zh: '级别', en: 'level' },
        required: false,
        synonyms: ['级别', '等级', '层级', 'jb', 'level'],
        values: { city: ['市级', '市', 'city'], district: ['区级', '区', '区县级', 'district'] },
        fallback: 'district',
      },
      {
        key: 'kind',
        label: { zh: '类型', en: 'kind' },
        required: false,
        synonyms: ['类型', '区域类型', '类别', 'lx', 'kind', 'type'],
        values: {
          commercial: ['商圈', '商业', '商业街', '商业区', 'commercial'],
          scenic: ['景区', '景点', '旅游', '景区周边', 'scenic'],
          transport: ['交通枢纽', '交通', '车站', '枢纽', 'transport'],
          market: ['市场', '农贸市场', '批发市场', 'market'],
          nightlife: ['夜市', '夜间经济', '夜经济', 'nightlife'],
          civic: ['公共', '广场', '政务', '学校周边', '医院周边', 'civic'],
          major_event: ['重大活动', '活动', '临时活动', 'major_event'],
        },
        fallback: 'civic',
      },
      {
        key: 'listed_on',
        label: { zh: '挂账日期', en: 'listed on' },
        required: false,
        type: 'date',
        synonyms: ['挂账日期', '列入日期', '设立日期', '开始日期', 'gzrq', 'listed_on'],
      },
      {
        key: 'delisted_on',
        label: { zh: '销账日期', en: 'delisted on' },
        required: false,
        type: 'date',
        synonyms: ['销账日期', '撤销日期', '结束日期', 'xzrq', 'delisted_on'],
      },
      {
        key: 'complaint_baseline',
        label: { zh: '月均投诉基数', en: 'complaints a month (baseline)' },
        required: false,
        type: 'number',
        synonyms: ['投诉基数', '月均投诉', '基数', 'complaint_baseline', 'baseline'],
      },
    ],
  },
  illegal_buildings: {
    label: { zh: '违法建设', en: 'illegal buildings' },
    geometry: 'polygon',
    key: 'code',
    pointFootprints: true,
    fields: [
      { key: 'code', label: { zh: '编号', en: 'code' }, required: true, synonyms: ['编号', '违建编号', '图斑编号', '案件编号', 'bh', 'tbbh', 'code'] },
      {
        key: 'area_m2',
        label: { zh: '面积(m²)', en: 'area (m²)' },
        required: false,
        type: 'number',
        synonyms: ['面积', '占地面积', '违建面积', 'mj', 'area', 'area_m2'],
      },
      { key: 'floors', label: { zh: '层数', en: 'floors' }, required: false, type: 'integer', synonyms: ['层数', '楼层', 'cs', 'floors'], fallback: '1' },
      {
        key: 'kind',
        label: { zh: '类型', en: 'kind' },
        required: false,
        synonyms: ['类型', '违建类型', '存量新增', 'lx', 'kind'],
        values: { stock: ['存量', '存量违建', 'stock'], new: ['新增', '新增违建', 'new'] },
        fallback: 'stock',
      },
      {
        key: 'stage',
        label: { zh: '阶段', en: 'stage' },
        required: false,
        synonyms: ['阶段', '处置阶段', '状态', '处置状态', 'jd', 'stage'],
        values: {
          discovered: ['发现', '已发现', 'discovered'],
          verified: ['核查', '已核查', '核实', 'verified'],
          filed: ['立案', '已立案', 'filed'],
          ordered: ['责令', '责令整改', '限期拆除', 'ordered'],
          demolished: ['拆除', '已拆除', 'demolished'],
          rectified: ['整改', '已整改', '整改完成', 'rectified'],
          closed: ['结案', '已结案', '销号', '已销号', 'closed'],
        },
        fallback: 'discovered',
      },
      { key: 'party', label: { zh: '当事人', en: 'party' }, required: false, synonyms: ['当事人', '责任人', '违建人', 'dsr', 'party'] },
      {
        key: 'discovered_on',
        label: { zh: '发现日期', en: 'discovered on' },
        required: true,
        type: 'date',
        synonyms: ['发现日期', '发现时间', '巡查日期', 'fxrq', 'discovered_on'],
      },
    ],
  },
};

export const GIS_LAYER_NAMES = Object.keys(GIS_LAYERS) as GisLayer[];

/** target field → source field name */
export type FieldMapping = Record<string, string>;

const fold = (s: string) => s.toLowerCase().replace(/[\s_-]/g, '');

/** The mapping proposed from the file's field names: each target takes the first source that is one of its names. */
export function proposeMapping(layer: GisLayer, sourceFields: readonly string[]): FieldMapping {
  const mapping: FieldMapping = {};
  const taken = new Set<string>();
  for (const target of GIS_LAYERS[layer].fields) {
    for (const synonym of target.synonyms) {
      const hit = sourceFields.find((f) => !taken.has(f) && fold(f) === fold(synonym));
      if (hit) {
        mapping[target.key] = hit;
        taken.add(hit);
        break;
      }
    }
  }
  return mapping;
}

/** What is wrong with a mapping, as messages that say what to fix; empty when it can be used. */
export function mappingProblems(layer: GisLayer, mapping: FieldMapping, sourceFields: readonly string[]): string[] {
  const spec = GIS_LAYERS[layer];
  const problems: string[] = [];
  for (const [target, source] of Object.entries(mapping)) {
    if (!spec.fields.some((f) => f.key === target)) {
      problems.push(`未知的目标字段 ${target}: ${spec.label.en} take ${spec.fields.map((f) => f.key).join(', ')}`);
    } else if (!sourceFields.includes(source)) {
      problems.push(`文件中没有字段 ${source} (mapped to ${target}): the file's fields are ${sourceFields.join(', ') || 'none'}`);
    }
  }
  for (const f of spec.fields) {
    if (f.required && !mapping[f.key]) {
      problems.push(
        `缺少必填字段 ${f.label.zh} no field is mapped to ${f.key} (${f.label.en}): name the file's field for it, e.g. mapping={"${f.key}":"${f.synonyms[0]}"}`,
      );
    }
  }
  return problems;
}

/** The key under which a confirmed mapping is remembered: the layer's source fields, in order-free form. */
export const fieldsKey = (sourceFields: readonly string[]) => [...sourceFields].map(fold).sort().join('|');

/** A date as bureaus write it (2024-03-05, 2024/3/5, 2024.3.5, 20240305, 2024年3月5日) as YYYY-MM-DD; null when it is none. */
export function normaliseDate(text: string): string | null {
  const m = /^(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?(?:[ T].*)?$/.exec(text.trim());
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return `${m[1]}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** A field's value as stored, or why it can't be. */
export function readFieldValue(field: TargetField, raw: string | null): { value: string | null } | { problem: string } {
  if (raw === null) return { value: field.fallback ?? null };
  if (field.values) {
    const folded = fold(raw);
    for (const [stored, words] of Object.entries(field.values)) if (words.some((w) => fold(w) === folded)) return { value: stored };
    return {
      problem: `${field.label.zh}「${raw}」不是可用的值 ${field.label.en} "${raw}" is not one we know: use ${Object.values(field.values)
        .map((w) => w[0])
        .join(', ')}`,
    };
  }
  if (field.type === 'date') {
    const date = normaliseDate(raw);
    return date ? { value: date } : { problem: `${field.label.zh}「${raw}」不是日期 ${field.label.en} "${raw}" is not a date: write it as 2024-03-05` };
  }
  if (field.type === 'number' || field.type === 'integer') {
    const n = Number(raw.replace(/,/g, ''));
    const ok = Number.isFinite(n) && n >= 0 && (field.type === 'number' || Number.isInteger(n));
    return ok
      ? { value: String(n) }
      : {
          problem: `${field.label.zh}「${raw}」不是${field.type === 'integer' ? '整数' : '数'} ${field.label.en} "${raw}" is not a ${field.type === 'integer' ? 'whole number' : 'number'} ≥ 0`,
        };
  }
  return { value: raw };
}
