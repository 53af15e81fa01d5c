/**
 * A real OneCity server for the crash test: the whole platform on DATA_DIR, listening on a
 * free loopback port. Prints one JSON line `{address, deviceKey}`: the key of device
 * `noise-crash` (registered on first start, rotated on later starts).
 */
import { buildApp } from '../../src/app.ts';
import { registerDevice, rotateDeviceKey } from '../../src/datahub/index.ts';
import { systemActor } from '../../src/identity/index.ts';
import { loadConfig } from '../../src/kernel/index.ts';

const config = loadConfig({
  env: { ...process.env, LOG_LEVEL: 'warn', ONECITY_SEED_DEMO: 'false', PORT: '0' },
  file: null,
});
const built = await buildApp({ config });
const address = await built.app.listen({ port: 0, host: '127.0.0.1' });
const { kernel } = built;
const hub = (built.app as unknown as { datahub: Parameters<typeof registerDevice>[1] }).datahub;
const actor = { ...systemActor(kernel.clock.now()), bus: kernel.bus };
const exists = await kernel.db
  .selectFrom('datahub_device')
  .select('id')
  .where('id', '=', 'noise-crash')
  .executeTakeFirst();
const { key } = exists
  ? await rotateDeviceKey(kernel.db, hub, 'noise-crash', actor)
  : await registerDevice(
      kernel.db,
      hub,
      { id: 'noise-crash', name: 'Crash', sensorType: 'noise-monitor' },
      actor,
    );
process.stdout.write(`${JSON.stringify({ address, deviceKey: key })}\n`);
process.once('SIGTERM', () => {
  built.close().then(() => process.exit(0));
});
