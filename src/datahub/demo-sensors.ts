/**
 * Demo sensors: deterministic placement of the plates' sensor types across the demo city,
 * and realistic diurnal series for them (morning and evening traffic peaks of PM2.5 and
 * NO2, an afternoon ozone peak, quieter nights, dissolved oxygen following daylight).
 */
import { systemActor } from '../identity/index.ts';
import { type CapabilityHost, type Kernel, zonedParts } from '../kernel/index.ts';
import { type AreaGeometry, listDivisions } from '../org/index.ts';
import { DATAHUB } from './datahub-services.ts';
import { registerDevice } from './devices.ts';
import { ingestObservations } from './ingestion.ts';

/** [west, south, east, north] of the demo city (org's demo geography lattice). */
export const DEMO_CITY_BBOX: readonly [number, number, number, number] = [120.03, 30.18, 120.212, 30.3];

/** How many of each sensor type the demo city gets; other types get {@link DEFAULT_COUNT}. */
const COUNTS: Record<string, number> = {
  'air-quality-station': 8,
  'noise-monitor': 12,
  'water-quality-station': 5,
  streetlight: 24,
  'street-light': 24,
};
const DEFAULT_COUNT = 4;
const PREFIX: Record<string, string> = {
  'air-quality-station': 'aq',
  'noise-monitor': 'noise',
  'water-quality-station': 'water',
  'street-light': 'light',
  streetlight: 'light',
};
/** Street lights stand in rows of this many along one edge (a street) of a grid. */
const LIGHTS_PER_ROW = 4;
const isStreetLight = (code: string) => code === 'street-light' || code === 'streetlight';

/** A small deterministic PRNG (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface DemoSensor {
  id: string;
  sensorType: string;
  key: string | null;
}

/** The data hub's context and writer in an app (throws when the app has no data hub). */
function hubOf(host: CapabilityHost) {
  const { context, writer } = host.services(DATAHUB);
  return { hub: context, writer };
}

/** The vertex centroid of a division's outer ring: inside the small, nearly convex grids. */
function centroidOf(boundary: AreaGeometry): [number, number] {
  const ring = boundary.type === 'Polygon' ? boundary.coordinates[0] : boundary.coordinates[0][0];
  const points = ring.slice(0, -1);
  const lon = points.reduce((a, p) => a + p[0], 0) / points.length;
  const lat = points.reduce((a, p) => a + p[1], 0) / points.length;
  return [lon, lat];
}

interface Cell {
  centroid: [number, number];
  /** The outer ring without its closing point. */
  ring: Array<[number, number]>;
}

/** The city's unit grids (or its finest level), in code order; empty without a city. */
async function demoCells(kernel: Kernel, actor: ReturnType<typeof systemActor>): Promise<Cell[]> {
  for (const level of ['grid', 'community', 'street', 'district'] as const) {
    const divisions = await listDivisions(kernel.db, actor, { level, withBoundary: true });
    const cells = divisions
      .filter((d) => d.boundary)
      .map((d) => {
        const b = d.boundary!;
        const ring = (b.type === 'Polygon' ? b.coordinates[0] : b.coordinates[0][0])
          .slice(0, -1)
          .map((p) => [p[0], p[1]] as [number, number]);
        return { centroid: centroidOf(b), ring };
      });
    if (cells.length) return cells;
  }
  return [];
}

/**
 * The `k`-th of {@link LIGHTS_PER_ROW} lamps along an edge of a grid (the street at its
 * side), drawn a little inside the grid so that the lamp resolves to it.
 */
function alongEdge(cell: Cell, edge: number, k: number): [number, number] {
  const a = cell.ring[edge % cell.ring.length];
  const b = cell.ring[(edge + 1) % cell.ring.length];
  const f = (k + 0.5) / LIGHTS_PER_ROW;
  const x = a[0] + (b[0] - a[0]) * f;
  const y = a[1] + (b[1] - a[1]) * f;
  return [x + (cell.centroid[0] - x) * 0.08, y + (cell.centroid[1] - y) * 0.08];
}

/**
 * Registers the demo sensors (idempotent: existing ids are kept, their key is then null).
 * The same seed places the same devices at the same points.
 */
