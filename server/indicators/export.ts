import writeXlsxFile, { type Cell, type SheetData } from 'write-excel-file/node';
import type { IndicatorRow, IndicatorsReport } from '#shared/indicators/contract.ts';
import { COUNT_DEFINITIONS, INDICATOR_DEFINITIONS, RULES } from '#shared/indicators/definitions.ts';
import { shanghaiDateTime } from '#shared/time/deadlines.ts';
import { newOverTarget, PROGRESS_DEFINITIONS, PROGRESS_RULES } from '#shared/buildings/progress.ts';
import type { BuildingProgress } from '#shared/buildings/schemas.ts';

/** Readers of the sheet are in Beijing: the period's ends as its wall-clock time, not UTC ISO text. */
const beijing = (iso: string) => shanghaiDateTime(new Date(iso));

type Value = { kind: 'text'; text: string } | { kind: 'int'; n: number } | { kind: 'ratio'; n: number | null } | { kind: 'minutes'; n: number | null };

/** Column headers: Chinese, then the English in brackets. */
export function exportHeaders(by: IndicatorsReport['by']): string[] {
  return [
    by === 'district' ? '区县代码 (district code)' : '中队编号 (squad id)',
    by === 'district' ? '区县 (district)' : '中队 (squad)',
    '所属区县代码 (district of the row)',
    ...COUNT_DEFINITIONS.map((c) => `${c.name.zh} (${c.name.en})`),
    ...INDICATOR_DEFINITIONS.map((d) => (d.kind === 'ratio' ? `${d.name.zh} (${d.name.en})` : `${d.name.zh}/分钟 (${d.name.en} in minutes)`)),
  ];
}

function rowValues(r: IndicatorRow, isTotal: boolean): Value[] {
  const text = (t: string): Value => ({ kind: 'text', text: t });
  return [
    text(r.key ?? ''),
    text(isTotal ? '合计 (total)' : r.name),
    text(r.districtAdcode ?? ''),
    ...COUNT_DEFINITIONS.map((c): Value => ({ kind: 'int', n: r.counts[c.key] })),
    ...INDICATOR_DEFINITIONS.map((d): Value => ({ kind: d.kind, n: r.indicators[d.key] })),
  ];
}

function table(report: IndicatorsReport): Value[][] {
  return [...report.rows.map((r) => rowValues(r, false)), rowValues(report.total, true)];
}

