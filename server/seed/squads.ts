import type pg from 'pg';
import { between, pick, seededRandom } from './random.ts';

/**
 * 2–3 squads per district (3 where the district is over 70 km²), each responsible (属地) for a
 * cluster of neighbouring streets; its base sits inside its area. Grid cells take their squad from
 * their street.
 */
export async function insertSquads(client: pg.PoolClient): Promise<number> {
  await client.query(`
    CREATE TEMP TABLE seed_street_squad ON COMMIT DROP AS
    WITH d AS (SELECT adcode, name, CASE WHEN ST_Area(boundary::geography) > 7e7 THEN 3 ELSE 2 END AS k FROM districts),
    s AS (
      SELECT st.code, st.district_adcode, ST_ClusterKMeans(ST_PointOnSurface(st.boundary), d.k) OVER (PARTITION BY st.district_adcode) AS cluster
      FROM streets st JOIN d ON d.adcode = st.district_adcode
    )
    SELECT code, district_adcode, dense_rank() OVER (PARTITION BY district_adcode ORDER BY cluster) AS squad_no FROM s`);
  const res = await client.query(`
    INSERT INTO squads (name, district_adcode, base, phone)
    SELECT d.name || '城管执法大队第' || (ARRAY['一','二','三','四'])[q.squad_no] || '中队', q.district_adcode,
           ST_PointOnSurface(ST_Union(st.boundary)), '028-' || (8600 + q.squad_no)::text || right(q.district_adcode, 4)
    FROM seed_street_squad q JOIN streets st ON st.code = q.code JOIN districts d ON d.adcode = q.district_adcode
    GROUP BY d.name, q.district_adcode, q.squad_no
    ORDER BY q.district_adcode, q.squad_no`);
  // Each squad's area is the union of its streets: a few polygons, not thousands of grid cells.
  await client.query(`
    CREATE TEMP TABLE seed_squad_area ON COMMIT DROP AS
    SELECT sq.id AS squad_id, q.code AS street_code
    FROM seed_street_squad q
    JOIN districts d ON d.adcode = q.district_adcode
    JOIN squads sq ON sq.name = d.name || '城管执法大队第' || (ARRAY['一','二','三','四'])[q.squad_no] || '中队'`);
  await client.query(`UPDATE grid_cells g SET squad_id = a.squad_id FROM seed_squad_area a WHERE left(g.code, 9) = a.street_code`);
  return res.rowCount ?? 0;
}

const SURNAMES = [
  '王',
  '李',
  '张',
  '刘',
  '陈',
  '杨',
  '黄',
  '赵',
  '吴',
  '周',
  '徐',
  '孙',
  '马',
  '朱',
  '胡',
  '郭',
  '何',
  '林',
  '罗',
  '高',
  '郑',
  '梁',
  '谢',
  '宋',
  '唐',
  '许',
  '邓',
  '冯',
  '韩',
  '曹',
  '曾',
  '彭',
  '蒋',
  '蔡',
  '袁',
  '杜',
];
const GIVEN = [
  '伟',
  '芳',
  '娜',
  '敏',
  '静',
  '丽',
  '强',
  '磊',
  '军',
  '洋',
  '勇',
  '艳',
  '杰',
  '娟',
  '涛',
  '明',
  '超',
  '秀英',
  '霞',
  '平',
  '刚',
  '桂英',
  '建华',
  '志强',
  '晓东',
  '海燕',
  '俊',
  '鑫',
  '雪',
  '浩',
  '宇',
  '欣怡',
  '子涵',
  '思远',
  '建国',
  '红梅',
];
const EQUIPMENT_SETS = [
  ['执法记录仪', '手持终端'],
  ['执法记录仪', '手持终端', '电动巡逻车'],
  ['执法记录仪', '对讲机'],
  ['执法记录仪', '手持终端', '执法车'],
];

