// Where a case is, in words: the one formatter the console's 位置 and the officer's dispatch card
// both use, so the two screens never describe the same spot differently. The server's case view
// carries the parts (district, street and community of the grid cell, the reporter's address); the
// nearest named road or intersection is not among them yet: it needs a road gazetteer, which the
// database does not have (a later issue builds it from the OSM extracts).
import type { CaseView } from './contract.ts';

export type PlaceParts = Pick<CaseView, 'districtName' | 'streetName' | 'communityName' | 'gridCode' | 'address'>;

export interface PlaceWords {
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

export function placeInWords(p: PlaceParts): PlaceWords {
  const parts = [p.districtName, p.streetName, p.communityName].map(clean).filter((s): s is string => s !== null);
  const address = clean(p.address);
  return {
    area: parts.length ? parts.join(' · ') : null,
    // an address that only repeats the area adds nothing
    address: address && !parts.includes(address) ? address : null,
    grid: clean(p.gridCode),
  };
}
