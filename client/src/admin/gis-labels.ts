// The import screen's words: Chinese first, English second (see common/i18n.ts).
import { bi, type Bi } from '../common/i18n.ts';
import type { GisCounts, GisLayer, GisUploadOptions, ImportState } from '../common/api-types.ts';
import { PROBLEM_KINDS, type ProblemKind } from '#shared/gis/import-workflow.ts';
import { GIS_LAYERS } from '#shared/gis/layers.ts';

export const stateLabel: Record<ImportState, Bi> = {
  previewed: bi('待提交', 'previewed'),
  committed: bi('已提交', 'committed'),
  discarded: bi('已放弃', 'discarded'),
};

export type CountKey = 'add' | 'change' | 'keep' | 'skip' | 'remove';

/** The big numbers of a preview, in the order a commit reads. */
export const COUNT_KEYS: { key: CountKey; label: Bi; hint: Bi }[] = [
  { key: 'add', label: bi('新增', 'add'), hint: bi('文件中新的编码', 'codes new to Zhihui') },
  { key: 'change', label: bi('修改', 'change'), hint: bi('几何或属性有变化', 'shape or attributes changed') },
  { key: 'keep', label: bi('不变', 'keep'), hint: bi('与现行版本相同', 'same as in force') },
  { key: 'skip', label: bi('跳过', 'skip'), hint: bi('有错误，不导入', 'rows with errors, left out') },
  { key: 'remove', label: bi('删除', 'remove'), hint: bi('文件中已没有，将关闭', 'no longer in the file: closed') },
];

export const coordsOptions: { value: NonNullable<GisUploadOptions['coords']>; label: Bi }[] = [
  { value: 'wgs84', label: bi('WGS84 无偏移', 'none') },
  { value: 'gcj02', label: bi('GCJ-02 高德', 'Amap') },
  { value: 'bd09', label: bi('BD-09 百度', 'Baidu') },
];

export const encodingOptions: { value: '' | 'gbk' | 'utf-8'; label: Bi }[] = [
  { value: '', label: bi('自动识别', 'auto: .cpg or detected') },
  { value: 'gbk', label: bi('GBK', 'GB2312 / GBK') },
  { value: 'utf-8', label: bi('UTF-8', 'Unicode') },
];

/** Where the encoding the server read with came from. */
export const encodingSourceLabel: Record<string, Bi> = {
  request: bi('按所选', 'as chosen here'),
  cpg: bi('.cpg 文件', 'the .cpg file'),
  ldid: bi('.dbf 语言标识', 'the .dbf language id'),
  bom: bi('字节序标记', 'the byte-order mark'),
  sniff: bi('自动识别', 'detected from the text'),
  format: bi('格式规定', 'the format says so'),
};

export const layerLabel = (layer: GisLayer): Bi => GIS_LAYERS[layer]?.label ?? bi(layer, '');

export const problemLabel = (kind: string): Bi => PROBLEM_KINDS[kind as ProblemKind] ?? bi(kind, '');

/** 个网格 / 个行政区: what a layer counts in. */
const unit: Record<GisLayer, Bi> = {
  districts: bi('个行政区', 'districts'),
  grid_cells: bi('个网格', 'grid cells'),
  key_areas: bi('个重点地区', 'key areas'),
  illegal_buildings: bi('处违法建设', 'illegal buildings'),
};

/** What a commit will do, said before it is done. */
export function commitSummary(layer: GisLayer, c: GisCounts): Bi {
  const u = unit[layer] ?? bi('条', 'rows');
  const add = c.add ?? 0;
  const change = c.change ?? 0;
  const remove = c.remove ?? 0;
  const keep = c.keep ?? 0;
  const skip = c.skip ?? 0;
  return {
    zh:
      `将新增 ${add}、修改 ${change}、关闭 ${remove} ${u.zh}，${keep} ${u.zh}不变；${skip} 行有错误，不导入。` +
      '提交后立即生效为新版本，已上报的案件仍保留原来所在的网格。',
    en:
      `Adds ${add}, changes ${change} and closes ${remove} ${u.en}; ${keep} stay as they are; ${skip} rows with errors are left out. ` +
      'The new version is in force at once; cases already filed keep the cell they were located in.',
  };
}
