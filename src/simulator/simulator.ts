/**
 * The city simulator: plays N days of the demo city on a ManualClock, in 5-minute ticks.
 * Reports arrive per category and district with a daily rhythm; supervision files,
 * command dispatches, departments accept and handle with realistic delays; some cases are
 * rejected, returned, reworked, extended, deferred, whistled or left to go overdue (the SLA
 * timers then supervise and escalate on their own). Everything goes through the real
 * services (`reportCase`, `applyAction`) and the scheduler, so the database ends up as a
 * real city's would. The same seed gives the same summary.
 */
import { sql } from 'kysely';
import type { Principal, Role } from '../identity/index.ts';
import type { Kernel, ManualClock, Urgency } from '../kernel/index.ts';
import { generateDemoGeography } from '../org/index.ts';
import {
  applyAction,
  type CaseEngine,
  type CaseView,
  type Channel,
  localParts,
  reportCase,
  type Satisfaction,
} from '../cases/index.ts';

export interface SimulationOptions {
  days: number;
  seed: number;
  /** Reports per simulated day (default 200). */
  reportsPerDay?: number;
  /** Simulated seconds per real second; 0 = as fast as possible. */
  speed?: number;
  /** The demo city's seed (which geography to place reports in). */
  citySeed?: number;
  onTick?: (done: number, total: number) => void;
}

export interface SimulationSummary {
  days: number;
  seed: number;
  reported: number;
  byState: Record<string, number>;
  byCategory: Record<string, number>;
  byDistrict: Record<string, number>;
  returns: number;
  reworks: number;
  extensionsApproved: number;
  extensionsRefused: number;
  deferrals: number;
  whistles: number;
  missedReportIns: number;
  supervisionNotices: number;
  escalations: number;
  evaluations: number;
  /** Actions the simulator planned that the engine refused (should be 0). */
  refused: number;
}

const TICK_MS = 5 * 60_000;
const MIN = 60_000;
const HOUR = 3_600_000;

/** Share of a day's reports per local hour: quiet nights, morning and afternoon peaks. */
const RHYTHM = [1, 0.5, 0.3, 0.3, 0.4, 0.8, 2, 4, 7, 8, 7.5, 6, 4, 5, 6.5, 6.5, 6, 5, 4, 3.5, 3, 2.5, 2, 1.5];

