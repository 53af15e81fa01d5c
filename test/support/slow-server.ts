// A OneCity node with one extra slow route, for the graceful-shutdown test. Prints the
// address on stdout ("LISTENING <url>"), "IN FLIGHT" when the slow request arrives, and
// exits with serveUntilSignal's code.
import { buildApp } from '../../src/app.ts';
import { serveUntilSignal } from '../../src/cli/serve.ts';
import { type Capability, createLogger, loadConfig } from '../../src/kernel/index.ts';

const slow: Capability = {
  name: 'slow',
  create: () => ({
    routes(app) {
      app.get('/test/slow', async () => {
        // The test sends SIGTERM once it reads this: the request is in flight by then.
        process.stdout.write('IN FLIGHT\n');
        await new Promise((r) => setTimeout(r, 1500));
        return { finished: true };
      });
    },
  }),
};
const config = loadConfig({ overrides: { port: 0, seedDemo: false }, file: null });
const logger = createLogger({ logLevel: 'info', logPretty: false });
const built = await buildApp({ config, logger, capabilities: [slow] });
built.app.server.once('listening', () => {
  const addr = built.app.server.address() as { port: number };
  process.stdout.write(`LISTENING http://127.0.0.1:${addr.port}\n`);
});
process.exitCode = await serveUntilSignal(built, config);
