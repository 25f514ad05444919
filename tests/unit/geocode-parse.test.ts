import { describe, expect, it } from 'vitest';
import { bigrams, normalizePlaceText } from '#shared/geocode/normalize.ts';
import { parseQuery, typoGramSets } from '#shared/geocode/parse.ts';
import { hitScore, intersectionScore, substringEditDistance, textScore } from '#shared/geocode/rank.ts';

const A = '人民南路四段';
const B = '玉林东路';

describe('normalizing place text', () => {
  it('drops spaces and punctuation, folds full-width and upper-case Latin', () => {
    expect(normalizePlaceText(' 人民南路 ４段（Ａ/b） ')).toBe('人民南路4段ab');
    expect(normalizePlaceText('春熙路·太古里')).toBe('春熙路太古里');
    expect(normalizePlaceText('，。 ')).toBe('');
  });
  it('cuts distinct bigrams', () => {
    expect(bigrams('人民南路')).toEqual(['人民', '民南', '南路']);
    expect(bigrams('路路路')).toEqual(['路路']);
    expect(bigrams('x')).toEqual(['x']);
    expect(bigrams('')).toEqual([]);
  });
});

describe('reading a query', () => {
  it.each([`${A}与${B}交叉口`, `${B}与${A}`, `${B}和${A}`, `${A}/${B}路口`, `${A} ${B}`, `${A}、${B}`, `${A}跟${B}十字路口`, `${A}／${B}`])(
    '“%s” is an intersection of the two roads',
    (q) => {
      const p = parseQuery(q);
      expect(p.intersections.map((x) => [...x].sort())).toContainEqual([A, B].sort());
    },
  );

  it('reads “A路口B” with the 路 of A given back', () => {
    expect(parseQuery('红星路口东大街').intersections).toContainEqual(['红星路', '东大街']);
    expect(parseQuery(`${A}路口${B}`).intersections).toContainEqual([A, B]);
  });

  it('keeps the whole text too, without a trailing 交叉口 / 路口 / 附近', () => {
    expect(parseQuery(`${A}与${B}交叉口`)).toMatchObject({ text: `${A}与${B}`, full: `${A}与${B}交叉口` });
    expect(parseQuery('天府广场附近').text).toBe('天府广场');
    expect(parseQuery('人民南').intersections).toEqual([]);
  });

  it('does not split a name at a separator character inside it', () => {
    // 和平街: 和 at the start leaves nothing on its left
    expect(parseQuery('和平街').intersections).toEqual([]);
  });

  it('reads a house number and a grid code', () => {
    expect(parseQuery('玉林街12号').house).toEqual({ road: '玉林街', number: '12' });
    expect(parseQuery('玉林街 12 号').house).toEqual({ road: '玉林街', number: '12' });
    expect(parseQuery('510107007010072')).toMatchObject({ gridCode: '510107007010072', house: null });
    expect(parseQuery('５１０１').gridCode).toBe('5101');
    expect(parseQuery('玉林街').house).toBeNull();
  });

  it('gives gram sets that survive one wrong, missing or extra character', () => {
    const holds = (name: string, q: string) => typoGramSets(q).some((set) => set.every((g) => bigrams(name).includes(g)));
    expect(holds(A, '人民南路四断')).toBe(true); // wrong
    expect(holds(A, '人民南四段')).toBe(true); // missing
    expect(holds(A, '人民南路路四段')).toBe(true); // extra
    expect(typoGramSets('玉林')).toEqual([]);
    for (const set of typoGramSets('人民南路四断')) expect(set.length).toBeGreaterThanOrEqual(2);
  });
});

describe('scoring a name', () => {
  it('orders whole > beginning > part > one typo > nothing', () => {
    const whole = textScore(A, A);
    const start = textScore('人民南', A);
    const part = textScore('南路四段', A);
    const typo = textScore('人民南路四断', A);
    expect(whole).toBe(1);
    expect(start).toBeLessThan(whole);
    expect(part).toBeLessThan(start);
    expect(typo).toBeLessThan(part);
    expect(typo).toBeGreaterThan(0);
    expect(textScore('人民北路', '玉林街')).toBe(0);
    expect(textScore('人民', '人民南路二段')).toBeGreaterThan(0);
    // under four characters, no typo is forgiven
    expect(textScore('玉木街', '玉林街')).toBe(0);
  });

  it('measures the edits to a substring', () => {
    expect(substringEditDistance('人民南路四断', `${A}与${B}交叉口`)).toBe(1);
    expect(substringEditDistance('林东', B)).toBe(0);
    expect(substringEditDistance('火星路', B)).toBe(2);
  });

  it('wants both roads of an intersection', () => {
    const name = `${A}与${B}交叉口`;
    expect(intersectionScore([B, A], name)).toBeGreaterThan(0.85);
    expect(intersectionScore([B, '火星路'], name)).toBe(0);
    expect(intersectionScore([B, '人民南路四断'], name)).toBeGreaterThan(intersectionScore(['玉林东街', '人民南路四断'], name));
  });

  it('lets nearness order equal matches only', () => {
    expect(hitScore(0.94, 'road', 10_000)).toBeGreaterThan(hitScore(0.917, 'intersection', 0));
    expect(hitScore(0.9, 'road', 100)).toBeGreaterThan(hitScore(0.9, 'road', 3_000));
    expect(hitScore(1, 'road', 0)).toBeLessThanOrEqual(1);
  });
});
