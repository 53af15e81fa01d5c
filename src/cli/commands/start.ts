import { buildApp } from '../../app.ts';
import { loadConfig } from '../../kernel/index.ts';
import type { CliCommand } from '../cli-kit.ts';

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
    const { app, kernel } = built;
    const address = await app.listen({ port: config.port, host: config.host });
    kernel.logger.info(
      {
        address,
        storage: kernel.storage.kind,
        location: kernel.storage.location,
        modules: kernel.modules.modules.map((m) => m.id),
      },
      `OneCity listening on ${address}`,
    );
    return new Promise<number>((resolve) => {
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        kernel.logger.info({ signal }, 'draining in-flight requests and shutting down');
        const force = setTimeout(() => {
          kernel.logger.error('shutdown took too long; exiting');
          resolve(1);
        }, config.shutdownTimeoutSeconds * 1000);
        force.unref();
        built.close().then(
          () => {
            clearTimeout(force);
            resolve(0);
          },
          (err) => {
            kernel.logger.error({ err }, 'error during shutdown');
            clearTimeout(force);
            resolve(1);
          },
        );
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
  },
};
