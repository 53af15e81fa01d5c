import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AQI_BREAKPOINTS, aqiLevel, dailyAqi, hourlyAqi, IAQI_STEPS, individualAqi } from './aqi.ts';
import { stationAqi } from './sensor-types.ts';

// Every expected value below was worked out by hand with HJ 633-2012 formula (1):
// IAQI = IAQI_Lo + (IAQI_Hi − IAQI_Lo) × (C − BP_Lo) / (BP_Hi − BP_Lo), then rounded up.

describe('HJ 633-2012 Table 1', () => {
  it('puts the GB 3095-2012 grade II limits at IAQI 100', () => {
    const at100 = (item: keyof typeof AQI_BREAKPOINTS) => AQI_BREAKPOINTS[item][IAQI_STEPS.indexOf(100)];
    assert.equal(at100('pm25_24h'), 75);
    assert.equal(at100('pm10_24h'), 150);
    assert.equal(at100('so2_24h'), 150);
    assert.equal(at100('no2_24h'), 80);
    assert.equal(at100('co_24h'), 4);
    assert.equal(at100('so2_1h'), 500);
    assert.equal(at100('no2_1h'), 200);
    assert.equal(at100('co_1h'), 10);
    assert.equal(at100('o3_1h'), 200);
    assert.equal(at100('o3_8h'), 160);
  });

  it('has rising limits, full rows except SO2 1-hour and O3 8-hour which stop at 800', () => {
    for (const [item, row] of Object.entries(AQI_BREAKPOINTS)) {
      for (let i = 1; i < row.length; i++) assert.ok(row[i] > row[i - 1], `${item} rises at ${i}`);
      if (item === 'so2_1h' || item === 'o3_8h') assert.equal(row[row.length - 1], 800, item);
      else assert.equal(row.length, IAQI_STEPS.length, item);
    }
  });
});

describe('individualAqi', () => {
  const cases: Array<[Parameters<typeof individualAqi>[0], number, number | null, string]> = [
    ['pm25_24h', 0, 0, 'zero'],
    ['pm25_24h', 35, 50, 'exactly on a breakpoint'],
    ['pm25_24h', 75, 100, 'exactly on a breakpoint'],
    ['pm25_24h', 50, 69, '50 + 50×15/40 = 68.75, rounded up'],
    ['pm25_24h', 500, 500, 'top breakpoint'],
    ['pm10_24h', 100, 75, '50 + 50×50/100 = 75 exactly, not rounded up further'],
    ['pm10_24h', 88, 69, '50 + 50×38/100 = 69 exactly'],
    ['so2_24h', 475, 150, 'breakpoint of the 24-hour row'],
    ['so2_24h', 900, 213, '200 + 100×100/800 = 212.5'],
    ['so2_1h', 600, 134, '100 + 50×100/150 = 133.33…'],
    ['so2_1h', 800, 200, 'last value of the 1-hour row'],
    ['so2_1h', 801, null, 'beyond 800 the 1-hour value is not indexed (note 2)'],
    ['no2_24h', 100, 110, '100 + 50×20/100 = 110'],
    ['no2_1h', 1500, 227, '200 + 100×300/1140 = 226.3…'],
    ['co_1h', 7.5, 75, '50 + 50×2.5/5 = 75 (mg/m³)'],
    ['co_24h', 3, 75, '50 + 50×1/2 = 75 (mg/m³)'],
    ['co_24h', 2.2, 55, '50 + 50×0.2/2 = 55; floating point gives 55.000…05, still 55'],
    ['o3_1h', 850, 325, '300 + 100×50/200 = 325'],
    ['o3_8h', 130, 75, '50 + 50×30/60 = 75'],
    ['o3_8h', 800, 300, 'last value of the 8-hour row'],
    ['o3_8h', 801, null, 'beyond 800 the 8-hour value is not indexed (note 3)'],
  ];
  for (const [item, c, expected, why] of cases)
    it(`${item} ${c} → ${expected} (${why})`, () => {
      const result = individualAqi(item, c);
      assert.equal(result.value, expected);
      assert.equal(result.aboveScale, false);
    });

  it('caps concentrations above the top of the table at 500 and flags them', () => {
    assert.deepEqual(individualAqi('pm25_24h', 501), { item: 'pm25_24h', value: 500, aboveScale: true });
    assert.deepEqual(individualAqi('co_1h', 400), { item: 'co_1h', value: 500, aboveScale: true });
  });

  it('refuses negative and non-finite concentrations', () => {
    assert.throws(() => individualAqi('pm25_24h', -1), RangeError);
    assert.throws(() => individualAqi('pm25_24h', Number.NaN), RangeError);
  });
});

describe('aqiLevel', () => {
  const levels: Array<[number, number, string, string]> = [
    [0, 1, '优', 'Excellent'],
    [50, 1, '优', 'Excellent'],
    [51, 2, '良', 'Good'],
    [100, 2, '良', 'Good'],
    [101, 3, '轻度污染', 'Lightly polluted'],
    [150, 3, '轻度污染', 'Lightly polluted'],
    [151, 4, '中度污染', 'Moderately polluted'],
    [200, 4, '中度污染', 'Moderately polluted'],
    [201, 5, '重度污染', 'Heavily polluted'],
    [300, 5, '重度污染', 'Heavily polluted'],
    [301, 6, '严重污染', 'Severely polluted'],
    [500, 6, '严重污染', 'Severely polluted'],
  ];
  for (const [aqi, level, zh, en] of levels)
    it(`AQI ${aqi} is level ${level} ${zh}`, () => {
      const l = aqiLevel(aqi);
      assert.equal(l.level, level);
      assert.deepEqual(l.category, { 'zh-CN': zh, en });
    });
  it('names the grades 一级 … 六级', () => {
    assert.equal(aqiLevel(10).grade['zh-CN'], '一级');
    assert.equal(aqiLevel(400).grade['zh-CN'], '六级');
  });
});