/**
 * Officers and auxiliaries with positions around their squad's area. Some are off duty and some
 * positions are stale (older than 30 minutes), as on a real shift, so recommendation has work to do.
 */
export async function insertOfficers(client: pg.PoolClient, now: Date): Promise<{ officers: number; auxiliaries: number }> {
  const rand = seededRandom(20261130);
  const squads = await client.query<{ id: number; district_adcode: string; n: number; lon: number; lat: number; k: number }>(`
    WITH areas AS (
      SELECT sq.id, sq.district_adcode, ST_Union(st.boundary) AS area
      FROM squads sq JOIN seed_squad_area a ON a.squad_id = sq.id JOIN streets st ON st.code = a.street_code
      GROUP BY sq.id, sq.district_adcode
    ),
    sized AS (SELECT id, district_adcode, area, 10 + (id * 7) % 5 AS n FROM areas)
    SELECT s.id, s.district_adcode, s.n, ST_X(p.geom) AS lon, ST_Y(p.geom) AS lat, p.path[1] AS k
    FROM sized s CROSS JOIN LATERAL ST_Dump(ST_GeneratePoints(s.area, s.n, 7000 + s.id)) p
    ORDER BY s.id, p.path[1]`);
  const rows = {
    name: [] as string[],
    squad: [] as number[],
    kind: [] as string[],
    cert: [] as (string | null)[],
    certExp: [] as (string | null)[],
    duty: [] as string[],
    lon: [] as number[],
    lat: [] as number[],
    at: [] as string[],
    equipment: [] as string[],
    phone: [] as string[],
  };
  let certSerial = 0;
  for (const s of squads.rows) {
    const certified = rand() < 0.58;
    const duty = rand() < 0.78 ? 'available' : 'off_duty';
    // Most on-duty positions are fresh; a few devices stopped reporting. Off-duty positions are old.
    const ageMin = duty === 'off_duty' ? between(rand, 60, 600) : rand() < 0.88 ? between(rand, 0, 12) : between(rand, 31, 180);
    rows.name.push(pick(rand, SURNAMES) + pick(rand, GIVEN));
    rows.squad.push(s.id);
    rows.kind.push(certified ? 'officer' : 'auxiliary');
    certSerial += certified ? 1 : 0;
    rows.cert.push(certified ? `川执${s.district_adcode}${String(certSerial).padStart(5, '0')}` : null);
    rows.certExp.push(certified ? `${2027 + Math.floor(rand() * 4)}-${String(1 + Math.floor(rand() * 12)).padStart(2, '0')}-28` : null);
    rows.duty.push(duty);
    rows.lon.push(s.lon);
    rows.lat.push(s.lat);
    rows.at.push(new Date(now.getTime() - ageMin * 60_000).toISOString());
    rows.equipment.push(JSON.stringify(certified ? pick(rand, EQUIPMENT_SETS) : ['对讲机', '手持终端']));
    rows.phone.push(`13${Math.floor(between(rand, 100000000, 999999999))}`);
  }
  await client.query(
    `INSERT INTO officers (name, squad_id, kind, certificate_no, certificate_expires, duty_status, position, position_at, equipment, phone)
     SELECT name, squad, kind, cert, cert_exp::date, duty, ST_SetSRID(ST_MakePoint(lon, lat), 4326), at::timestamptz,
            ARRAY(SELECT jsonb_array_elements_text(eq::jsonb)), phone
     FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::float8[], $8::float8[], $9::text[], $10::text[], $11::text[])
       AS t(name, squad, kind, cert, cert_exp, duty, lon, lat, at, eq, phone)`,
    [rows.name, rows.squad, rows.kind, rows.cert, rows.certExp, rows.duty, rows.lon, rows.lat, rows.at, rows.equipment, rows.phone],
  );
  const officers = rows.kind.filter((k) => k === 'officer').length;
  return { officers, auxiliaries: rows.kind.length - officers };
}