export async function seedDemoSensors(
  host: CapabilityHost,
  options: { seed: number; bbox?: readonly [number, number, number, number] },
): Promise<DemoSensor[]> {
  const { kernel } = host;
  const { hub } = hubOf(host);
  const rand = random(options.seed);
  const actor = { ...systemActor(kernel.clock.now()), bus: kernel.bus };
  const cells = await demoCells(kernel, actor);
  const [w, s, e, n] = options.bbox ?? DEMO_CITY_BBOX;
  const existing = new Set(
    (await kernel.db.selectFrom('datahub_device').select('id').execute()).map((r) => r.id as string),
  );
  const out: DemoSensor[] = [];
  for (const type of [...hub.sensorTypes.values()].sort((a, b) => a.code.localeCompare(b.code))) {
    const count = COUNTS[type.code] ?? DEFAULT_COUNT;
    const prefix = PREFIX[type.code] ?? type.code;
    let rowCell: Cell | null = null;
    let rowEdge = 0;
    for (let i = 1; i <= count; i++) {
      let lat: number;
      let lon: number;
      if (cells.length && isStreetLight(type.code)) {
        // Rows of lamps along one edge (street) of grids spread across the city.
        const rows = Math.ceil(count / LIGHTS_PER_ROW);
        const row = Math.floor((i - 1) / LIGHTS_PER_ROW);
        const k = (i - 1) % LIGHTS_PER_ROW;
        if (k === 0) {
          rowCell = cells[Math.min(cells.length - 1, Math.floor(((row + rand()) * cells.length) / rows))];
          rowEdge = Math.floor(rand() * rowCell.ring.length);
        }
        [lon, lat] = alongEdge(rowCell!, rowEdge, k);
      } else if (cells.length) {
        // One grid per sensor, spread along the city's grids in code order (districts in turn).
        const cell = cells[Math.min(cells.length - 1, Math.floor(((i - 1 + rand()) * cells.length) / count))];
        [lon, lat] = cell.centroid;
      } else {
        // No city yet: a jittered lattice over the demo city's bounding box.
        const cols = Math.ceil(Math.sqrt(count));
        const rows = Math.ceil(count / cols);
        const cx = ((i - 1) % cols) + 0.2 + rand() * 0.6;
        const cy = Math.floor((i - 1) / cols) + 0.2 + rand() * 0.6;
        lat = s + ((n - s) * cy) / rows;
        lon = w + ((e - w) * cx) / cols;
      }
      lat = Math.round(lat * 1e6) / 1e6;
      lon = Math.round(lon * 1e6) / 1e6;
      const id = `${prefix}-${String(i).padStart(3, '0')}`;
      if (existing.has(id)) {
        out.push({ id, sensorType: type.code, key: null });
        continue;
      }
      const { key } = await registerDevice(
        kernel.db,
        hub,
        {
          id,
          name: `${type.name.en} ${i}`,
          sensorType: type.code,
          location: { lat, lon },
          departmentCode: null,
        },
        actor,
      );
      out.push({ id, sensorType: type.code, key });
    }
  }
  return out;
}

function localHour(timeMs: number, timeZone: string): number {
  const { hour, minute } = zonedParts(timeMs, timeZone);
  return hour + minute / 60;
}

/** A bump centred on `peak` (hours, wrapping at midnight) with a width in hours. */
const bump = (h: number, peak: number, width: number) => {
  const d = Math.min(Math.abs(h - peak), 24 - Math.abs(h - peak));
  return Math.exp(-(d * d) / (2 * width * width));
};

/** Ambient illuminance (lx) below which demo lamps light up (the plate's fault threshold). */
const DARK_LUX = 10;

/** About one lamp-night in 25 the lamp stays dark: deterministic in (device, night, seed). */
function lampFailsTonight(deviceId: string, timeMs: number, options: { seed: number; timeZone: string }) {
  // The night is named by the local date 12 hours earlier (evening and the next morning share it).
  const { year, month, day } = zonedParts(timeMs - 12 * 3_600_000, options.timeZone);
  const night = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  let hash = (options.seed ^ 0x5bd1e995) >>> 0;
  for (const c of `${deviceId}/night/${night}`) hash = Math.imul(hash ^ c.charCodeAt(0), 16777619) >>> 0;
  return random(hash)() < 0.04;
}

