import { describe, expect, it } from 'vitest';
import { formatGridCode, parseGridCode } from '#shared/grid-code.ts';

describe('grid codes (15 digits: district 6, street 3, community 3, sequence 3)', () => {
  it('formats and parses back', () => {
    const code = formatGridCode({ district: '510104', street: '2', community: '15', sequence: 7 });
    expect(code).toBe('510104002015007');
    expect(parseGridCode(code)).toEqual({ district: '510104', street: '002', community: '015', sequence: 7 });
  });

  it.each(['51010400201500', '5101040020150071', '51010400201500a', '510104000015007', '510104002000007', '510104002015000'])('rejects %s', (code) =>
    expect(parseGridCode(code)).toBeNull(),
  );

  it('refuses parts out of range', () => {
    expect(() => formatGridCode({ district: '5101', street: '1', community: '1', sequence: 1 })).toThrow(/6 digits/);
    expect(() => formatGridCode({ district: '510104', street: '1000', community: '1', sequence: 1 })).toThrow(/street/);
    expect(() => formatGridCode({ district: '510104', street: '1', community: '1', sequence: 1000 })).toThrow(/sequence/);
  });
});