function csvField(v: Value): string {
  let s: string;
  if (v.kind === 'text')
    s = /^[=+\-@\t\r]/.test(v.text) ? `'${v.text}` : v.text; // no formulas from a cell
  else if (v.kind === 'int') s = String(v.n);
  else if (v.n === null) s = '';
  // ratios as plain numbers (0.6, the value the XLSX cell holds under its 0.00% format): "60.00%"
  // is text to a spreadsheet, which neither sums nor sorts it
  else s = v.kind === 'ratio' ? String(Math.round(v.n * 1e6) / 1e6) : v.n.toFixed(2);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV, UTF-8 with a BOM (so Excel reads the Chinese right), CRLF lines: a header, a row per group, the total. Ratios as 0–1 numbers. */
export function indicatorsCsv(report: IndicatorsReport): Buffer {
  const lines = [exportHeaders(report.by).map((h) => csvField({ kind: 'text', text: h })), ...table(report).map((r) => r.map(csvField))];
  return Buffer.from(`\uFEFF${lines.map((l) => l.join(',')).join('\r\n')}\r\n`, 'utf8');
}

/**
 * 控违拆违 per district against the year's targets: done, target and share for stock m² and count,
 * new found against the allowed number, new m²; then the totals.
 */
export function progressSheet(p: BuildingProgress): SheetData {
  const head = [
    '区县代码 (district code)',
    '区县 (district)',
    ...PROGRESS_DEFINITIONS.flatMap((d) => {
      const name = `${d.name.zh} (${d.name.en})`;
      if (d.key === 'stockDemolishedM2' || d.key === 'stockDemolishedCount') return [name, `目标 (target)`, `完成率 (share of target)`];
      if (d.key === 'newFound') return [name, '新增上限 (allowed)', '超出 (over)'];
      return [name];
    }),
  ];
  const num = (n: number | null | undefined, format = '0'): Cell => (n === null || n === undefined ? null : { value: n, type: Number, format });
  const line = (r: BuildingProgress['rows'][number], total: boolean): Cell[] => {
    const t = r.target;
    return [
      { value: total ? '' : r.key, type: String },
      { value: r.name, type: String, ...(total ? { fontWeight: 'bold' as const } : {}) },
      num(r.stockDemolishedM2, '0.00'),
      num(t?.stockDemolishM2, '0.00'),
      num(t && t.stockDemolishM2 > 0 ? r.stockDemolishedM2 / t.stockDemolishM2 : null, '0.0%'),
      num(r.stockDemolishedCount),
      num(t?.stockDemolishCount),
      num(t && t.stockDemolishCount > 0 ? r.stockDemolishedCount / t.stockDemolishCount : null, '0.0%'),
      num(r.newFound),
      num(t?.newMax),
      { value: t ? (newOverTarget(r.newFound, t.newMax) ? '超出 (over)' : '') : '', type: String },
      num(r.newDemolishedM2, '0.00'),
    ];
  };
  return [
    [{ value: `${p.year} 年控违拆违进度 (illegal construction: progress of ${p.year})`, fontWeight: 'bold' }],
    head.map((h): Cell => ({ value: h, fontWeight: 'bold', wrap: true })),
    ...p.rows.map((r) => line(r, false)),
    line(p.totals, true),
    [],
    ...PROGRESS_RULES.map((r): Cell[] => [
      { value: r.zh, type: String },
      { value: r.en, type: String },
    ]),
  ];
}

/**
 * XLSX: sheet 指标 (the figures; ratios as numbers formatted 0.00%), sheet 口径 (the definitions), and
 * with `progress` a sheet 控违拆违 (illegal-building progress of the period's year).
 */
export async function indicatorsXlsx(report: IndicatorsReport, progress?: BuildingProgress): Promise<Buffer> {
  const header: Cell[] = exportHeaders(report.by).map((h) => ({ value: h, fontWeight: 'bold', wrap: true }));
  const cell = (v: Value): Cell => {
    if (v.kind === 'text') return { value: v.text, type: String };
    if (v.kind === 'int') return { value: v.n, type: Number, format: '0' };
    if (v.n === null) return null;
    return v.kind === 'ratio' ? { value: v.n, type: Number, format: '0.00%' } : { value: v.n, type: Number, format: '0.00' };
  };
  const figures: SheetData = [header, ...table(report).map((r) => r.map(cell))];
  const period: SheetData = [
    [
      { value: '统计期 (period)', fontWeight: 'bold' },
      { value: `${beijing(report.from)} 至 ${beijing(report.to)}（不含）北京时间 (Beijing time, UTC+8; end excluded)`, type: String },
    ],
    [
      { value: '截至 (as of)', fontWeight: 'bold' },
      { value: `${beijing(report.asOf)} 北京时间 (Beijing time)`, type: String },
    ],
    [
      { value: '范围 (scope)', fontWeight: 'bold' },
      { value: report.scopeDistrict ?? '全市 (city)', type: String },
    ],
    [],
    ...RULES.map((r): Cell[] => [
      { value: r.zh, type: String },
      { value: r.en, type: String },
    ]),
    [],
    [
      { value: '指标 (indicator)', fontWeight: 'bold' },
      { value: '口径 (definition)', fontWeight: 'bold' },
      { value: 'definition', fontWeight: 'bold' },
      { value: 'formula', fontWeight: 'bold' },
    ],
    ...INDICATOR_DEFINITIONS.map((d): Cell[] => [
      { value: `${d.name.zh} (${d.name.en})`, type: String },
      { value: d.definition.zh, type: String },
      { value: d.definition.en, type: String },
      { value: d.formula, type: String },
    ]),
    ...COUNT_DEFINITIONS.map((c): Cell[] => [
      { value: `${c.name.zh} (${c.name.en})`, type: String },
      { value: c.definition.zh, type: String },
      { value: c.definition.en, type: String },
      { value: c.key, type: String },
    ]),
    ...PROGRESS_DEFINITIONS.map((d): Cell[] => [
      { value: `${d.name.zh} (${d.name.en})`, type: String },
      { value: d.definition.zh, type: String },
      { value: d.definition.en, type: String },
      { value: d.key, type: String },
    ]),
  ];
  return writeXlsxFile([
    {
      data: figures,
      sheet: '指标',
      columns: [{ width: 14 }, { width: 22 }, { width: 12 }, ...Array(figures[0]!.length - 3).fill({ width: 16 })],
      stickyRowsCount: 1,
    },
    { data: period, sheet: '口径', columns: [{ width: 30 }, { width: 60 }, { width: 80 }, { width: 40 }] },
    ...(progress ? [{ data: progressSheet(progress), sheet: '控违拆违', columns: [{ width: 14 }, { width: 22 }, ...Array(10).fill({ width: 16 })] }] : []),
  ]).toBuffer();
}
