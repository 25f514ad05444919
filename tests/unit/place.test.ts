import { describe, expect, it } from 'vitest';
import { placeInWords } from '#shared/cases/place.ts';

const none = { districtName: null, streetName: null, communityName: null, gridCode: null, address: null };

describe('placeInWords', () => {
  it('names district, street and community, then the address and the grid code', () => {
    expect(
      placeInWords({ districtName: '锦江区', streetName: '春熙路街道', communityName: '和平社区', gridCode: '510104001002003', address: '红星路三段 12 号' }),
    ).toEqual({ landmark: null, area: '锦江区 · 春熙路街道 · 和平社区', address: '红星路三段 12 号', grid: '510104001002003' });
  });
  it('leaves out what is not known, and an address that only repeats the district', () => {
    expect(placeInWords({ ...none, districtName: '锦江区', address: ' 锦江区 ' })).toEqual({ landmark: null, area: '锦江区', address: null, grid: null });
    expect(placeInWords(none)).toEqual({ landmark: null, area: null, address: null, grid: null });
  });
  it("says the landmark found at intake, in the screen's language", () => {
    const landmark = { kind: 'intersection' as const, name: '人民南路四段与玉林东路交叉口', meters: 38.6, bearing: 47 };
    const zh = placeInWords({ ...none, landmark }).landmark;
    expect(zh).toContain('人民南路四段与玉林东路交叉口');
    expect(zh).toContain('东北');
    expect(zh).toMatch(/4\d 米/);
    expect(placeInWords({ ...none, landmark }, 'en').landmark).toMatch(/NE/);
    expect(placeInWords({ ...none, landmark: null }).landmark).toBeNull();
    // the search box writes the landmark's name as the address: said once
    expect(placeInWords({ ...none, landmark, address: '人民南路四段与玉林东路交叉口' }).address).toBeNull();
    expect(placeInWords({ ...none, landmark, address: '玉林东路 8 号' }).address).toBe('玉林东路 8 号');
  });
});
