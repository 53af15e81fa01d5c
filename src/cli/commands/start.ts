import { buildApp } from '../../app.ts';
import { loadConfig } from '../../kernel/index.ts';
import { hasNoDivisions } from '../../org/index.ts';
import type { CliCommand } from '../cli-kit.ts';
import { serveUntilSignal } from '../serve.ts';
import { seedDemoWithProgress } from './seed.ts';

/** `onecity start`: migrate, (seed,) listen, and drain gracefully on SIGTERM/SIGINT. */
export const startCommand: CliCommand = {
  name: 'start',
  summary: 'Start the platform: migrate, listen on HOST:PORT, serve until SIGTERM/SIGINT',
  options: [
    { name: 'port', value: 'n', description: 'Override PORT' },
    { name: 'no-seed', description: 'Do not seed the demo city into an empty database' },
  ],
  async run(args) {
    const overrides: Record<string, unknown> = {};
    if (args.flags.port !== undefined) overrides.port = args.flags.port;
    if (args.flags['no-seed']) overrides.seedDemo = false;
    const env = { ...process.env };
    if (env.LOG_PRETTY === undefined && process.stdout.isTTY) env.LOG_PRETTY = 'true';
    const config = loadConfig({ env, overrides });
    const built = await buildApp({ config });
    try {
      if (config.seedDemo && (await hasNoDivisions(built.kernel.db))) await seedDemoWithProgress(built, 1);
    } catch (err) {
      await built.close().catch(() => {});
      throw err;
    }
    return serveUntilSignal(built, config);
  },
};
