import type { CategoryDeclaration, StageLimits } from '#sdk';

const HOUR = 60;
/** One working day of the default working calendar (08:30–12:00, 13:30–17:30), in minutes. */
const WORKING_DAY = 450;

const urgent = (handle: number): StageLimits => ({
  basis: 'calendar',
  minutes: { file: 10, dispatch: 10, accept: 30, handle, verify: HOUR },
});
const emergency: StageLimits = {
  basis: 'calendar',
  minutes: { file: 10, dispatch: 10, accept: 15, handle: 2 * HOUR, verify: HOUR },
};
const normal = (handleDays: number): StageLimits => ({
  basis: 'working',
  minutes: { file: 30, dispatch: 30, accept: HOUR, handle: handleDays * WORKING_DAY, verify: HOUR },
});

/** Complaints about pollution: 7 working days, as general matters in docs/design.md#sla-clock. */
const COMPLAINT = { normal: normal(7), urgent: urgent(24 * HOUR), emergency };
/** Noise is only observable while it lasts: one working day, or 2 hours when urgent. */
const NOISE = { normal: normal(1), urgent: urgent(2 * HOUR), emergency };
/** Environmental emergencies: 2 hours. */
const INCIDENT = { normal: normal(1), urgent: urgent(4 * HOUR), emergency };

type Row = readonly [minor: string, zh: string, en: string, overrides?: Partial<CategoryDeclaration>];

function group(
  major: string,
  name: readonly [string, string],
  settings: Pick<CategoryDeclaration, 'defaultUrgency' | 'timeLimits' | 'defaultResponsibility'>,
  rows: readonly Row[],
): CategoryDeclaration[] {
  const code = `ENV.E.${major}`;
  const { timeLimits, ...inherited } = settings;
  return [
    {
      code,
      name: { 'zh-CN': name[0], en: name[1] },
      kind: 'event',
      classNumber: major,
      public: false,
      ...settings,
    },
    ...rows.map(
      ([minor, zh, en, overrides]): CategoryDeclaration => ({
        code: `${code}.${minor}`,
        name: { 'zh-CN': zh, en },
        kind: 'event',
        parent: code,
        classNumber: minor,
        ...inherited,
        ...overrides,
      }),
    ),
  ];
}

const lead = (code: string, ...assist: string[]) => ({
  defaultResponsibility: assist.length ? { lead: code, assist } : { lead: code },
});

/** Pollution complaints (12369-style) and alerts raised by monitoring stations. */
export const categories: readonly CategoryDeclaration[] = [
  ...group(
    '01',
    ['大气污染', 'Air pollution'],
    { defaultUrgency: 'normal', timeLimits: COMPLAINT, ...lead('environmental-enforcement') },
    [
      ['01', '工业废气排放', 'Industrial emissions'],
      ['02', '扬尘污染', 'Dust from sites or roads'],
      ['03', '露天焚烧', 'Open burning of waste or straw', { defaultUrgency: 'urgent' }],
      ['04', '餐饮油烟', 'Restaurant cooking fumes'],
      [
        '05',
        '异味恶臭',
        'Odour',
        {
          attributes: [
            {
              code: 'odour_kind',
              datatype: 'singlevaluelist',
              description: { 'zh-CN': '气味类型', en: 'Kind of smell' },
              values: [
                { key: 'chemical', name: { 'zh-CN': '化学品味', en: 'Chemical' } },
                { key: 'rotten', name: { 'zh-CN': '腐臭味', en: 'Rotten' } },
                { key: 'burning', name: { 'zh-CN': '焦糊味', en: 'Burning' } },
                { key: 'other', name: { 'zh-CN': '其他', en: 'Other' } },
              ],
            },
          ],
        },
      ],
      ['06', '机动车冒黑烟', 'Smoky vehicle', lead('environmental-enforcement', 'public-security')],
    ],
  ),
  ...group(
    '02',
    ['噪声污染', 'Noise'],
    { defaultUrgency: 'normal', timeLimits: NOISE, ...lead('environmental-enforcement') },
    [
      [
        '01',
        '建筑施工噪声',
        'Construction noise',
        {
          attributes: [
            {
              code: 'heard_at',
              datatype: 'datetime',
              description: { 'zh-CN': '噪声发生时间', en: 'When the noise was heard' },
              required: true,
            },
          ],
        },
      ],
      ['02', '商业经营噪声', 'Commercial noise'],
      ['03', '社会生活噪声', 'Residential or neighbourhood noise', lead('public-security')],
      ['04', '交通运输噪声', 'Traffic noise', lead('public-security', 'environmental-enforcement')],
      ['05', '工业噪声', 'Industrial noise'],
      [
        '06',
        '噪声监测超标',
        'Noise monitor exceedance',
        { public: false, ...lead('environmental-monitoring') },
      ],
    ],
  ),
  ...group(
    '03',
    ['水污染', 'Water pollution'],
    { defaultUrgency: 'normal', timeLimits: COMPLAINT, ...lead('environmental-enforcement') },
    [
      ['01', '偷排废水', 'Illegal discharge of wastewater', { defaultUrgency: 'urgent' }],
      ['02', '河湖水体污染', 'Polluted river or lake', lead('environmental-enforcement', 'water-resources')],
      ['03', '饮用水源污染', 'Drinking water source pollution', { defaultUrgency: 'emergency' }],
      ['04', '黑臭水体', 'Black and malodorous water', lead('water-resources', 'environmental-enforcement')],
    ],
  ),
  ...group(
    '04',
    ['固体废物与土壤', 'Solid waste and soil'],
    { defaultUrgency: 'normal', timeLimits: COMPLAINT, ...lead('environmental-enforcement') },
    [
      ['01', '危险废物非法倾倒', 'Illegal dumping of hazardous waste', { defaultUrgency: 'urgent' }],
      ['02', '工业固废违规堆放', 'Improper storage of industrial solid waste'],
      ['03', '土壤污染', 'Soil contamination'],
    ],
  ),
  ...group(
    '05',
    ['突发环境事件', 'Environmental emergencies'],
    { defaultUrgency: 'emergency', timeLimits: INCIDENT, ...lead('ecology-environment') },
    [
      ['01', '化学品泄漏', 'Chemical spill', lead('ecology-environment', 'environmental-enforcement')],
      [
        '02',
        '空气重污染',
        'Heavy air pollution episode',
        {
          public: false,
          defaultUrgency: 'urgent',
          ...lead('ecology-environment', 'environmental-monitoring'),
        },
      ],
      [
        '03',
        '水质异常',
        'Water quality anomaly',
        {
          public: false,
          defaultUrgency: 'urgent',
          ...lead('environmental-monitoring', 'water-resources'),
        },
      ],
    ],
  ),
  ...group(
    '06',
    ['其他环境问题', 'Other environmental issues'],
    { defaultUrgency: 'normal', timeLimits: COMPLAINT, ...lead('ecology-environment') },
    [
      ['01', '电磁辐射', 'Electromagnetic radiation'],
      ['02', '其他环境问题', 'Other environmental issue'],
    ],
  ),
];
