/**
 * China's Air Quality Index per HJ 633-2012 (环境空气质量指数（AQI）技术规定（试行）).
 * Pure functions; concentrations in µg/m³, except CO in mg/m³.
 *
 * Sources and reading of the standard:
 * - Table 1 gives, for IAQI 0/50/100/150/200/300/400/500, the concentration limits of each
 *   item; both the 24-hour and the 1-hour columns are reproduced below exactly.
 * - Formula (1): IAQI_P = (IAQI_Hi − IAQI_Lo) / (BP_Hi − BP_Lo) × (C_P − BP_Lo) + IAQI_Lo,
 *   with BP_Hi/BP_Lo the table limits next above/below C_P.
 * - Table 1 note 2: above 800 µg/m³ the SO2 1-hour value is no longer indexed; the SO2
 *   IAQI is reported from the 24-hour average. Note 3: above 800 µg/m³ the O3 8-hour
 *   moving average is no longer indexed; the O3 IAQI is reported from the 1-hour value.
 * - The 1-hour columns (SO2, NO2, CO, O3) serve the hourly real-time report (实时报);
 *   PM10 and PM2.5 have only 24-hour limits, which the real-time report applies to the
 *   hourly values as well.
 * - AQI = max IAQI; when AQI > 50 the item(s) with the largest IAQI are the primary
 *   pollutants (首要污染物), several when tied; items with IAQI > 100 exceed the standard
 *   (超标污染物).
 * - Rounding: IAQI results are rounded UP to an integer (进位取整, no decimals). We read
 *   this from the standard's calculation rule as applied by the national release platform
 *   (CNEMC) and by public reference implementations; the original PDF was not available
 *   offline to quote, so this is recorded as our reading. Rounding up never reports air
 *   as cleaner than measured, and a value exactly on a breakpoint keeps its table index.
 * - Above the last limit (IAQI 500) the table ends; the index is reported as 500
 *   ("爆表") and flagged `aboveScale`.
 */

/** The six pollutants of the index. */
export const POLLUTANTS = ['pm25', 'pm10', 'so2', 'no2', 'co', 'o3'] as const;
export type Pollutant = (typeof POLLUTANTS)[number];

/** An indexed item: a pollutant with its averaging period. */
export type AqiItem =
  | 'so2_24h'
  | 'so2_1h'
  | 'no2_24h'
  | 'no2_1h'
  | 'pm10_24h'
  | 'co_24h'
  | 'co_1h'
  | 'o3_1h'
  | 'o3_8h'
  | 'pm25_24h';

/** The IAQI values that head the columns of HJ 633-2012 Table 1. */
export const IAQI_STEPS: readonly number[] = [0, 50, 100, 150, 200, 300, 400, 500];

/**
 * HJ 633-2012 Table 1, one row per item: the concentration at each of {@link IAQI_STEPS}.
 * SO2 1-hour and O3 8-hour rows stop at 800 µg/m³ (IAQI 200 and 300), as in the table.
 */
export const AQI_BREAKPOINTS: Readonly<Record<AqiItem, readonly number[]>> = {
  so2_24h: [0, 50, 150, 475, 800, 1600, 2100, 2620],
  so2_1h: [0, 150, 500, 650, 800],
  no2_24h: [0, 40, 80, 180, 280, 565, 750, 940],
  no2_1h: [0, 100, 200, 700, 1200, 2340, 3090, 3840],
  pm10_24h: [0, 50, 150, 250, 350, 420, 500, 600],
  co_24h: [0, 2, 4, 14, 24, 36, 48, 60],
  co_1h: [0, 5, 10, 35, 60, 90, 120, 150],
  o3_1h: [0, 160, 200, 300, 400, 800, 1000, 1200],
  o3_8h: [0, 100, 160, 215, 265, 800],
  pm25_24h: [0, 35, 75, 115, 150, 250, 350, 500],
};

/** One item's index. `value` is null when the standard does not index the concentration. */
export interface IndividualAqi {
  readonly item: AqiItem;
  readonly value: number | null;
  /** The concentration lies above the table's last limit; value is capped at 500. */
  readonly aboveScale: boolean;
}

/** Floating-point slack so that an exact table value (e.g. 68.999999…) rounds as intended. */
const EPSILON = 1e-9;

/**
 * The individual index (IAQI) of one item. Returns value null for SO2 1-hour above
 * 800 µg/m³ and O3 8-hour above 800 µg/m³ (Table 1 notes 2 and 3). Throws a RangeError
 * for a negative or non-finite concentration.
 */
