// Place search over a 100,000-entry gazetteer: the demo city's (≈55,000: its grid codes, roads,
// intersections, areas) plus 100,000 synthetic but realistic entries — roads, intersections and
// house numbers whose names are built from real Chinese road-name parts (人民/红星/玉林… + 东/南… +
// 路/街/大道… + 一段…) — around Chengdu. The search (server/geocode/service.ts) against, in the same
// run, the bare substring scan it replaces (no index: `strpos(norm, q) > 0` over every row) and,
// where the pg_trgm extension can be created, a trigram GIN index answering `norm LIKE '%q%'`.
//   npm run bench -- geocode-search                          (a fresh embedded database)
//   DATABASE_URL=postgres://… npm run bench -- geocode-search  (a fresh database on that server)
// BENCH_SEARCHES (default 400 on PostgreSQL, 200 embedded): searches measured per mix.
//
// Measured 2026-12-03 on 2 cores shared with other work, 155,000 entries, p95 over every query form:
//   PostgreSQL 15.18 (LC_CTYPE C.UTF-8), 400 per form:  10.8 ms (worst form: full road name 14.2 ms)
//     substring step alone, 3 characters: bigram GIN 8.8 ms, no index 108 ms, pg_trgm GIN 2.9 ms;
//     2 characters: pg_trgm GIN 108 ms (a trigram index cannot serve a 2-character pattern)
//   embedded PGlite (PostgreSQL 18.6), 100 per form:      18.8 ms (worst: house number 23.1 ms)
//     substring step alone: bigram GIN 8.1 ms, no index 66 ms; pg_trgm not loaded there
import { searchPlaces } from '../server/geocode/service.ts';
import { benchDatabase, fmt, measure, type Stats } from './support.ts';

const SYNTHETIC = 100_000;
const db = await benchDatabase();
const SEARCHES = Number(process.env.BENCH_SEARCHES ?? (db.mode === 'embedded' ? 200 : 400));

// ---- a deterministic generator (mulberry32) -------------------------------------------------------
let seed = 20261203;
const rnd = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;

// real parts of Chinese road names
const STEMS = [
  '人民',
  '红星',
  '玉林',
  '建设',
  '解放',
  '中山',
  '东风',
  '光华',
  '青年',
  '和平',
  '长顺',
  '蜀都',
  '科华',
  '新华',
  '永丰',
  '春熙',
  '总府',
  '顺城',
  '东大',
  '西大',
  '武侯',
  '浆洗',
  '芳草',
  '桐梓林',
  '倪家桥',
  '磨子桥',
  '九眼桥',
  '双林',
  '府青',
  '猛追湾',
  '一环',
  '二环',
  '三环',
  '天府',
  '锦绣',
  '太升',
  '北新',
  '抚琴',
  '营门口',
  '金沙',
  '清江',
  '白果林',
  '草市',
  '骡马市',
  '文殊院',
  '盐市口',
  '红照壁',
  '致民',
  '龙江',
  '沙湾',
  '交大',
  '高升桥',
  '跳伞塔',
  '紫荆',
  '神仙树',
  '航空',
  '府城',
  '滨江',
  '临江',
  '染房',
  '槐树',
  '东门',
  '万年场',
  '水碾河',
  '踏水',
] as const;
const DIRS = ['', '东', '西', '南', '北', '中', '东一', '西二', '南三'] as const;
const TYPES = ['路', '街', '大道', '大街', '巷', '横街', '正街', '支路'] as const;
const SECTIONS = ['', '', '', '一段', '二段', '三段', '四段', '五段'] as const;
const roadName = () => `${pick(STEMS)}${pick(DIRS)}${pick(TYPES)}${pick(SECTIONS)}`;

const roads: string[] = [];
type Entry = { kind: string; name: string; lon: number; lat: number };
const entries: Entry[] = [];
const at = () => ({ lon: 103.95 + rnd() * 0.25, lat: 30.55 + rnd() * 0.2 });
for (let i = 0; i < SYNTHETIC; i++) {
  const r = rnd();
  if (r < 0.45) {
    const name = roadName();
    roads.push(name);
    entries.push({ kind: 'road', name, ...at() });
  } else if (r < 0.8) {
    const a = roads.length ? pick(roads) : roadName();
    entries.push({ kind: 'intersection', name: `${a}与${roadName()}交叉口`, ...at() });
  } else {
    entries.push({ kind: 'address', name: `${roads.length ? pick(roads) : roadName()}${1 + Math.floor(rnd() * 300)}号`, ...at() });
  }
}

