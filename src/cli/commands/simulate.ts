import pino from 'pino';
import { buildApp } from '../../app.ts';
import { CASES, localMidnight } from '../../cases/index.ts';
import { type SimulationOptions, simulateCity } from '../../simulator/index.ts';
import {
  type DemoObservationTotals,
  demoObservationStream,
  hasDatahub,
  seedDemoSensors,
} from '../../datahub/index.ts';
import {
  type CapabilityHost,
  createLogger,
  loadConfig,
  ManualClock,
  openStorage,
} from '../../kernel/index.ts';
import { seedDemoCity } from '../../org/index.ts';
import { CliError, type CliCommand, intFlag, ProgressBar } from '../cli-kit.ts';

/**
 * Plays the demo city: its cases (the case simulator) and, with the data hub, its demo
 * sensors' observations streamed at the simulated time through the ingestion path, every
 * `stepMinutes` (15) of simulated time. The city and its sensors must be seeded.
 */
export async function simulateDemo(
  host: CapabilityHost,
  clock: ManualClock,
  options: SimulationOptions & { stepMinutes?: number },
): Promise<Awaited<ReturnType<typeof simulateCity>> & { observations: DemoObservationTotals | null }> {
  const stream = hasDatahub(host)
    ? demoObservationStream(host, { seed: options.seed, stepMinutes: options.stepMinutes })
    : null;
  stream?.at(clock.now());
  const summary = await simulateCity(host.services(CASES).engine, host.kernel, clock, {
    ...options,
    onTick: (done, total) => {
      stream?.at(clock.now());
      options.onTick?.(done, total);
    },
  });
  return { ...summary, observations: (await stream?.finish()) ?? null };
}

/**
 * `onecity simulate [--days N] [--seed S] [--speed X] [--rate R]`: plays N days of the demo
 * city in a fresh in-memory database at accelerated time and prints the summary (JSON on
 * stdout). The same seed gives the same summary.
 */
export const simulateCommand: CliCommand = {
  name: 'simulate',
  usage: 'simulate [--days N] [--seed S] [--speed X] [--rate R] [--start YYYY-MM-DD]',
  summary: 'Play days of the demo city at accelerated time (reports, dispatch, handling, overdue, whistles)',
  options: [
    { name: 'days', value: 'n', description: 'Simulated days', default: '1' },
    {
      name: 'seed',
      value: 's',
      description: 'Random seed: the same seed gives the same summary',
      default: '1',
    },
    {
      name: 'speed',
      value: 'x',
      description: 'Simulated seconds per real second (0 = as fast as possible)',
      default: '0',
    },
    { name: 'rate', value: 'r', description: 'Reports per simulated day', default: '200' },
    {
      name: 'start',
      value: 'date',
      description: 'First simulated day (local midnight)',
      default: '2026-03-02',
    },
  ],
  async run(args) {
    const days = intFlag(args, 'days', 1, 60) ?? 1;
    const seed = intFlag(args, 'seed', 0, 2 ** 31 - 1) ?? 1;
    const rate = intFlag(args, 'rate', 1, 100_000) ?? 200;
    const speed = Number(args.flags.speed ?? 0);
    if (!Number.isFinite(speed) || speed < 0) throw new CliError('--speed must be a number ≥ 0', 2);
    const start = String(args.flags.start);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(start)) throw new CliError('--start must be YYYY-MM-DD', 2);
    const config = loadConfig({ env: { ...process.env, ONECITY_SEED_DEMO: 'false' } });
    const clock = new ManualClock(localMidnight(start, config.timeZone));
    const storage = await openStorage({
      dataDir: null,
      maintenanceSeconds: config.embeddedMaintenanceSeconds,
    });
    const built = await buildApp({
      config,
      storage,
      clock,
      // Logs on stderr: stdout carries only the JSON summary.
      logger: createLogger({ ...config, logLevel: 'warn' }, pino.destination(2)),
      background: false,
    });
    try {
      await seedDemoCity(built, { seed: 1, password: `Sim-${seed}-${Date.now()}-Aa1!` });
      if (hasDatahub(built)) await seedDemoSensors(built, { seed: 1 });
      const bar = new ProgressBar(`Simulating ${days} day(s)`, days * 288);
      const summary = await simulateDemo(built, clock, {
        days,
        seed,
        speed,
        reportsPerDay: rate,
        onTick: () => bar.tick(),
      });
      bar.finish(
        `Simulated ${days} day(s) (seed ${seed}): ${summary.reported} cases, ${summary.byState.closed ?? 0} closed, ${summary.supervisionNotices} supervision notices, ${summary.escalations} escalations, ${summary.observations?.accepted ?? 0} observations`,
      );
      process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      return 0;
    } finally {
      await built.close();
      await storage.close();
    }
  },
};
