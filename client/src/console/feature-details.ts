// What the details panel shows for a clicked feature: a title and labelled rows, Chinese first.
import type { DistrictProps, GridCellProps, IllegalBuildingProps, KeyAreaProps, OfficerProps, SquadProps } from '../common/api-types.ts';
import type { Selection } from './console-state.svelte.ts';
import {
  buildingKindLabel,
  buildingStageLabel,
  dutyStatusLabel,
  equipmentLabel,
  formatDateTime,
  formatDec,
  formatInt,
  keyAreaKindLabel,
  keyAreaLevelLabel,
  label,
  layerTitle,
  officerKindLabel,
  bi,
  type Bi,
} from '../common/i18n.ts';

export type Tone = 'normal' | 'good' | 'warn' | 'alert' | 'muted';

export interface DetailRow {
  label: Bi;
  /** data as it is, or a coded value's label (drawn in the console's language mode) */
  value: string | Bi;
  /** a small note under the value */
  sub?: Bi;
  tone?: Tone;
}

export interface Details {
  kind: Bi;
  title: string;
  subtitle?: string;
  rows: DetailRow[];
}

const text = (v: string | null | undefined): string => (v === null || v === undefined || v === '' ? '—' : v);
const biRow = (l: Bi, v: Bi, tone?: Tone): DetailRow => ({ label: l, value: v, tone });

function age(iso: string | null, now: Date): Bi | undefined {
  if (!iso) return undefined;
  const ms = now.getTime() - new Date(iso).getTime();
  if (!Number.isFinite(ms)) return undefined;
  const min = Math.round(ms / 60_000);
  if (min < 1) return bi('刚刚', 'just now');
  if (min < 60) return bi(`${min} 分钟前`, `${min} min ago`);
  const h = Math.round(min / 60);
  return h < 48 ? bi(`${h} 小时前`, `${h} h ago`) : bi(`${Math.round(h / 24)} 天前`, `${Math.round(h / 24)} days ago`);
}

export function describe(sel: Selection, now = new Date()): Details {
  const kind = layerTitle[sel.layer];
  switch (sel.layer) {
    case 'districts': {
      const p = sel.properties as unknown as DistrictProps;
      return {
        kind,
        title: p.name,
        subtitle: p.nameEn,
        rows: [
          { label: bi('区划代码', 'Adcode'), value: text(p.adcode) },
          { label: bi('面积', 'Area'), value: `${formatDec(p.areaKm2)} km²` },
          { label: bi('单元网格', 'Grid cells'), value: formatInt(p.gridCellCount) },
        ],
      };
    }
    case 'gridCells': {
      const p = sel.properties as unknown as GridCellProps;
      return {
        kind,
        title: p.code,
        subtitle: [p.streetName, p.communityName].filter(Boolean).join(' · '),
        rows: [
          { label: bi('所属区', 'District'), value: text(p.districtName) },
          { label: bi('街道', 'Street'), value: text(p.streetName) },
          { label: bi('社区', 'Community'), value: text(p.communityName) },
          { label: bi('面积', 'Area'), value: `${formatInt(p.areaM2)} m²` },
          p.squadName
            ? { label: bi('责任中队', 'Responsible squad'), value: p.squadName }
            : { label: bi('责任中队', 'Responsible squad'), value: bi('属地兜底', 'district default'), tone: 'muted' },
        ],
      };
    }
    case 'keyAreas': {
      const p = sel.properties as unknown as KeyAreaProps;
      return {
        kind,
        title: p.name,
        subtitle: p.nameEn ?? undefined,
        rows: [
          biRow(bi('级别', 'Level'), label(keyAreaLevelLabel, p.level), p.level === 'city' ? 'alert' : 'warn'),
          biRow(bi('类型', 'Kind'), label(keyAreaKindLabel, p.kind)),
          biRow(bi('状态', 'Status'), p.active ? bi('在册', 'listed') : bi('已销账', 'de-listed'), p.active ? 'good' : 'muted'),
          { label: bi('优先级加权', 'Priority boost'), value: `+${formatDec(p.priorityBoost)}` },
          { label: bi('投诉基线', 'Complaint baseline'), value: formatDec(p.complaintBaseline) },
          { label: bi('挂账日期', 'Listed on'), value: text(p.listedOn) },
          { label: bi('销账日期', 'De-listed on'), value: text(p.delistedOn) },
        ],
      };
    }
    case 'illegalBuildings': {
      const p = sel.properties as unknown as IllegalBuildingProps;
      const settled = p.stage === 'demolished' || p.stage === 'rectified' || p.stage === 'closed';
      return {
        kind,
        title: p.code,
        subtitle: p.districtName,
        rows: [
          biRow(bi('类别', 'Kind'), label(buildingKindLabel, p.kind), p.kind === 'new' ? 'alert' : 'warn'),
          biRow(bi('阶段', 'Stage'), label(buildingStageLabel, p.stage), p.overdue ? 'alert' : settled ? 'good' : 'normal'),
          ...(p.escalated ? [biRow(bi('督办', 'Escalated'), bi('新增违建已督办', 'new construction escalated'), 'alert')] : []),
          { label: bi('占地面积', 'Footprint'), value: `${formatDec(p.areaM2)} m²` },
          { label: bi('层数', 'Floors'), value: formatInt(p.floors) },
          { label: bi('已拆除面积', 'Demolished'), value: `${formatDec(p.demolishedAreaM2)} m²` },
          { label: bi('当事人', 'Party'), value: text(p.party) },
          { label: bi('发现日期', 'Discovered on'), value: text(p.discoveredOn) },
        ],
      };
    }
    case 'squads': {
      const p = sel.properties as unknown as SquadProps;
      return {
        kind,
        title: p.name,
        subtitle: p.districtName,
        rows: [
          { label: bi('所属区', 'District'), value: text(p.districtName) },
          { label: bi('队员人数', 'Officers'), value: formatInt(p.officerCount) },
        ],
      };
    }
    case 'officers': {
      const p = sel.properties as unknown as OfficerProps;
      const equipment = Array.isArray(p.equipment) ? p.equipment : [];
      const tone: Tone = p.dutyStatus === 'available' ? 'good' : p.dutyStatus === 'busy' ? 'warn' : 'muted';
      return {
        kind,
        title: p.name,
        subtitle: p.squadName,
        rows: [
          biRow(bi('身份', 'Role'), label(officerKindLabel, p.kind), p.kind === 'officer' ? 'normal' : 'muted'),
          biRow(bi('岗位状态', 'Duty'), label(dutyStatusLabel, p.dutyStatus), tone),
          { label: bi('所属中队', 'Squad'), value: text(p.squadName) },
          { label: bi('定位时间', 'Position at'), value: formatDateTime(p.positionAt), sub: age(p.positionAt, now) },
          {
            label: bi('装备', 'Equipment'),
            value: equipment.length ? equipment.map((e) => label(equipmentLabel, e).zh).join('、') : '—',
          },
        ],
      };
    }
    case 'incidents':
      // cases open in the case panel, not here; a title is enough should one ever land here
      return { kind, title: String(sel.properties.code ?? sel.id), rows: [] };
  }
}
