import type { RuleDeclaration, SensorTypeDeclaration } from '#sdk';

/** Ambient illuminance (lx) below which it is dark enough that street lamps must be lit. */
export const DARK_LUX = 10;

/**
 * Whether a street light is faulty: 1 when it is dark at the lamp (ambient illuminance below
 * {@link DARK_LUX}) and the lamp is off, 0 otherwise; null until both inputs are known.
 */
export function streetLightFault(latest: Readonly<Record<string, number>>): number | null {
  if (latest.status === undefined || latest.illuminance === undefined) return null;
  return latest.illuminance < DARK_LUX && latest.status < 0.5 ? 1 : 0;
}

/**
 * Street lights with a lamp controller (FIWARE Smart Data Models dataModel.Streetlighting
 * `Streetlight`): lamp status, power draw, ambient illuminance from the photocell, and the
 * energy meter.
 */
export const sensorTypes: readonly SensorTypeDeclaration[] = [
  {
    code: 'street-light',
    name: { 'zh-CN': '智能路灯', en: 'Street light' },
    ngsiType: 'Streetlight',
    datastreams: [
      {
        property: 'status',
        name: { 'zh-CN': '灯具状态（1 亮 / 0 灭）', en: 'Lamp status (1 on / 0 off)' },
        unit: '1',
        min: 0,
        max: 1,
      },
      { property: 'power', name: { 'zh-CN': '功率', en: 'Power' }, unit: 'W', min: 0, max: 1000 },
      {
        property: 'illuminance',
        name: { 'zh-CN': '环境照度', en: 'Ambient illuminance' },
        unit: 'lx',
        min: 0,
        max: 150_000,
      },
      { property: 'energy', name: { 'zh-CN': '累计电能', en: 'Energy, cumulative' }, unit: 'kW.h', min: 0 },
    ],
    derived: [
      {
        property: 'fault',
        name: { 'zh-CN': '夜间不亮（1 故障）', en: 'Dark at night (1 = fault)' },
        unit: '1',
        compute: streetLightFault,
      },
    ],
  },
];

/** A lamp that stays off in the dark for 15 minutes opens a street lamp component case. */
export const rules: readonly RuleDeclaration[] = [
  {
    code: 'cm-streetlight-dark',
    name: { 'zh-CN': '路灯夜间不亮', en: 'Street lamp off at night' },
    sensorType: 'street-light',
    property: 'fault',
    operator: '==',
    threshold: 1,
    forMinutes: 15,
    severity: 'minor',
    createCase: { category: 'CM.C.01.08', urgency: 'normal' },
  },
];
