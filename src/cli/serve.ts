import type { OneCityApp } from '../app.ts';
import type { Config } from '../kernel/index.ts';

/** Says which setting to change when the address cannot be bound. */
function listenError(err: unknown, config: Config): Error {
  const code = (err as NodeJS.ErrnoException).code;
  const where = `${config.host}:${config.port}`;
  if (code === 'EADDRINUSE')
    return new Error(`cannot listen on ${where}: the port is in use (set PORT or HOST)`);
  if (code === 'EADDRNOTAVAIL')
    return new Error(`cannot listen on ${where}: no such local address (set HOST)`);
  if (code === 'EACCES')
    return new Error(`cannot listen on ${where}: permission denied (set PORT above 1023)`);
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * Listens, then on SIGTERM/SIGINT stops accepting connections, lets in-flight requests
 * finish, closes storage and resolves 0 — or 1 if that takes longer than
 * `shutdownTimeoutSeconds`. Resolves to the process exit code. When it cannot listen it
 * closes the app and rejects with a message naming the setting.
 */
export async function serveUntilSignal(built: OneCityApp, config: Config): Promise<number> {
  const { app, kernel } = built;
  let address: string;
  try {
    address = await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    // A node that cannot listen must not linger holding the data directory: close, then fail.
    await built.close().catch(() => {});
    throw listenError(err, config);
  }
  kernel.logger.info(
    {
      address,
      storage: kernel.storage.kind,
      location: kernel.storage.location,
      bus: kernel.bus.kind,
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
          kernel.logger.info('stopped');
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
}
