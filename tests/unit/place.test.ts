import { describe, expect, it } from 'vitest';
import { placeInWords } from '#shared/cases/place.ts';

const none = { districtName: null, streetName: null, communityName: null, gridCode: null, address: null };

describe('placeInWords', () => {
  it('names district, street and community, then the address and the grid code', () => {
    expect(
      placeInWords({ districtName: '锦江区', streetName: '春熙路街道', communityName: '和平社区', gridCode: '510104001002003', address: '红星路三段 12 号' }),
    ).toEqual({ area: '锦江区 · 春熙路街道 · 和平社区', address: '红星路三段 12 号', grid: '510104001002003' });
  });
  it('leaves out what is not known, and an address that only repeats the district', () => {
    expect(placeInWords({ ...none, districtName: '锦江区', address: ' 锦江区 ' })).toEqual({ area: '锦江区', address: null, grid: null });
    expect(placeInWords(none)).toEqual({ area: null, address: null, grid: null });
  });
});
