import type { DepartmentDeclaration } from '#sdk';

/** Departments that act on the digital urban management catalogue. */
export const departments: readonly DepartmentDeclaration[] = [
  {
    code: 'urban-management',
    name: { 'zh-CN': '城市管理局', en: 'Urban Management Bureau' },
    kind: 'bureau',
  },
  {
    code: 'sanitation',
    name: { 'zh-CN': '环境卫生管理中心', en: 'Sanitation Center' },
    kind: 'center',
    parent: 'urban-management',
  },
  {
    code: 'street-lighting',
    name: { 'zh-CN': '路灯管理所', en: 'Street Lighting Office' },
    kind: 'center',
    parent: 'urban-management',
  },
  {
    code: 'housing-construction',
    name: { 'zh-CN': '住房和城乡建设局', en: 'Housing and Urban-Rural Development Bureau' },
    kind: 'bureau',
  },
  { code: 'transport', name: { 'zh-CN': '交通运输局', en: 'Transport Bureau' }, kind: 'bureau' },
  {
    code: 'traffic-police',
    name: { 'zh-CN': '公安交通管理局', en: 'Traffic Police' },
    kind: 'bureau',
  },
  { code: 'landscaping', name: { 'zh-CN': '园林绿化局', en: 'Landscaping Bureau' }, kind: 'bureau' },
  {
    code: 'natural-resources',
    name: { 'zh-CN': '自然资源和规划局', en: 'Natural Resources and Planning Bureau' },
    kind: 'bureau',
  },
  {
    code: 'emergency-management',
    name: { 'zh-CN': '应急管理局', en: 'Emergency Management Bureau' },
    kind: 'bureau',
  },
  { code: 'fire-rescue', name: { 'zh-CN': '消防救援支队', en: 'Fire and Rescue Brigade' }, kind: 'bureau' },
  {
    code: 'market-supervision',
    name: { 'zh-CN': '市场监督管理局', en: 'Market Supervision Bureau' },
    kind: 'bureau',
  },
  { code: 'water-utility', name: { 'zh-CN': '供水公司', en: 'Water Supply Company' }, kind: 'utility' },
  { code: 'drainage-utility', name: { 'zh-CN': '排水公司', en: 'Drainage Company' }, kind: 'utility' },
  { code: 'gas-utility', name: { 'zh-CN': '燃气公司', en: 'Gas Company' }, kind: 'utility' },
  { code: 'power-utility', name: { 'zh-CN': '供电公司', en: 'Power Supply Company' }, kind: 'utility' },
  { code: 'telecom', name: { 'zh-CN': '通信运营商', en: 'Telecom Operators' }, kind: 'enterprise' },
  {
    code: 'public-transport',
    name: { 'zh-CN': '公交集团', en: 'Public Transport Group' },
    kind: 'enterprise',
  },
];
