import { buildApp } from '../../app.ts';
import { hasDatahub, seedDemoSensors } from '../../datahub/index.ts';
import { type CapabilityHost, createLogger, DomainError, loadConfig } from '../../kernel/index.ts';
import { type SeedDemoResult, seedDemoCity } from '../../org/index.ts';
import { CliError, type CliCommand, intFlag, ProgressBar } from '../cli-kit.ts';

/**
 * Seeds the demo city with a progress bar on stderr and prints what it made; with the data
 * hub, also its demo sensors (placed by the same seed).
 */
export async function seedDemoWithProgress(
  host: CapabilityHost,
  seed: number,
): Promise<SeedDemoResult & { sensors: Record<string, number> }> {
  let bar: ProgressBar | null = null;
  const result = await seedDemoCity(host, {
    seed,
    progress: {
      start: (total) => {
        bar = new ProgressBar('Seeding the demo city', total);
      },
      tick: (n) => bar?.tick(n),
    },
  });
  const c = result.counts;
  (bar as ProgressBar | null)?.finish(
    `Seeded Lanhu City (seed ${seed}): ${c.districts} districts, ${c.streets} streets, ${c.communities} communities, ${c.grids} unit grids, ${c.departments} departments, ${c.rules} responsibility rules, ${c.users} demo user(s)`,
  );
  const sensors: Record<string, number> = {};
  if (hasDatahub(host)) {
    for (const d of await seedDemoSensors(host, { seed }))
      sensors[d.sensorType] = (sensors[d.sensorType] ?? 0) + 1;
    process.stderr.write(
      `Demo sensors: ${
        Object.entries(sensors)
          .map(([type, n]) => `${n} ${type}`)
          .join(', ') || 'none (no plate declares a sensor type)'
      }\n`,
    );
  }
  if (c.users > 0) {
    const fromEnv = !!process.env.ONECITY_DEMO_PASSWORD;
    process.stdout.write(
      fromEnv
        ? 'Demo users (demo.<role>, e.g. demo.dispatcher) use the password from ONECITY_DEMO_PASSWORD.\n'
        : `Demo users (demo.<role>, e.g. demo.dispatcher) share the generated password:\n\n    ${result.demoPassword}\n\nIt is shown only this once. Set ONECITY_DEMO_PASSWORD to choose it yourself.\n`,
    );
  }
  return { ...result, sensors };
}

/** `onecity seed --demo [--seed N]`: the demo city into an empty database. */
export const seedCommand: CliCommand = {
  name: 'seed',
  usage: 'seed --demo [--seed N]',
  summary: 'Seed the demo city (Lanhu City) with departments, rules and demo users into an empty database',
  options: [
    { name: 'demo', description: 'Seed the demo city (the only seed there is)' },
    { name: 'seed', value: 'n', description: 'Random seed; the same seed gives the same city', default: '1' },
  ],
  async run(args) {
    if (!args.flags.demo) throw new CliError('say what to seed: onecity seed --demo', 2);
    const seed = intFlag(args, 'seed', 0, 2 ** 31 - 1) ?? 1;
    const config = loadConfig();
    const built = await buildApp({
      config,
      logger: createLogger({ ...config, logLevel: 'warn' }),
      background: false,
    });
    try {
      const result = await seedDemoWithProgress(built, seed).catch((err) => {
        if (err instanceof DomainError && err.code === 'demo.not_empty')
          throw new CliError('the database already holds divisions; the demo city seeds only an empty one');
        throw err;
      });
      process.stderr.write(`Plan digest ${result.digest}\n`);
      return 0;
    } finally {
      await built.close();
    }
  },
};
