// Shared rules of the leader view: squads in counting order, durations with units, key areas judged
// only on enough expected complaints.
import { describe, expect, it } from 'vitest';
import { KEY_AREA_MIN_EXPECTED } from '#shared/leader/contract.ts';
import { judgeKeyArea, keyAreaVerdict } from '#shared/leader/key-areas.ts';
import { formatMinutes } from '#shared/text/duration.ts';
import { compareOrdinalNames, parseNumeral } from '#shared/text/ordinal.ts';

describe('ordinal names', () => {
  it('reads Chinese numerals', () => {
    expect(['一', '二', '十', '十三', '二十', '二十一', '一百零五', '两', '12'].map(parseNumeral)).toEqual([1, 2, 10, 13, 20, 21, 105, 2, 12]);
    expect(parseNumeral('中队')).toBeNull();
  });

  it('orders 第一 < 第二 < 第三 … < 第十三, which code points and collation do not', () => {
    const names = ['第十三中队', '第三中队', '第一中队', '第十中队', '第二中队', '第十一中队', '第四中队'];
    expect([...names].sort(compareOrdinalNames)).toEqual(['第一中队', '第二中队', '第三中队', '第四中队', '第十中队', '第十一中队', '第十三中队']);
    expect(['第一', '第三', '第二'].sort()).toEqual(['第一', '第三', '第二']); // what a plain sort did
    const full = ['锦江区城管执法大队第三中队', '锦江区城管执法大队第一中队', '锦江区城管执法大队第二中队'];
    expect([...full].sort(compareOrdinalNames)).toEqual(['锦江区城管执法大队第一中队', '锦江区城管执法大队第二中队', '锦江区城管执法大队第三中队']);
    expect(compareOrdinalNames('Squad 2', 'Squad 10')).toBeLessThan(0);
  });
});

describe('durations', () => {
  it('writes minutes and hours with units', () => {
    expect(formatMinutes(42)).toEqual({ zh: '42 分钟', en: '42 min' });
    expect(formatMinutes(65)).toEqual({ zh: '1 小时 5 分', en: '1 h 5 min' });
    expect(formatMinutes(120)).toEqual({ zh: '2 小时', en: '2 h' });
    expect(formatMinutes(3080)).toEqual({ zh: '51 小时 20 分', en: '51 h 20 min' });
    expect(formatMinutes(0.2)).toEqual({ zh: '<1 分钟', en: '<1 min' });
    expect(formatMinutes(0)).toEqual({ zh: '0 分钟', en: '0 min' });
    expect(formatMinutes(59.6).zh).toBe('1 小时');
  });
});

describe('key-area verdict', () => {
  it('judges only from the minimum expected count', () => {
    expect(judgeKeyArea(0, 4)).toEqual({ change: -1, judged: false, met: false });
    expect(keyAreaVerdict(judgeKeyArea(0, 4))).toBe('too-few');
    expect(judgeKeyArea(8, KEY_AREA_MIN_EXPECTED)).toMatchObject({ judged: true, met: true });
    expect(keyAreaVerdict(judgeKeyArea(9, KEY_AREA_MIN_EXPECTED))).toBe('missed');
    expect(judgeKeyArea(3, 0)).toEqual({ change: null, judged: false, met: false });
  });
});
