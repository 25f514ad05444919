// Where a case is, in words: the one formatter the console's 位置 and the officer's dispatch card
// both use, so the two screens never describe the same spot differently. The server's case view
// carries the parts: district, street and community of the grid cell, the reporter's address, and
// the nearest named intersection or road the gazetteer found at intake.
import type { CaseView } from './contract.ts';
import { landmarkInWords } from '../geocode/words.ts';

export type PlaceParts = Pick<CaseView, 'districtName' | 'streetName' | 'communityName' | 'gridCode' | 'address'> & Partial<Pick<CaseView, 'landmark'>>;

export interface PlaceWords {
  /** "人民南路四段与玉林东路交叉口东约 20 米": what a caller or an officer would say; null beyond every named road */
  landmark: string | null;
  /** district · street · community, as far as known; null when the case lies outside every area */
  area: string | null;
  /** what the reporter said (an address or a landmark), when they said anything */
  address: string | null;
  /** the 15-digit unit grid code, which officers and the city's records use to name a cell */
  grid: string | null;
}

const clean = (s: string | null | undefined): string | null => {
  const t = s?.trim();
  return t ? t : null;
};

export function placeInWords(p: PlaceParts, lang: 'zh' | 'en' = 'zh'): PlaceWords {
  const parts = [p.districtName, p.streetName, p.communityName].map(clean).filter((s): s is string => s !== null);
  const address = clean(p.address);
  const landmark = p.landmark ? landmarkInWords(p.landmark, lang) : null;
  return {
    landmark,
    area: parts.length ? parts.join(' · ') : null,
    // an address that only repeats the area or the landmark's name (the search box fills it so) adds nothing
    address: address && !parts.includes(address) && address !== p.landmark?.name ? address : null,
    grid: clean(p.gridCode),
  };
}
