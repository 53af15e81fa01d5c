import { defineModule } from '#sdk';
import { componentCategories } from './components.ts';
import { departments } from './departments.ts';
import { eventCategories } from './events.ts';
import { rules, sensorTypes } from './sensor-types.ts';

export {
  type ComponentCodeCheck,
  type ComponentCodeParts,
  formatComponentCode,
  parseComponentCode,
  validateComponentCode,
} from './component-code.ts';
export { DARK_LUX, streetLightFault } from './sensor-types.ts';

/**
 * Digital urban management (数字化城市管理): the catalogue of components (部件) and events
 * (事件) in major and minor classes, with the departments that act on them, and the street
 * lights that report their own lamps going dark.
 */
export default defineModule({
  id: 'city-management',
  name: { 'zh-CN': '数字化城市管理', en: 'Digital urban management' },
  description: {
    'zh-CN': '城市管理部件和事件分类、立案派遣处置时限及默认责任部门',
    en: 'Component and event catalogue of urban management, with stage time limits and default responsibility',
  },
  version: '1.0.0',
  departments,
  categories: [...componentCategories, ...eventCategories],
  sensorTypes,
  rules,
  entityTypes: [
    {
      type: 'Streetlight',
      iri: 'https://smartdatamodels.org/dataModel.Streetlighting/Streetlight',
      name: { 'zh-CN': '路灯', en: 'Street light' },
      smartDataModel: 'dataModel.Streetlighting',
    },
  ],
  widgets: [
    {
      code: 'cm-on-time-closure',
      name: { 'zh-CN': '按期结案率', en: 'On-time closure rate' },
      kind: 'indicator',
      source: 'on-time-closure-rate',
    },
    {
      code: 'cm-event-trend',
      name: { 'zh-CN': '事件上报趋势', en: 'Reported events over time' },
      kind: 'trend',
      source: 'CM.E',
    },
    {
      code: 'cm-component-ranking',
      name: { 'zh-CN': '部件问题排名', en: 'Component problems by class' },
      kind: 'ranking',
      source: 'CM.C',
    },
    {
      code: 'cm-open-emergencies',
      name: { 'zh-CN': '在办突发事件', en: 'Open emergencies' },
      kind: 'list',
      source: 'CM.E.05',
    },
  ],
  mapLayers: [
    {
      code: 'cm-events',
      name: { 'zh-CN': '城管事件', en: 'Urban management events' },
      source: 'cases',
      filter: 'CM.E',
      color: '#1f77b4',
    },
    {
      code: 'cm-components',
      name: { 'zh-CN': '部件问题', en: 'Component problems' },
      source: 'cases',
      filter: 'CM.C',
      color: '#ff7f0e',
    },
    {
      code: 'cm-emergencies',
      name: { 'zh-CN': '突发事件', en: 'Emergencies' },
      source: 'cases',
      filter: 'CM.E.05',
      color: '#d62728',
    },
    {
      code: 'cm-street-lights',
      name: { 'zh-CN': '智能路灯', en: 'Street lights' },
      source: 'devices',
      filter: 'street-light',
      color: '#e6b800',
    },
  ],
});
