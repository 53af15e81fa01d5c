import type { CategoryDeclaration } from '#sdk';
import { catalogueClass } from './catalogue.ts';
import { COMPLEX_LIMITS, GENERAL_LIMITS, UTILITY_LIMITS } from './time-limits.ts';

/** What is wrong with a manhole cover; asked for every cover minor class. */
const coverProblem = {
  attributes: [
    {
      code: 'problem',
      datatype: 'singlevaluelist',
      description: { 'zh-CN': '井盖问题', en: 'What is wrong with the cover' },
      required: true,
      order: 1,
      values: [
        { key: 'missing', name: { 'zh-CN': '缺失', en: 'Missing' } },
        { key: 'broken', name: { 'zh-CN': '破损', en: 'Broken' } },
        { key: 'displaced', name: { 'zh-CN': '移位', en: 'Displaced' } },
        { key: 'noisy', name: { 'zh-CN': '异响', en: 'Rattling' } },
      ],
    },
    {
      code: 'component_code',
      datatype: 'string',
      description: {
        'zh-CN': '部件编码（16 位，见井盖铭牌）',
        en: 'Component code (16 digits, on the cover plate)',
      },
      order: 2,
    },
  ],
} as const satisfies Partial<CategoryDeclaration>;

const lead = (code: string, ...assist: string[]) => ({
  defaultResponsibility: assist.length ? { lead: code, assist } : { lead: code },
});

/**
 * Components (部件): city objects under management, in the major classes of the digital
 * urban management standards (GB/T 30428.2, CJ/T 214). Minor class numbers follow the
 * standard's arrangement where it is well known; cities adjust them in their own plate.
 */
export const componentCategories: readonly CategoryDeclaration[] = [
  ...catalogueClass(
    'component',
    '01',
    ['公用设施', 'Public facilities'],
    { defaultUrgency: 'normal', timeLimits: UTILITY_LIMITS, ...lead('urban-management') },
    [
      ['01', '上水井盖', 'Water supply manhole cover', { ...lead('water-utility'), ...coverProblem }],
      ['02', '污水井盖', 'Sewer manhole cover', { ...lead('drainage-utility'), ...coverProblem }],
      ['03', '雨水井盖', 'Storm drain manhole cover', { ...lead('drainage-utility'), ...coverProblem }],
      ['04', '雨水箅子', 'Storm drain grate', lead('drainage-utility')],
      ['05', '电力井盖', 'Power manhole cover', { ...lead('power-utility'), ...coverProblem }],
      ['06', '通信井盖', 'Telecom manhole cover', { ...lead('telecom'), ...coverProblem }],
      ['07', '燃气井盖', 'Gas manhole cover', { ...lead('gas-utility'), ...coverProblem }],
      ['08', '路灯', 'Street lamp', lead('street-lighting')],
      ['09', '消防栓', 'Fire hydrant', lead('fire-rescue', 'water-utility')],
      ['10', '变压器箱', 'Transformer box', lead('power-utility')],
      ['11', '通信交接箱', 'Telecom cabinet', lead('telecom')],
      ['12', '燃气调压箱', 'Gas pressure regulator box', lead('gas-utility')],
    ],
  ),
  ...catalogueClass(
    'component',
    '02',
    ['道路交通', 'Roads and traffic'],
    { defaultUrgency: 'normal', timeLimits: GENERAL_LIMITS, ...lead('transport') },
    [
      ['01', '公交站亭', 'Bus shelter', lead('public-transport')],
      ['02', '交通信号灯', 'Traffic signal', { ...lead('traffic-police'), defaultUrgency: 'urgent' }],
      ['03', '交通标志牌', 'Traffic sign', lead('traffic-police')],
      ['04', '道路护栏', 'Road guardrail'],
      ['05', '停车咪表', 'Parking meter', lead('traffic-police')],
      ['06', '过街天桥', 'Pedestrian overpass'],
      ['07', '桥梁', 'Bridge', lead('transport', 'housing-construction')],
      ['08', '隔离墩', 'Traffic bollard'],
      ['09', '交通监控设施', 'Traffic camera', lead('traffic-police')],
      ['10', '盲道', 'Tactile paving'],
    ],
  ),
  ...catalogueClass(
    'component',
    '03',
    ['市容环境', 'City appearance and environment'],
    { defaultUrgency: 'normal', timeLimits: GENERAL_LIMITS, ...lead('urban-management') },
    [
      ['01', '公共厕所', 'Public toilet', lead('sanitation')],
      ['02', '垃圾箱', 'Trash bin', lead('sanitation')],
      ['03', '垃圾收集站', 'Garbage collection point', lead('sanitation')],
      ['04', '广告牌匾', 'Billboard or shop sign'],
      ['05', '公共座椅', 'Public bench'],
      ['06', '报刊亭', 'Newsstand', lead('urban-management', 'market-supervision')],
      ['07', '景观灯', 'Decorative lighting', lead('street-lighting')],
    ],
  ),
  ...catalogueClass(
    'component',
    '04',
    ['园林绿化', 'Landscaping'],
    { defaultUrgency: 'normal', timeLimits: GENERAL_LIMITS, ...lead('landscaping') },
    [
      ['01', '古树名木', 'Ancient or notable tree'],
      ['02', '行道树', 'Street tree'],
      ['03', '绿地', 'Green space'],
      ['04', '花坛', 'Flower bed'],
      ['05', '雕塑', 'Sculpture'],
      ['06', '护树设施', 'Tree guard'],
    ],
  ),
  ...catalogueClass(
    'component',
    '05',
    ['房屋土地', 'Housing and land'],
    { defaultUrgency: 'normal', timeLimits: COMPLEX_LIMITS, ...lead('housing-construction') },
    [
      ['01', '危险房屋', 'Dangerous building', { defaultUrgency: 'urgent' }],
      ['02', '建筑工地', 'Construction site'],
      ['03', '闲置土地', 'Idle land', lead('natural-resources')],
    ],
  ),
  ...catalogueClass(
    'component',
    '06',
    ['其他设施', 'Other facilities'],
    { defaultUrgency: 'normal', timeLimits: GENERAL_LIMITS, ...lead('urban-management') },
    [
      ['01', '人防设施', 'Civil air defence facility'],
      ['02', '其他部件', 'Other component'],
    ],
  ),
];
