import type { SensorTypeDeclaration } from '#sdk';
import { hourlyAqi } from './aqi.ts';

/**
 * The hourly AQI of a station from its latest 1-hour values. Null when no pollutant is
 * present, or when SO2 exceeds 800 µg/m³: HJ 633-2012 then indexes SO2 only from its
 * 24-hour average, which the station's hourly values cannot give (rule `env-so2-1h-800`
 * alerts on that case instead).
 */
export function stationAqi(latest: Readonly<Record<string, number>>): number | null {
  const result = hourlyAqi({
    pm25: latest.pm25,
    pm10: latest.pm10,
    so2: latest.so2,
    no2: latest.no2,
    co: latest.co,
    o3: latest.o3,
  });
  if (!result || result.notIndexed.length > 0) return null;
  return result.aqi;
}

const ugm3 = (property: string, zh: string, en: string, max: number) => ({
  property,
  name: { 'zh-CN': zh, en },
  unit: 'ug/m3',
  min: 0,
  max,
});

/** Air quality, noise and water quality monitors (FIWARE Smart Data Models types). */
export const sensorTypes: readonly SensorTypeDeclaration[] = [
  {
    code: 'air-quality-station',
    name: { 'zh-CN': '空气质量监测站', en: 'Air quality station' },
    ngsiType: 'AirQualityObserved',
    datastreams: [
      ugm3('pm25', '细颗粒物（PM2.5）1小时平均', 'PM2.5, 1-hour average', 2000),
      ugm3('pm10', '可吸入颗粒物（PM10）1小时平均', 'PM10, 1-hour average', 3000),
      ugm3('so2', '二氧化硫（SO2）1小时平均', 'SO2, 1-hour average', 10000),
      ugm3('no2', '二氧化氮（NO2）1小时平均', 'NO2, 1-hour average', 5000),
      ugm3('o3', '臭氧（O3）1小时平均', 'O3, 1-hour average', 2000),
      {
        property: 'co',
        name: { 'zh-CN': '一氧化碳（CO）1小时平均', en: 'CO, 1-hour average' },
        unit: 'mg/m3',
        min: 0,
        max: 200,
      },
    ],
    derived: [
      {
        property: 'aqi',
        name: { 'zh-CN': '空气质量指数（实时）', en: 'Air quality index (hourly)' },
        unit: '1',
        compute: stationAqi,
      },
    ],
  },
  {
    code: 'noise-monitor',
    name: { 'zh-CN': '噪声监测点', en: 'Noise monitor' },
    ngsiType: 'NoiseLevelObserved',
    datastreams: [
      {
        property: 'laeq',
        name: { 'zh-CN': '等效连续A声级 LAeq', en: 'Equivalent continuous A-weighted level LAeq' },
        unit: 'dB',
        min: 20,
        max: 140,
      },
      {
        // Monitors report the night-period level (22:00–06:00, GB 3096-2008) as its own
        // stream, so that night limits can be ruled on without clock logic in the rules.
        property: 'laeq_night',
        name: { 'zh-CN': '夜间等效声级 Ln', en: 'Night-time equivalent level Ln' },
        unit: 'dB',
        min: 20,
        max: 140,
      },
    ],
  },
  {
    code: 'water-quality-station',
    name: { 'zh-CN': '水质自动监测站', en: 'Water quality station' },
    ngsiType: 'WaterQualityObserved',
    datastreams: [
      { property: 'ph', name: { 'zh-CN': 'pH值', en: 'pH' }, unit: '[pH]', min: 0, max: 14 },
      {
        property: 'dissolved_oxygen',
        name: { 'zh-CN': '溶解氧', en: 'Dissolved oxygen' },
        unit: 'mg/L',
        min: 0,
        max: 20,
      },
      {
        property: 'cod',
        name: { 'zh-CN': '化学需氧量（COD）', en: 'Chemical oxygen demand (COD)' },
        unit: 'mg/L',
        min: 0,
        max: 1000,
      },
      {
        property: 'ammonia_nitrogen',
        name: { 'zh-CN': '氨氮', en: 'Ammonia nitrogen' },
        unit: 'mg/L',
        min: 0,
        max: 100,
      },
      // UCUM has no code for nephelometric turbidity units; NTU is the field's own symbol.
      { property: 'turbidity', name: { 'zh-CN': '浊度', en: 'Turbidity' }, unit: 'NTU', min: 0, max: 4000 },
    ],
  },
];