let t = performance.now();
for (let i = 0; i < entries.length; i += 10_000) {
  await db.pool.query(
    `INSERT INTO gazetteer (kind, name, point, source, source_id)
     SELECT e->>'kind', e->>'name', ST_SetSRID(ST_MakePoint((e->>'lon')::float8, (e->>'lat')::float8), 4326), 'bench-synthetic', ($2::int + n)::text
     FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(e, n)`,
    [JSON.stringify(entries.slice(i, i + 10_000)), i],
  );
}
await db.pool.query('ANALYZE gazetteer');
const total = Number((await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM gazetteer`)).rows[0]!.n);
console.log(
  `geocode search on the ${db.mode} database: ${total.toLocaleString('en')} gazetteer entries (${SYNTHETIC.toLocaleString('en')} synthetic) filled in ${((performance.now() - t) / 1000).toFixed(1)} s`,
);

// ---- the queries: what dispatchers type, drawn from the entries --------------------------------------
const grid = (await db.pool.query<{ name: string }>(`SELECT name FROM gazetteer WHERE kind = 'grid' ORDER BY id LIMIT 2000`)).rows.map((r) => r.name);
const typo = (s: string) => {
  const c = [...s];
  const i = 1 + Math.floor(rnd() * (c.length - 2));
  c[i] = c[i] === '断' ? '段' : '断';
  return c.join('');
};
const junctions = entries.filter((e) => e.kind === 'intersection').map((e) => e.name.replace(/交叉口$/, '').split('与') as [string, string]);
const MIXES: Record<string, () => string> = {
  'full road name': () => pick(roads),
  'partial (first 3 chars)': () => [...pick(roads)].slice(0, 3).join(''),
  'partial (2 chars)': () => [...pick(roads)].slice(0, 2).join(''),
  'intersection, other order (B和A)': () => {
    const [a, b] = pick(junctions);
    return `${b}和${a}`;
  },
  'intersection (A/B路口)': () => {
    const [a, b] = pick(junctions);
    return `${a}/${b}路口`;
  },
  'one typo': () => typo(pick(roads.filter((r) => [...r].length >= 5))),
  'house number': () => `${pick(roads)}${1 + Math.floor(rnd() * 300)}号`,
  'grid code prefix': () => pick(grid).slice(0, 9 + Math.floor(rnd() * 7)),
  'demo: 玉林东路和人民南路四段': () => '玉林东路和人民南路四段',
  'nothing (不存在的火星路)': () => '不存在的火星路',
};
const origin = () => at();

const fmtRow = (label: string, s: Stats) => `  ${label.padEnd(36)} ${fmt(s)}`;
const all: number[] = [];
console.log(`searchPlaces (limit 8, with the caller's lon/lat), one at a time, ${SEARCHES} per mix:`);
for (const [label, make] of Object.entries(MIXES)) {
  const qs = Array.from({ length: SEARCHES + 3 }, make);
  const s = await measure(SEARCHES, async (i) => {
    const o = origin();
    const t0 = performance.now();
    await searchPlaces(db.pool, { q: qs[i]!, lon: o.lon, lat: o.lat, limit: 8 });
    all.push(performance.now() - t0);
  });
  console.log(fmtRow(label, s));
}
const sorted = [...all].sort((a, b) => a - b);
const overall = sorted[Math.floor(0.95 * sorted.length)]!;
console.log(`  ${'ALL MIXES'.padEnd(36)} p95 ${overall.toFixed(1)} ms  (target < 50 ms on PostgreSQL)`);

// ---- baselines, same run ------------------------------------------------------------------------------
const partials = Array.from({ length: 60 }, () => [...pick(roads)].slice(0, 3).join(''));
const bare = await measure(Math.min(60, SEARCHES), (i) =>
  db.pool.query(`SELECT name FROM gazetteer WHERE strpos(norm, $1) > 0 ORDER BY char_length(norm) LIMIT 120`, [partials[i % partials.length]]),
);
const gin = await measure(Math.min(60, SEARCHES), (i) =>
  db.pool.query(`SELECT name FROM gazetteer WHERE grams @> $2::text[] AND strpos(norm, $1) > 0 ORDER BY char_length(norm) LIMIT 120`, [
    partials[i % partials.length],
    [...new Set([...partials[i % partials.length]!].map((c, j, a) => (j + 1 < a.length ? c + a[j + 1] : null)).filter(Boolean))],
  ]),
);
console.log('the substring step alone (a 3-character partial name), 60 queries:');
console.log(fmtRow('bigram GIN (grams @> …)', gin));
console.log(fmtRow('no index (strpos over every row)', bare));
console.log(`  ratio no index / bigram GIN at p95: ${(bare.p95 / gin.p95).toFixed(1)}×`);

// pg_trgm, where it can be created: the extension's answer on CJK in this database's locale, and its speed
t = performance.now();
try {
  await db.pool.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
  const locale = (await db.pool.query<{ c: string }>(`SELECT datctype AS c FROM pg_database WHERE datname = current_database()`)).rows[0]!.c;
  const trgm = (
    await db.pool.query<{ n: number; s: number }>(`SELECT cardinality(show_trgm('人民南路四段')) AS n, similarity('人民南路四段', '人民南路四断') AS s`)
  ).rows[0]!;
  await db.pool.query('CREATE INDEX gazetteer_norm_trgm_bench ON gazetteer USING gin (norm gin_trgm_ops) WITH (fastupdate = off)');
  await db.pool.query('ANALYZE gazetteer');
  console.log(
    `pg_trgm (LC_CTYPE ${locale}): show_trgm('人民南路四段') has ${trgm.n} trigrams, similarity to 人民南路四断 ${Number(trgm.s).toFixed(2)}; index built in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
  const tri = await measure(Math.min(60, SEARCHES), (i) =>
    db.pool.query(`SELECT name FROM gazetteer WHERE norm LIKE '%' || $1 || '%' ORDER BY char_length(norm) LIMIT 120`, [partials[i % partials.length]]),
  );
  const two = await measure(Math.min(60, SEARCHES), (i) =>
    db.pool.query(`SELECT name FROM gazetteer WHERE norm LIKE '%' || $1 || '%' ORDER BY char_length(norm) LIMIT 120`, [
      [...partials[i % partials.length]!].slice(0, 2).join(''),
    ]),
  );
  console.log(fmtRow('trigram GIN, LIKE %3 chars%', tri));
  console.log(fmtRow('trigram GIN, LIKE %2 chars%', two));
} catch (err) {
  console.log(`pg_trgm: not available here (${(err as Error).message.split('\n')[0]})`);
}

await db.close();