describe('hourlyAqi', () => {
  it('takes the largest IAQI and lists tied primary pollutants', () => {
    // PM2.5 50 → 69; PM10 88 → 69; SO2 10 → 3.3 → 4; NO2 40 → 20; CO 0.5 → 5; O3 100 → 31.25 → 32.
    const r = hourlyAqi({ pm25: 50, pm10: 88, so2: 10, no2: 40, co: 0.5, o3: 100 });
    assert.ok(r);
    assert.deepEqual(r.iaqi, { pm25: 69, pm10: 69, so2: 4, no2: 20, co: 5, o3: 32 });
    assert.equal(r.aqi, 69);
    assert.deepEqual(r.primaryPollutants, ['pm25', 'pm10']);
    assert.deepEqual(r.exceedingPollutants, []);
    assert.equal(r.level.level, 2);
  });

  it('names no primary pollutant when AQI is 50 or less', () => {
    const atFifty = hourlyAqi({ pm25: 35, pm10: 20 });
    assert.equal(atFifty?.aqi, 50);
    assert.deepEqual(atFifty?.primaryPollutants, []);
    const low = hourlyAqi({ pm25: 20, pm10: 30 });
    assert.equal(low?.aqi, 30); // PM2.5 20 → 28.6 → 29; PM10 30 → 30
    assert.deepEqual(low?.primaryPollutants, []);
  });

  it('uses the 1-hour rows for gases', () => {
    // NO2 1-hour 300 → 100 + 50×100/500 = 110 (the 24-hour row would give 160).
    const r = hourlyAqi({ no2: 300, pm25: 10 });
    assert.equal(r?.iaqi.no2, 110);
    assert.deepEqual(r?.primaryPollutants, ['no2']);
    assert.deepEqual(r?.exceedingPollutants, ['no2']);
  });

  it('indexes SO2 above 800 µg/m³ from its 24-hour average, or reports it as not indexed', () => {
    const with24h = hourlyAqi({ so2: 1000, so2_24h: 900, pm25: 50 });
    assert.equal(with24h?.iaqi.so2, 213);
    assert.equal(with24h?.aqi, 213);
    assert.deepEqual(with24h?.primaryPollutants, ['so2']);
    const without = hourlyAqi({ so2: 1000, pm25: 50 });
    assert.equal(without?.iaqi.so2, undefined);
    assert.deepEqual(without?.notIndexed, ['so2']);
    assert.equal(without?.aqi, 69);
  });

  it('reports 500 above the scale', () => {
    const r = hourlyAqi({ pm25: 650, pm10: 300 });
    assert.equal(r?.aqi, 500);
    assert.equal(r?.aboveScale, true);
    assert.equal(r?.level.level, 6);
    assert.deepEqual(r?.primaryPollutants, ['pm25']);
  });

  it('returns null without any value', () => {
    assert.equal(hourlyAqi({}), null);
  });
});

describe('dailyAqi', () => {
  it('indexes 24-hour averages and both O3 values', () => {
    // PM2.5 115 → 150; PM10 150 → 100; SO2 50 → 50; NO2 80 → 100; CO 4 → 100;
    // O3 1-hour 200 → 100 and 8-hour 160 → 100.
    const r = dailyAqi({ pm25: 115, pm10: 150, so2: 50, no2: 80, co: 4, o3_1h: 200, o3_8h: 160 });
    assert.ok(r);
    assert.deepEqual(r.iaqi, { pm25: 150, pm10: 100, so2: 50, no2: 100, co: 100, o3: 100 });
    assert.equal(r.aqi, 150);
    assert.deepEqual(r.primaryPollutants, ['pm25']);
    assert.deepEqual(r.exceedingPollutants, ['pm25']);
    assert.equal(r.level.category.en, 'Lightly polluted');
  });

  it('takes the larger of the O3 1-hour and 8-hour indices', () => {
    // 8-hour 300 → 200 + 100×35/535 = 206.5 → 207; 1-hour 250 → 100 + 50×50/100 = 125.
    assert.equal(dailyAqi({ o3_1h: 250, o3_8h: 300 })?.iaqi.o3, 207);
  });

  it('falls back to the O3 1-hour value above 800 µg/m³ (8-hour)', () => {
    const r = dailyAqi({ o3_1h: 850, o3_8h: 801, pm25: 35 });
    assert.equal(r?.iaqi.o3, 325);
    assert.equal(r?.level.level, 6);
    assert.deepEqual(dailyAqi({ o3_8h: 900, pm25: 35 })?.notIndexed, ['o3']);
    assert.equal(dailyAqi({ o3_8h: 900 }), null);
  });
});

describe('air-quality-station derived aqi', () => {
  it('computes the hourly AQI from the latest values', () => {
    assert.equal(stationAqi({ pm25: 50, pm10: 88, so2: 10, no2: 40, co: 0.5, o3: 100 }), 69);
  });
  it('is null without values or when SO2 exceeds the 1-hour table', () => {
    assert.equal(stationAqi({}), null);
    assert.equal(stationAqi({ pm25: 50, so2: 900 }), null);
  });
});