/**
 * A plausible value of a property at a time: a diurnal shape per property, a per-device
 * level, and noise. Deterministic in (device, property, time, seed).
 */
export function demoValue(
  deviceId: string,
  property: string,
  timeMs: number,
  options: { seed: number; timeZone: string },
): number {
  let hash = options.seed >>> 0;
  for (const c of `${deviceId}/${property}/${timeMs}`)
    hash = Math.imul(hash ^ c.charCodeAt(0), 16777619) >>> 0;
  const noise = random(hash)() - 0.5;
  let level = 0;
  for (const c of deviceId) level = (level * 31 + c.charCodeAt(0)) % 1000;
  const site = 0.8 + (level / 1000) * 0.4;
  const h = localHour(timeMs, options.timeZone);
  const traffic = bump(h, 8, 1.5) + 0.8 * bump(h, 18.5, 2);
  const sun = bump(h, 14.5, 3);
  const night = h >= 22 || h < 6;
  const round = (v: number, d = 1) => Math.round(Math.max(0, v) * 10 ** d) / 10 ** d;
  switch (property) {
    case 'pm25':
      return round(site * (28 + 30 * traffic) * (1 + 0.25 * noise));
    case 'pm10':
      return round(site * (50 + 45 * traffic) * (1 + 0.25 * noise));
    case 'no2':
      return round(site * (22 + 48 * traffic) * (1 + 0.2 * noise));
    case 'so2':
      return round(site * (8 + 4 * traffic) * (1 + 0.3 * noise));
    case 'o3':
      return round(site * (25 + 120 * sun) * (1 + 0.15 * noise));
    case 'co':
      return round(site * (0.5 + 0.6 * traffic) * (1 + 0.2 * noise), 2);
    case 'laeq':
      return round((night ? 44 : 54) + 10 * traffic * site + 4 * noise);
    case 'laeq_night':
      return round(42 + 6 * site + 3 * noise);
    case 'ph':
      return round(7.4 + 0.3 * sun + 0.2 * noise, 2);
    case 'dissolved_oxygen':
      return round(6.2 + 2.4 * sun * site + 0.4 * noise, 2);
    case 'cod':
      return round(14 * site + 3 * noise);
    case 'ammonia_nitrogen':
      return round(0.45 * site + 0.15 * noise, 3);
    case 'turbidity':
      return round(12 * site + 6 * noise);
    // Street lights: ambient light at the photocell, the lamp lit in the dark (a lamp now and
    // then fails for a night), its power draw and its energy meter.
    case 'illuminance': {
      const day = Math.max(0, Math.sin((Math.PI * (h - 6)) / 12.5));
      return day > 0 ? round(Math.max(0, 30_000 * day * (1 + 0.2 * noise))) : round(1 + Math.abs(noise) * 2);
    }
    case 'status': {
      if (demoValue(deviceId, 'illuminance', timeMs, options) >= DARK_LUX) return 0;
      return lampFailsTonight(deviceId, timeMs, options) ? 0 : 1;
    }
    case 'power': {
      const rated = Math.round(80 + (level / 1000) * 70);
      return demoValue(deviceId, 'status', timeMs, options) ? round(rated * (1 + 0.04 * noise)) : 0.5;
    }
    case 'energy': {
      // About 11.5 lit hours a night at the rated power, since 2020.
      const rated = Math.round(80 + (level / 1000) * 70) / 1000;
      return round(rated * 11.5 * ((timeMs - Date.UTC(2020, 0, 1)) / 86_400_000), 2);
    }
    default:
      return round(50 + 20 * sun + 10 * noise);
  }
}

/** What a simulation stored; `bySensorType` counts the observations sent per sensor type. */
export interface DemoObservationTotals {
  accepted: number;
  duplicates: number;
  rejected: number;
  bySensorType: Record<string, number>;
}