export function individualAqi(item: AqiItem, concentration: number): IndividualAqi {
  const limits = AQI_BREAKPOINTS[item];
  if (!limits) throw new RangeError(`Unknown AQI item ${JSON.stringify(item)}`);
  if (typeof concentration !== 'number' || !Number.isFinite(concentration) || concentration < 0)
    throw new RangeError(`${item}: concentration must be a finite number ≥ 0 (got ${concentration})`);
  const top = limits[limits.length - 1];
  if (concentration > top) {
    if (limits.length < IAQI_STEPS.length) return { item, value: null, aboveScale: false };
    return { item, value: 500, aboveScale: true };
  }
  let i = 1;
  while (limits[i] < concentration) i++;
  const [bpLo, bpHi] = [limits[i - 1], limits[i]];
  const [iLo, iHi] = [IAQI_STEPS[i - 1], IAQI_STEPS[i]];
  const exact = iLo + ((iHi - iLo) * (concentration - bpLo)) / (bpHi - bpLo);
  // max() keeps the segment's floor (and turns ceil's −0 at zero into 0).
  return { item, value: Math.max(iLo, Math.ceil(exact - EPSILON)), aboveScale: false };
}

export interface LocalizedName {
  readonly 'zh-CN': string;
  readonly en: string;
}

/** An AQI level of HJ 633-2012 Table 2 with its category and colour (Appendix A). */
export interface AqiLevel {
  /** 1 (一级) to 6 (六级). */
  readonly level: 1 | 2 | 3 | 4 | 5 | 6;
  readonly min: number;
  /** Upper bound; Infinity for level 6. */
  readonly max: number;
  readonly grade: LocalizedName;
  readonly category: LocalizedName;
  readonly color: string;
}

/** HJ 633-2012 Table 2 (levels and categories) and Appendix A (RGB colours). */
export const AQI_LEVELS: readonly AqiLevel[] = [
  {
    level: 1,
    min: 0,
    max: 50,
    grade: { 'zh-CN': '一级', en: 'Level I' },
    category: { 'zh-CN': '优', en: 'Excellent' },
    color: '#00E400',
  },
  {
    level: 2,
    min: 51,
    max: 100,
    grade: { 'zh-CN': '二级', en: 'Level II' },
    category: { 'zh-CN': '良', en: 'Good' },
    color: '#FFFF00',
  },
  {
    level: 3,
    min: 101,
    max: 150,
    grade: { 'zh-CN': '三级', en: 'Level III' },
    category: { 'zh-CN': '轻度污染', en: 'Lightly polluted' },
    color: '#FF7E00',
  },
  {
    level: 4,
    min: 151,
    max: 200,
    grade: { 'zh-CN': '四级', en: 'Level IV' },
    category: { 'zh-CN': '中度污染', en: 'Moderately polluted' },
    color: '#FF0000',
  },
  {
    level: 5,
    min: 201,
    max: 300,
    grade: { 'zh-CN': '五级', en: 'Level V' },
    category: { 'zh-CN': '重度污染', en: 'Heavily polluted' },
    color: '#99004C',
  },
  {
    level: 6,
    min: 301,
    max: Number.POSITIVE_INFINITY,
    grade: { 'zh-CN': '六级', en: 'Level VI' },
    category: { 'zh-CN': '严重污染', en: 'Severely polluted' },
    color: '#7E0023',
  },
];

/** The level of an (integer) AQI value. */
export function aqiLevel(aqi: number): AqiLevel {
  if (!Number.isFinite(aqi) || aqi < 0) throw new RangeError(`AQI must be ≥ 0 (got ${aqi})`);
  return AQI_LEVELS.find((l) => aqi <= l.max) ?? AQI_LEVELS[AQI_LEVELS.length - 1];
}

/** The index of a set of concentrations. */
export interface AqiResult {
  readonly aqi: number;
  /** The IAQI of each pollutant that could be indexed. */
  readonly iaqi: Readonly<Partial<Record<Pollutant, number>>>;
  /** Pollutants with IAQI = AQI, when AQI > 50 (首要污染物); empty otherwise. */
  readonly primaryPollutants: readonly Pollutant[];
  /** Pollutants with IAQI > 100 (超标污染物). */
  readonly exceedingPollutants: readonly Pollutant[];
  /** Pollutants given but not indexable (SO2 1-hour above 800 without a 24-hour average). */
  readonly notIndexed: readonly Pollutant[];
  /** Some concentration lay above the top of Table 1. */
  readonly aboveScale: boolean;
  readonly level: AqiLevel;
}

