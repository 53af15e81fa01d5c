import { defineModule } from '#sdk';
import { categories } from './categories.ts';
import { departments } from './departments.ts';
import { rules } from './rules.ts';
import { sensorTypes } from './sensor-types.ts';

export * from './aqi.ts';
export { stationAqi } from './sensor-types.ts';

/**
 * Environment (生态环境): air quality with the China AQI (HJ 633-2012), noise and water
 * quality monitoring, and the event categories of pollution complaints.
 */
export default defineModule({
  id: 'environment',
  name: { 'zh-CN': '生态环境', en: 'Environment' },
  description: {
    'zh-CN': '空气质量指数、噪声与水质监测、污染投诉事件分类',
    en: 'Air quality index, noise and water quality monitoring, pollution complaint categories',
  },
  version: '1.0.0',
  departments,
  categories,
  sensorTypes,
  rules,
  entityTypes: [
    {
      type: 'AirQualityObserved',
      iri: 'https://smartdatamodels.org/dataModel.Environment/AirQualityObserved',
      name: { 'zh-CN': '空气质量观测', en: 'Air quality observed' },
      smartDataModel: 'dataModel.Environment',
    },
    {
      type: 'NoiseLevelObserved',
      iri: 'https://smartdatamodels.org/dataModel.Environment/NoiseLevelObserved',
      name: { 'zh-CN': '噪声观测', en: 'Noise level observed' },
      smartDataModel: 'dataModel.Environment',
    },
    {
      type: 'WaterQualityObserved',
      iri: 'https://smartdatamodels.org/dataModel.Environment/WaterQualityObserved',
      name: { 'zh-CN': '水质观测', en: 'Water quality observed' },
      smartDataModel: 'dataModel.Environment',
    },
  ],
  widgets: [
    {
      code: 'env-aqi-latest',
      name: { 'zh-CN': '实时空气质量指数', en: 'Latest AQI' },
      kind: 'latest-values',
      source: 'air-quality-station.aqi',
    },
    {
      code: 'env-aqi-trend',
      name: { 'zh-CN': '空气质量指数趋势', en: 'AQI over time' },
      kind: 'trend',
      source: 'air-quality-station.aqi',
    },
    {
      code: 'env-noise-latest',
      name: { 'zh-CN': '实时噪声', en: 'Latest noise levels' },
      kind: 'latest-values',
      source: 'noise-monitor.laeq',
    },
    {
      code: 'env-complaint-ranking',
      name: { 'zh-CN': '污染投诉排名', en: 'Pollution complaints by class' },
      kind: 'ranking',
      source: 'ENV.E',
    },
  ],
  mapLayers: [
    {
      code: 'env-air-stations',
      name: { 'zh-CN': '空气质量监测站', en: 'Air quality stations' },
      source: 'devices',
      filter: 'air-quality-station',
      color: '#2ca02c',
    },
    {
      code: 'env-noise-monitors',
      name: { 'zh-CN': '噪声监测点', en: 'Noise monitors' },
      source: 'devices',
      filter: 'noise-monitor',
      color: '#9467bd',
    },
    {
      code: 'env-water-stations',
      name: { 'zh-CN': '水质监测站', en: 'Water quality stations' },
      source: 'devices',
      filter: 'water-quality-station',
      color: '#17becf',
    },
    {
      code: 'env-complaints',
      name: { 'zh-CN': '污染投诉', en: 'Pollution complaints' },
      source: 'cases',
      filter: 'ENV.E',
      color: '#8c564b',
    },
  ],
});