function rng(seed: number): () => number {
  let a = seed >>> 0 || 0x9e3779b9;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const service = (id: string, roles: Role[], scope: Partial<Principal> = {}): Principal => ({
  kind: 'service',
  id,
  username: id,
  roles,
  departmentCodes: [],
  divisionCodes: [],
  ...scope,
});

const SUPERVISION = service('sim:supervision', ['supervision_operator']);
const DISPATCHER = service('sim:dispatcher', ['dispatcher']);

interface Planned {
  at: number;
  seq: number;
  run: () => Promise<void>;
}

/** Plays the simulation on a started kernel whose demo city is seeded; returns the summary. */
export async function simulateCity(
  engine: CaseEngine,
  kernel: Kernel,
  clock: ManualClock,
  options: SimulationOptions,
): Promise<SimulationSummary> {
  const rand = rng(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)];
  const chance = (p: number) => rand() < p;
  const between = (a: number, b: number) => a + rand() * (b - a);
  const perDay = options.reportsPerDay ?? 200;

  const grids = generateDemoGeography(options.citySeed ?? 1).filter((d) => d.level === 'grid');
  const categories = kernel.modules.categories().filter((c) => c.parent && c.public !== false);
  const channels: Array<[Channel, number]> = [
    ['hotline', 0.3],
    ['app', 0.25],
    ['grid_patrol', 0.25],
    ['web', 0.1],
    ['open311', 0.05],
    ['media', 0.03],
    ['higher_assignment', 0.02],
  ];
  const weighted = <T>(items: Array<[T, number]>): T => {
    let x = rand() * items.reduce((s, [, w]) => s + w, 0);
    for (const [v, w] of items) {
      x -= w;
      if (x <= 0) return v;
    }
    return items[items.length - 1][0];
  };

  const queue: Planned[] = [];
  let seq = 0;
  const plan = (at: number, run: () => Promise<void>) => queue.push({ at, seq: seq++, run });
  let refused = 0;

  const pointIn = (grid: (typeof grids)[number]) => {
    const coords = JSON.stringify(grid.boundary.coordinates)
      .match(/-?\d+(\.\d+)?/g)!
      .map(Number);
    const lons = coords.filter((_, i) => i % 2 === 0);
    const lats = coords.filter((_, i) => i % 2 === 1);
    const box = [Math.min(...lats), Math.max(...lats), Math.min(...lons), Math.max(...lons)];
    for (let i = 0; i < 50; i++) {
      const lat = between(box[0], box[1]);
      const lon = between(box[2], box[3]);
      if (engine.deps.locate(lat, lon)?.grid?.code === grid.code) return { lat, lon };
    }
    return { lat: (box[0] + box[1]) / 2, lon: (box[2] + box[3]) / 2 };
  };

  /** Runs an action; a refusal is counted and ends that case's story. */
  const act = async (who: Principal, c: CaseView, action: string, params: Record<string, unknown> = {}) => {
    try {
      return await applyAction(engine, who, c.id, action, { version: c.version, ...params });
    } catch {
      refused++;
      return null;
    }
  };
  const department = (code: string, role: Role = 'department_handler') =>
    service(`sim:${code}:${role}`, [role], { departmentCodes: [code] });

  /** Plans one case's whole story from its report on. */
  const story = (at: number) => {
    const grid = pick(grids);
    const category = pick(categories);
    const channel = weighted(channels);
    const urgency: Urgency = weighted<Urgency>([
      ['normal', 0.85],
      ['urgent', 0.12],
      ['emergency', 0.03],
    ]);
    const point = pointIn(grid);
    const citizen = service(`sim:citizen:${seq}`, ['citizen'], { kind: 'user' });
    const reporter =
      channel === 'grid_patrol'
        ? service('sim:grid', ['grid_worker'], { divisionCodes: [grid.code] })
        : citizen;
    // Decisions drawn now, so the random stream does not depend on the engine's answers.
    const d = {
      reject: chance(0.05),
      fileAfter: between(3, channel === 'grid_patrol' ? 15 : 40) * MIN,
      dispatchAfter: between(3, 45) * MIN,
      returns: chance(0.08),
      acceptAfter: between(10, 150) * MIN,
      extension: chance(0.06),
      approve: chance(0.8),
      defer: chance(0.03),
      whistle: chance(0.03),
      reportsIn: [chance(0.7), chance(0.7)],
      handleAfter: Math.exp(between(Math.log(1), Math.log(40))) * HOUR,
      neglect: chance(0.04),
      rework: chance(0.1),
      reworkAfter: between(2, 10) * HOUR,
      verifyAfter: between(20, 120) * MIN,
      evaluate: channel !== 'grid_patrol' && chance(0.6),
      satisfaction: weighted<Satisfaction>([
        ['satisfied', 0.7],
        ['basically_satisfied', 0.2],
        ['unsatisfied', 0.1],
      ]),
    };
    plan(at, async () => {
      let c: CaseView;
      try {
        c = (
          await reportCase(engine, reporter, {
            channel,
            category: category.code,
            urgency,
            location: point,
            description: `${category.name.en ?? category.code} (simulated)`,
            reporter: { name: '市民', phone: '13800000000', consent: chance(0.5) },
          })
        ).case;
      } catch {
        refused++;
        return;
      }
      plan(clock.now().getTime() + d.fileAfter, async () => {
        if (d.reject) {
          await act(SUPERVISION, c, 'reject', { reason: 'not a public matter' });
          return;
        }
        const filed = await act(SUPERVISION, c, 'file');
        if (!filed) return;
        const dispatch = async (x: CaseView, again: boolean) => {
          const sent = await act(DISPATCHER, x, 'dispatch');
          if (!sent?.leadDepartment) return;
          const lead = sent.leadDepartment;
          const handler = department(lead);
          plan(clock.now().getTime() + d.acceptAfter / 2, async () => {
            if (d.returns && !again) {
              const back = await act(handler, sent, 'return', { reason: 'not our responsibility' });
              if (back) plan(clock.now().getTime() + 20 * MIN, () => dispatch(back, true).then(() => {}));
              return;
            }
            const accepted = await act(handler, sent, 'accept');
            if (!accepted) return;
            await work(accepted, lead);
          });
        };
        plan(clock.now().getTime() + d.dispatchAfter, () => dispatch(filed, false));
      });
    });

    const work = async (c: CaseView, lead: string) => {
      const handler = department(lead);
      let current = c;
      if (d.whistle && c.divisions.street) {
        const officer = service('sim:street', ['street_officer'], { divisionCodes: [c.divisions.street] });
        const others = [lead, ...c.assistDepartments].slice(0, 2);
        const w = await act(officer, current, 'whistle', { departments: others, note: 'joint inspection' });
        if (w) {
          current = w;
          others.forEach((dept, i) => {
            if (d.reportsIn[i])
              plan(clock.now().getTime() + between(5, 25) * MIN, async () => {
                const fresh = await engine.db
                  .selectFrom('case_record')
                  .select('version')
                  .where('id', '=', c.id)
                  .executeTakeFirst();
                await act(department(dept), { ...current, version: Number(fresh?.version) }, 'report-in');
              });
          });
        }
      }
      if (d.defer) {
        const deferred = await act(DISPATCHER, current, 'defer', { reason: 'waiting for road works' });
        if (deferred)
          plan(
            clock.now().getTime() + 24 * HOUR,
            async () => void (await act(DISPATCHER, deferred, 'unpark')),
          );
        return;
      }
      if (d.extension) {
        const asked = await act(handler, current, 'request-extension', {
          minutes: 450,
          reason: 'needs a contractor',
        });
        if (!asked) return;
        const decided = await act(DISPATCHER, asked, 'decide-extension', { approve: d.approve });
        if (!decided) return;
        current = decided;
      }
      if (d.neglect) return; // left to go overdue: the SLA timers supervise and escalate.
      plan(clock.now().getTime() + d.handleAfter, async () => {
        const fresh = await engine.db
          .selectFrom('case_record')
          .select('version')
          .where('id', '=', c.id)
          .executeTakeFirst();
        const handled = await act(handler, { ...current, version: Number(fresh?.version) }, 'handle', {
          evidence: ['after.jpg'],
        });
        if (handled) verify(handled, handler, true);
      });
    };

    const verify = (c: CaseView, handler: Principal, first: boolean) => {
      plan(clock.now().getTime() + d.verifyAfter, async () => {
        if (first && d.rework) {
          const failed = await act(SUPERVISION, c, 'verify', { result: 'fail', note: 'not fixed' });
          if (failed)
            plan(clock.now().getTime() + d.reworkAfter, async () => {
              const again = await act(handler, failed, 'handle', { evidence: ['after-2.jpg'] });
              if (again) verify(again, handler, false);
            });
          return;
        }
        const closed = await act(SUPERVISION, c, 'verify', { result: 'pass' });
        if (closed && d.evaluate)
          plan(clock.now().getTime() + between(1, 24) * HOUR, async () => {
            await act(reporter, closed, 'evaluate', { satisfaction: d.satisfaction });
          });
      });
    };
  };

  // Arrivals: each tick draws its share of the day's reports from the hourly rhythm.
  const start = clock.now().getTime();
  const end = start + options.days * 24 * HOUR;
  const rhythmTotal = RHYTHM.reduce((a, b) => a + b, 0);
  const ticks = Math.round((end - start) / TICK_MS);
  const speed = options.speed ?? 0;
  const realStart = Date.now();
  for (let i = 0; i <= ticks; i++) {
    const t = start + i * TICK_MS;
    clock.set(t);
    const hour = localParts(new Date(t), engine.calendar.timeZone).hour;
    const expected = (perDay * RHYTHM[hour]) / rhythmTotal / (HOUR / TICK_MS);
    let n = Math.floor(expected);
    if (chance(expected - n)) n++;
    if (i < ticks) for (let k = 0; k < n; k++) story(t + Math.floor(rand() * TICK_MS));
    await engine.scheduler.runDue(10_000);
    queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
    while (queue.length && queue[0].at <= t) {
      const next = queue.shift()!;
      await next.run();
      queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
    }
    options.onTick?.(i, ticks);
    if (speed > 0) {
      const due = realStart + (t - start) / speed;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  }
  await engine.scheduler.runDue(10_000);
  return summarize(engine, options, refused);
}

async function summarize(
  engine: CaseEngine,
  options: SimulationOptions,
  refused: number,
): Promise<SimulationSummary> {
  const db = engine.db;
  const group = async (col: string) =>
    Object.fromEntries(
      (
        await db
          .selectFrom('case_record')
          .select([sql<string | null>`${sql.ref(col)}`.as('k'), (eb) => eb.fn.countAll<number>().as('n')])
          .groupBy(sql.ref(col))
          .orderBy(sql.ref(col))
          .execute()
      ).map((r) => [String(r.k ?? 'none'), Number(r.n)]),
    );
  const history = async (action: string, where?: [string, string]) => {
    let q = db
      .selectFrom('case_history')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('action', '=', action);
    if (where) q = q.where(sql<boolean>`params->>${where[0]} = ${where[1]}`);
    return Number((await q.executeTakeFirstOrThrow()).n);
  };
  const notices = async (kind: string) =>
    Number(
      (
        await db
          .selectFrom('case_notification')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('kind', '=', kind)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const byState = await group('state');
  return {
    days: options.days,
    seed: options.seed,
    reported: Object.values(byState).reduce((a, b) => a + b, 0),
    byState,
    byCategory: await group('category'),
    byDistrict: await group('district_code'),
    returns: await history('return'),
    reworks: await history('verify', ['result', 'fail']),
    extensionsApproved: await history('decide-extension', ['approve', 'true']),
    extensionsRefused: await history('decide-extension', ['approve', 'false']),
    deferrals: await history('defer'),
    whistles: await history('whistle'),
    missedReportIns: await history('report-in-missed'),
    supervisionNotices: await notices('supervision_notice'),
    escalations: await notices('escalation'),
    evaluations: await history('evaluate'),
    refused,
  };
}