/**
 * Streams the demo sensors' observations alongside another simulation: call `at(time)` as
 * simulated time advances; every `stepMinutes` (default 15) of simulated time, each
 * datastream of every active device gets a value at that time, through the same ingestion
 * path as devices (the write coalescer; derived values and events included), one step after
 * another. `finish()` waits for what was started and for the writes, and returns the totals.
 */
export function demoObservationStream(
  host: CapabilityHost,
  options: { seed: number; stepMinutes?: number },
): { at(time: Date): void; finish(): Promise<DemoObservationTotals> } {
  const step = (options.stepMinutes ?? 15) * 60_000;
  const totals: DemoObservationTotals = { accepted: 0, duplicates: 0, rejected: 0, bySensorType: {} };
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown = null;
  let next: number | null = null;
  return {
    at(time) {
      const t = time.getTime();
      if (next === null) next = t;
      if (t < next) return;
      const from = next;
      const to = from + (Math.floor((t - from) / step) + 1) * step;
      next = to;
      chain = chain.then(async () => {
        if (failure) return;
        try {
          const r = await simulateObservations(host, {
            seed: options.seed,
            from: new Date(from),
            to: new Date(to),
            stepMinutes: step / 60_000,
          });
          totals.accepted += r.accepted;
          totals.duplicates += r.duplicates;
          totals.rejected += r.rejected;
          for (const [type, n] of Object.entries(r.bySensorType))
            totals.bySensorType[type] = (totals.bySensorType[type] ?? 0) + n;
        } catch (err) {
          failure = err;
        }
      });
    },
    async finish() {
      await chain;
      await hubOf(host).writer.drain();
      if (failure) throw failure;
      return totals;
    },
  };
}

/** True when the app runs the data hub (demo sensors can be seeded and simulated). */
export const hasDatahub = (host: CapabilityHost) => host.hasCapability('datahub');

/**
 * Generates and stores observations of the given (or all) devices every `stepMinutes` in
 * [from, to), through the same ingestion path as devices use. Returns what was stored.
 */
export async function simulateObservations(
  host: CapabilityHost,
  options: { seed: number; from: Date; to: Date; stepMinutes?: number; deviceIds?: string[] },
): Promise<DemoObservationTotals> {
  const { kernel } = host;
  const { hub, writer } = hubOf(host);
  const step = (options.stepMinutes ?? 60) * 60_000;
  let q = kernel.db
    .selectFrom('datahub_device')
    .select(['id', 'sensor_type'])
    .where('status', '!=', 'inactive');
  if (options.deviceIds) q = q.where('id', 'in', options.deviceIds.length ? options.deviceIds : ['']);
  const devices = await q.orderBy('id').execute();
  const totals: DemoObservationTotals = { accepted: 0, duplicates: 0, rejected: 0, bySensorType: {} };
  const actor = systemActor(kernel.clock.now());
  let batch: Array<{ device: string; property: string; time: string; value: number }> = [];
  const flush = async () => {
    if (!batch.length) return;
    await writer.whenRoom(batch.length);
    const report = await ingestObservations(
      hub,
      writer,
      { kind: 'principal', principal: actor.principal },
      batch,
      {
        now: new Date(Math.max(kernel.clock.now().getTime(), options.to.getTime())),
      },
    );
    totals.accepted += report.accepted;
    totals.duplicates += report.duplicates;
    totals.rejected += report.rejected.length;
    batch = [];
  };
  for (let t = options.from.getTime(); t < options.to.getTime(); t += step) {
    for (const d of devices) {
      const type = hub.sensorTypes.get(d.sensor_type as string);
      if (type)
        totals.bySensorType[type.code] = (totals.bySensorType[type.code] ?? 0) + type.datastreams.length;
      for (const ds of type?.datastreams ?? []) {
        batch.push({
          device: d.id as string,
          property: ds.property,
          time: new Date(t).toISOString(),
          value: demoValue(d.id as string, ds.property, t, {
            seed: options.seed,
            timeZone: kernel.config.timeZone,
          }),
        });
      }
    }
    if (batch.length >= 5000) await flush();
  }
  await flush();
  return totals;
}
