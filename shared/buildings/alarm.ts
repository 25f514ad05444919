/**
 * 新增违建零容忍: when a newly found illegal building is escalated (督办) to the district's leaders
 * at once. One rule for the server, the console and the docs.
 */
export interface NewBuildingFacts {
  kind: string;
  inKeyArea: boolean;
  /** the district has a target for this year that allows no new construction (new_max = 0) */
  zeroGrowthDistrict: boolean;
}

/** Why a building must be escalated now, in words for the leader, or null. */
export function newBuildingAlarm(b: NewBuildingFacts): { zh: string; en: string } | null {
  if (b.kind !== 'new') return null;
  if (b.inKeyArea) return { zh: '重点地区发现新增违建', en: 'new illegal building in a key area' };
  if (b.zeroGrowthDistrict) return { zh: '零增长目标辖区发现新增违建', en: 'new illegal building in a zero-growth district' };
  return null;
}

/** How far (metres) from a registered footprint a construction case still concerns that building. */
export const BUILDING_MATCH_TOLERANCE_M = 15;