/** Hourly values for the real-time report (实时报). Omit what the station does not measure. */
export interface HourlyConcentrations {
  readonly pm25?: number;
  readonly pm10?: number;
  readonly so2?: number;
  readonly no2?: number;
  /** mg/m³ */
  readonly co?: number;
  readonly o3?: number;
  /** 24-hour SO2 average, used when the 1-hour value exceeds 800 µg/m³ (Table 1 note 2). */
  readonly so2_24h?: number;
}

/** Daily values for the daily report (日报). */
export interface DailyConcentrations {
  readonly pm25?: number;
  readonly pm10?: number;
  readonly so2?: number;
  readonly no2?: number;
  /** mg/m³ */
  readonly co?: number;
  /** The day's maximum 1-hour O3 average. */
  readonly o3_1h?: number;
  /** The day's maximum 8-hour moving O3 average. */
  readonly o3_8h?: number;
}

/**
 * The real-time (hourly) AQI: 1-hour columns for SO2, NO2, CO and O3, the 24-hour columns
 * for PM2.5 and PM10. Returns null when no pollutant could be indexed.
 */
export function hourlyAqi(c: HourlyConcentrations): AqiResult | null {
  const items: Array<[Pollutant, IndividualAqi[]]> = [];
  const notIndexed: Pollutant[] = [];
  if (c.pm25 !== undefined) items.push(['pm25', [individualAqi('pm25_24h', c.pm25)]]);
  if (c.pm10 !== undefined) items.push(['pm10', [individualAqi('pm10_24h', c.pm10)]]);
  if (c.so2 !== undefined) {
    const hourly = individualAqi('so2_1h', c.so2);
    if (hourly.value !== null) items.push(['so2', [hourly]]);
    else if (c.so2_24h !== undefined) items.push(['so2', [individualAqi('so2_24h', c.so2_24h)]]);
    else notIndexed.push('so2');
  }
  if (c.no2 !== undefined) items.push(['no2', [individualAqi('no2_1h', c.no2)]]);
  if (c.co !== undefined) items.push(['co', [individualAqi('co_1h', c.co)]]);
  if (c.o3 !== undefined) items.push(['o3', [individualAqi('o3_1h', c.o3)]]);
  return combine(items, notIndexed);
}

/**
 * The daily AQI: 24-hour averages, and for O3 both the maximum 1-hour value and the
 * maximum 8-hour moving average (the 8-hour one only up to 800 µg/m³, Table 1 note 3).
 */
export function dailyAqi(c: DailyConcentrations): AqiResult | null {
  const items: Array<[Pollutant, IndividualAqi[]]> = [];
  const notIndexed: Pollutant[] = [];
  if (c.pm25 !== undefined) items.push(['pm25', [individualAqi('pm25_24h', c.pm25)]]);
  if (c.pm10 !== undefined) items.push(['pm10', [individualAqi('pm10_24h', c.pm10)]]);
  if (c.so2 !== undefined) items.push(['so2', [individualAqi('so2_24h', c.so2)]]);
  if (c.no2 !== undefined) items.push(['no2', [individualAqi('no2_24h', c.no2)]]);
  if (c.co !== undefined) items.push(['co', [individualAqi('co_24h', c.co)]]);
  const o3: IndividualAqi[] = [];
  if (c.o3_1h !== undefined) o3.push(individualAqi('o3_1h', c.o3_1h));
  if (c.o3_8h !== undefined) {
    const eight = individualAqi('o3_8h', c.o3_8h);
    if (eight.value !== null) o3.push(eight);
    else if (c.o3_1h === undefined) notIndexed.push('o3');
  }
  if (o3.length > 0) items.push(['o3', o3]);
  return combine(items, notIndexed);
}

function combine(items: Array<[Pollutant, IndividualAqi[]]>, notIndexed: Pollutant[]): AqiResult | null {
  const iaqi: Partial<Record<Pollutant, number>> = {};
  let aboveScale = false;
  for (const [pollutant, results] of items) {
    const values = results.map((r) => r.value).filter((v): v is number => v !== null);
    if (values.length === 0) continue;
    iaqi[pollutant] = Math.max(...values);
    aboveScale ||= results.some((r) => r.aboveScale);
  }
  const indexed = POLLUTANTS.filter((p) => iaqi[p] !== undefined);
  if (indexed.length === 0) return null;
  const aqi = Math.max(...indexed.map((p) => iaqi[p] as number));
  return {
    aqi,
    iaqi,
    primaryPollutants: aqi > 50 ? indexed.filter((p) => iaqi[p] === aqi) : [],
    exceedingPollutants: indexed.filter((p) => (iaqi[p] as number) > 100),
    notIndexed,
    aboveScale,
    level: aqiLevel(aqi),
  };
}
