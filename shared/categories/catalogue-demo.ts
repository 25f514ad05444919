import type { CatalogueClass } from './catalogue.ts';

// The catalogue's shape is the one GET /api/categories serves (catalogue.ts).
export type { CatalogueClass, CatalogueEntry } from './catalogue.ts';

/**
 * The demo catalogue: event classes in the older CJ/T 214 numbering as domain.md §4 lists them, plus
 * the seed campaigns as local class 06. Codes that domain.md names without a number (违规户外广告,
 * 占道经营) take free numbers in their class. Time limits follow the local rules of domain.md §5 where
 * it gives them and are demo defaults elsewhere; a deployment loads its own catalogue version.
 */
export const DEMO_CATALOGUE_VERSION = 'cjt214-demo-2026';

export const DEMO_CATALOGUE: CatalogueClass[] = [
  {
    major: '01',
    zh: '市容环境',
    en: 'City appearance',
    entries: [
      {
        minor: '0101',
        zh: '私搭乱建',
        en: 'Illegal construction',
        timeLimit: 4,
        timeType: 'working_hours',
        enforcement: true,
        basePriority: 40,
        construction: true,
      },
      { minor: '0102', zh: '暴露垃圾', en: 'Exposed rubbish', timeLimit: 4, timeType: 'working_hours', enforcement: false, basePriority: 20 },
      { minor: '0103', zh: '积存垃圾渣土', en: 'Accumulated rubbish and muck', timeLimit: 2, timeType: 'working_days', enforcement: false, basePriority: 20 },
    ],
  },
  {
    major: '02',
    zh: '宣传广告',
    en: 'Advertising',
    entries: [
      { minor: '0201', zh: '非法小广告', en: 'Illegal small adverts', timeLimit: 1, timeType: 'working_days', enforcement: false, basePriority: 10 },
      {
        minor: '0202',
        zh: '违规户外广告',
        en: 'Non-compliant outdoor advertising',
        timeLimit: 5,
        timeType: 'working_days',
        enforcement: true,
        basePriority: 20,
      },
      { minor: '0204', zh: '街头散发小广告', en: 'Handing out flyers', timeLimit: 4, timeType: 'working_hours', enforcement: false, basePriority: 10 },
    ],
  },
  {
    major: '03',
    zh: '施工管理',
    en: 'Construction',
    entries: [
      { minor: '0301', zh: '施工扰民', en: 'Construction noise', timeLimit: 2, timeType: 'emergency_hours', enforcement: true, basePriority: 40 },
      { minor: '0302', zh: '工地扬尘', en: 'Site dust', timeLimit: 4, timeType: 'working_hours', enforcement: true, basePriority: 30 },
      { minor: '0304', zh: '道路遗撒', en: 'Spilled loads on roads', timeLimit: 2, timeType: 'emergency_hours', enforcement: true, basePriority: 40 },
    ],
  },
  {
    major: '04',
    zh: '突发事件',
    en: 'Emergencies',
    entries: [
      { minor: '0401', zh: '路面塌陷', en: 'Road collapse', timeLimit: 1, timeType: 'emergency_hours', enforcement: false, basePriority: 90 },
      { minor: '0403', zh: '燃气管道破裂', en: 'Gas pipe rupture', timeLimit: 1, timeType: 'emergency_hours', enforcement: false, basePriority: 95 },
      { minor: '0411', zh: '火灾', en: 'Fire', timeLimit: 1, timeType: 'emergency_hours', enforcement: false, basePriority: 95 },
    ],
  },
  {
    major: '05',
    zh: '街面秩序',
    en: 'Street order',
    entries: [
      { minor: '0501', zh: '无照经营游商', en: 'Unlicensed street vendors', timeLimit: 2, timeType: 'working_hours', enforcement: true, basePriority: 30 },
      { minor: '0503', zh: '占道经营', en: 'Business occupying the road', timeLimit: 2, timeType: 'working_hours', enforcement: true, basePriority: 30 },
      { minor: '0504', zh: '店外经营', en: 'Shop spill-over', timeLimit: 4, timeType: 'working_hours', enforcement: true, basePriority: 25 },
      {
        minor: '0505',
        zh: '机动车乱停放',
        en: 'Illegal parking (motor vehicles)',
        timeLimit: 2,
        timeType: 'working_hours',
        enforcement: true,
        basePriority: 20,
      },
      { minor: '0506', zh: '非机动车乱停放', en: 'Illegal parking (bicycles)', timeLimit: 4, timeType: 'working_hours', enforcement: false, basePriority: 15 },
      { minor: '0507', zh: '乱堆物堆料', en: 'Materials piled in public space', timeLimit: 1, timeType: 'working_days', enforcement: false, basePriority: 15 },
      { minor: '0510', zh: '露天烧烤', en: 'Open-air barbecue', timeLimit: 2, timeType: 'emergency_hours', enforcement: true, basePriority: 35 },
    ],
  },
  {
    major: '06',
    zh: '专项整治',
    en: 'Campaigns (local)',
    entries: [
      { minor: '0601', zh: '油烟扰民', en: 'Cooking-fume nuisance', timeLimit: 2, timeType: 'working_days', enforcement: true, basePriority: 25 },
      { minor: '0602', zh: '噪声扰民', en: 'Noise nuisance', timeLimit: 2, timeType: 'emergency_hours', enforcement: true, basePriority: 35 },
      { minor: '0603', zh: '露天焚烧', en: 'Open burning', timeLimit: 2, timeType: 'emergency_hours', enforcement: true, basePriority: 45 },
      { minor: '0604', zh: '餐饮污水直排', en: 'Restaurant sewage discharge', timeLimit: 1, timeType: 'working_days', enforcement: true, basePriority: 25 },
      { minor: '0605', zh: '垃圾分类不规范', en: 'Garbage sorting violations', timeLimit: 3, timeType: 'working_days', enforcement: false, basePriority: 10 },
    ],
  },
];
