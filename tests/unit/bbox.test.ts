import { describe, expect, it } from 'vitest';
import { parseBbox } from '#shared/bbox.ts';

describe('parseBbox', () => {
  it('accepts a well-formed box', () => {
    expect(parseBbox('104.05,30.65,104.08,30.67')).toEqual({ ok: true, value: [104.05, 30.65, 104.08, 30.67] });
    expect(parseBbox(' 104.05 , 30.65,104.08, 30.67 ')).toEqual({ ok: true, value: [104.05, 30.65, 104.08, 30.67] });
  });

  it.each([
    ['104.05,30.65,104.08', /4 comma-separated numbers.*got 3/],
    ['104.05,30.65,104.08,30.67,1', /got 5/],
    ['104.05,abc,104.08,30.67', /minLat is not a number: "abc"/],
    ['104.05,,104.08,30.67', /minLat is not a number/],
    ['181,30.65,182,30.67', /minLon 181 is out of range/],
    ['104.05,-91,104.08,30.67', /minLat -91 is out of range/],
    ['104.08,30.65,104.05,30.67', /minLon 104.08 must be less than maxLon 104.05/],
    ['104.05,30.67,104.08,30.67', /minLat 30.67 must be less than maxLat 30.67/],
    ['100,20,110,30', /spans more than 2°/],
    ['Infinity,30,104,31', /minLon is not a number/],
  ])('refuses %s and says why', (text, message) => {
    const r = parseBbox(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });
});
