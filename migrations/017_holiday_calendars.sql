-- Up Migration
-- The holiday calendar (节假日安排) as data an administrator keeps per year: the State Council publishes
-- each year's schedule only weeks before the year starts. `holidays` are the days off (weekend days inside
-- a holiday run included), `workdays` the make-up working days (调休上班) on weekends. Working-day time
-- limits count on these rows (server/holidays); a year without a row counts Monday–Friday only.
CREATE TABLE holiday_years (
  year       integer PRIMARY KEY CHECK (year BETWEEN 2000 AND 2100),
  holidays   date[] NOT NULL,
  workdays   date[] NOT NULL DEFAULT '{}',
  -- where the days come from: the notice's name or address
  source     text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by integer REFERENCES users (id),
  CHECK (NOT (holidays && workdays))
);

-- The years shared/time/holidays-cn.ts (CN_CALENDAR) held, the same days.
INSERT INTO holiday_years (year, holidays, workdays, source) VALUES
(2025,
  ARRAY[
    '2025-01-01',                                                                                      -- 元旦
    '2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31', '2025-02-01', '2025-02-02', '2025-02-03', '2025-02-04', -- 春节
    '2025-04-04', '2025-04-05', '2025-04-06',                                                          -- 清明节
    '2025-05-01', '2025-05-02', '2025-05-03', '2025-05-04', '2025-05-05',                              -- 劳动节
    '2025-05-31', '2025-06-01', '2025-06-02',                                                          -- 端午节
    '2025-10-01', '2025-10-02', '2025-10-03', '2025-10-04', '2025-10-05', '2025-10-06', '2025-10-07', '2025-10-08' -- 国庆节、中秋节
  ]::date[],
  ARRAY['2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11']::date[],
  '国务院办公厅关于2025年部分节假日安排的通知 (as shipped in shared/time/holidays-cn.ts)'),
(2026,
  ARRAY[
    '2026-01-01', '2026-01-02', '2026-01-03',                                                          -- 元旦
    '2026-02-15', '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20', '2026-02-21', '2026-02-22', '2026-02-23', -- 春节
    '2026-04-04', '2026-04-05', '2026-04-06',                                                          -- 清明节
    '2026-05-01', '2026-05-02', '2026-05-03', '2026-05-04', '2026-05-05',                              -- 劳动节
    '2026-06-19', '2026-06-20', '2026-06-21',                                                          -- 端午节
    '2026-09-25', '2026-09-26', '2026-09-27',                                                          -- 中秋节
    '2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04', '2026-10-05', '2026-10-06', '2026-10-07'   -- 国庆节
  ]::date[],
  ARRAY['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']::date[],
  'as shipped in shared/time/holidays-cn.ts: verify against 国务院办公厅关于2026年部分节假日安排的通知');

-- Down Migration
DROP TABLE holiday_years;
