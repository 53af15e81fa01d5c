import type { DepartmentDeclaration } from '#sdk';

/** Departments that act on pollution complaints and environmental alerts. */
export const departments: readonly DepartmentDeclaration[] = [
  {
    code: 'ecology-environment',
    name: { 'zh-CN': '生态环境局', en: 'Ecology and Environment Bureau' },
    kind: 'bureau',
  },
  {
    code: 'environmental-enforcement',
    name: { 'zh-CN': '生态环境综合行政执法支队', en: 'Environmental Law Enforcement Brigade' },
    kind: 'center',
    parent: 'ecology-environment',
  },
  {
    code: 'environmental-monitoring',
    name: { 'zh-CN': '生态环境监测站', en: 'Environmental Monitoring Station' },
    kind: 'center',
    parent: 'ecology-environment',
  },
  {
    // Since the 2022 Noise Pollution Prevention Law, the police handle much social-life
    // noise (neighbours, public places) and motor vehicle noise.
    code: 'public-security',
    name: { 'zh-CN': '公安局', en: 'Public Security Bureau' },
    kind: 'bureau',
  },
  { code: 'water-resources', name: { 'zh-CN': '水务局', en: 'Water Resources Bureau' }, kind: 'bureau' },
];
