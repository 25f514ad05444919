/**
 * The layers a city brings (issue 13), as data: what each holds, the fields an import maps onto, the
 * names bureaus' GIS exports give those fields (数字城管 / ArcGIS / SuperMap: Chinese, pinyin initials,
 * English), and the geometry it takes. The import proposes a mapping from these, the API documents
 * them and the administration screen draws its mapping form from them.
 */
export type GisLayer = 'districts' | 'grid_cells';
export type GeometryFamily = 'polygon' | 'point';

export interface TargetField {
  key: string;
  label: { zh: string; en: string };
  required: boolean;
  /** Source field names, compared without case, spaces, underscores or hyphens. */
  synonyms: readonly string[];
}

export interface LayerSpec {
  label: { zh: string; en: string };
  geometry: GeometryFamily;
  /** The field a row is known by: matched against the current version to tell added / changed / removed. */
  key: string;
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
};

export const GIS_LAYER_NAMES = Object.keys(GIS_LAYERS) as GisLayer[];

/** target field → source field name */
export type FieldMapping = Record<string, string>;

const fold = (s: string) => s.toLowerCase().replace(/[\s_\-]/g, '');

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
