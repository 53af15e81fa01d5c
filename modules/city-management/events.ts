import type { CategoryDeclaration } from '#sdk';
import { catalogueClass } from './catalogue.ts';
import { COMPLEX_LIMITS, EMERGENCY_LIMITS, GENERAL_LIMITS, UTILITY_LIMITS } from './time-limits.ts';

const lead = (code: string, ...assist: string[]) => ({
  defaultResponsibility: assist.length ? { lead: code, assist } : { lead: code },
});

/**
 * Events (事件): happenings that need action, in the major classes of the digital urban
 * management standards. Emergencies carry their own, shorter limits and default to the
 * `emergency` urgency.
 */
export const eventCategories: readonly CategoryDeclaration[] = [
  ...catalogueClass(
    'event',
    '01',
    ['市容环卫', 'City appearance and sanitation'],
    { defaultUrgency: 'normal', timeLimits: GENERAL_LIMITS, ...lead('urban-management', 'sanitation') },
    [
      ['01', '暴露垃圾', 'Exposed garbage', lead('sanitation')],
      [
        '02',
        '积存垃圾渣土',
        'Accumulated garbage or muck',
        {
          ...lead('sanitation'),
          attributes: [
            {
              code: 'volume_m3',
              datatype: 'number',
              description: { 'zh-CN': '估计体积（立方米）', en: 'Estimated volume (cubic metres)' },
              order: 1,
            },
          ],
        },
      ],
      [
        '03',
        '乱倒乱扔垃圾',
        'Illegal dumping',
        {
          attributes: [
            {
              code: 'waste_types',
              datatype: 'multivaluelist',
              description: { 'zh-CN': '垃圾种类', en: 'Kinds of waste' },
              order: 1,
              values: [
                { key: 'household', name: { 'zh-CN': '生活垃圾', en: 'Household waste' } },
                { key: 'construction', name: { 'zh-CN': '建筑垃圾', en: 'Construction waste' } },
                { key: 'bulky', name: { 'zh-CN': '大件垃圾', en: 'Bulky waste' } },
                { key: 'hazardous', name: { 'zh-CN': '有害垃圾', en: 'Hazardous waste' } },
              ],
            },
          ],
        },
      ],
      ['04', '道路不洁', 'Dirty road', lead('sanitation')],
      ['05', '水域不洁', 'Litter on water surface'],
      ['06', '绿地脏乱', 'Dirty green space', lead('landscaping')],
      ['07', '乱吊乱挂', 'Clothes or items hung in public space'],
    ],
  ),
  ...catalogueClass(
    'event',
    '02',
    ['宣传广告', 'Advertising'],
    { defaultUrgency: 'normal', timeLimits: GENERAL_LIMITS, ...lead('urban-management') },
    [
      ['01', '非法小广告', 'Illegal flyers'],
      ['02', '违规张贴悬挂', 'Illegal posters or banners'],
      ['03', '违规户外广告牌', 'Illegal billboard'],
      ['04', '广告招牌破损', 'Damaged sign or billboard', { defaultUrgency: 'urgent' }],
    ],
  ),
  ...catalogueClass(
    'event',
    '03',
    ['施工管理', 'Construction management'],
    { defaultUrgency: 'normal', timeLimits: GENERAL_LIMITS, ...lead('housing-construction') },
    [
      [
        '01',
        '施工扰民',
        'Construction disturbance',
        {
          attributes: [
            {
              code: 'observed_at',
              datatype: 'datetime',
              description: { 'zh-CN': '发现时间', en: 'When it was observed' },
              required: true,
              order: 1,
            },
          ],
        },
      ],
      ['02', '施工占道', 'Construction occupying the road', lead('transport', 'traffic-police')],
      ['03', '工地未围挡', 'Unfenced construction site'],
      ['04', '渣土车遗撒', 'Muck truck spillage', lead('urban-management', 'transport')],
      ['05', '无证掘路', 'Unauthorized road excavation', lead('transport')],
      [
        '06',
        '违法建设',
        'Illegal construction',
        { ...lead('urban-management', 'natural-resources'), timeLimits: COMPLEX_LIMITS },
      ],
    ],
  ),
  ...catalogueClass(
    'event',
    '04',
    ['街面秩序', 'Street order'],
    { defaultUrgency: 'normal', timeLimits: GENERAL_LIMITS, ...lead('urban-management') },
    [
      ['01', '无照经营游商', 'Unlicensed street vendor', lead('urban-management', 'market-supervision')],
      ['02', '占道经营', 'Occupying the road for business'],
      ['03', '店外经营', 'Business spilling outside the shop'],
      [
        '04',
        '机动车乱停放',
        'Illegal parking',
        {
          ...lead('traffic-police'),
          attributes: [
            {
              code: 'plate_number',
              datatype: 'string',
              description: { 'zh-CN': '车牌号', en: 'Licence plate number' },
              order: 1,
            },
          ],
        },
      ],
      ['05', '非机动车乱停放', 'Illegally parked bicycles'],
      ['06', '露天烧烤', 'Open-air barbecue'],
    ],
  ),
  ...catalogueClass(
    'event',
    '05',
    ['突发事件', 'Emergencies'],
    {
      defaultUrgency: 'emergency',
      timeLimits: EMERGENCY_LIMITS,
      autoDispatch: true,
      ...lead('emergency-management'),
    },
    [
      ['01', '路面塌陷', 'Road collapse', lead('transport', 'emergency-management', 'traffic-police')],
      [
        '02',
        '供水管道爆裂',
        'Water main burst',
        {
          ...lead('water-utility'),
          attributes: [
            {
              code: 'extent',
              datatype: 'singlevaluelist',
              description: { 'zh-CN': '漏水程度', en: 'How much water is escaping' },
              required: true,
              order: 1,
              values: [
                { key: 'seeping', name: { 'zh-CN': '渗漏', en: 'Seeping' } },
                { key: 'flowing', name: { 'zh-CN': '流淌', en: 'Flowing' } },
                { key: 'gushing', name: { 'zh-CN': '喷涌', en: 'Gushing' } },
              ],
            },
          ],
        },
      ],
      ['03', '燃气泄漏', 'Gas leak', lead('gas-utility', 'fire-rescue', 'emergency-management')],
      ['04', '火灾', 'Fire', lead('fire-rescue', 'emergency-management')],
      ['05', '道路积水', 'Road flooding', lead('drainage-utility', 'traffic-police')],
      ['06', '电力线路故障', 'Power line fault', lead('power-utility')],
      [
        '07',
        '井盖缺失',
        'Missing manhole cover',
        { ...lead('urban-management'), defaultUrgency: 'urgent', timeLimits: UTILITY_LIMITS },
      ],
      ['08', '树木倒伏', 'Fallen tree', lead('landscaping', 'traffic-police')],
    ],
  ),
  ...catalogueClass(
    'event',
    '06',
    ['其他事件', 'Other events'],
    { defaultUrgency: 'normal', timeLimits: GENERAL_LIMITS, ...lead('urban-management') },
    [
      ['01', '道路破损', 'Damaged road surface', lead('transport')],
      [
        '02',
        '其他事件',
        'Other event',
        {
          attributes: [
            {
              code: 'details',
              datatype: 'text',
              description: { 'zh-CN': '详细描述', en: 'Details of what happened' },
              required: true,
              order: 1,
            },
          ],
        },
      ],
    ],
  ),
];
