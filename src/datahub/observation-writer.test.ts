import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, type TestApp } from '../../test/support/app.ts';
import { systemActor } from '../identity/index.ts';
import { type EventOf, InProcessEventBus, UnavailableError } from '../kernel/index.ts';
import type { DatahubContext } from './datahub-context.ts';
import { type DatahubEventMap, datahubEvents } from './datahub-events.ts';
import { registerDevice } from './devices.ts';
import { ObservationWriter, type PendingObservation } from './observation-writer.ts';

type ObservationLatestEvent = EventOf<DatahubEventMap, 'observation.latest'>;

describe('observation writer', () => {
  let app: TestApp;
  let hub: DatahubContext;
  let laeq: number;
  let night: number;
  before(async () => {
    app = await buildTestApp('pglite');
    hub = (app.app as unknown as { datahub: DatahubContext }).datahub;
    await registerDevice(
      app.kernel.db,
      hub,
      { id: 'noise-w', name: 'W', sensorType: 'noise-monitor' },
      systemActor(app.clock.now()),
    );
    const meta = (await hub.catalog.devices(['noise-w'])).get('noise-w')!;
    laeq = meta.byProperty.get('laeq')!.id;
    night = meta.byProperty.get('laeq_night')!.id;
  });
  after(() => app.dispose());

  const row = (datastreamId: number, minute: number, value = 50): PendingObservation => ({
    datastreamId,
    deviceId: 'noise-w',
    timeMs: Date.parse('2026-03-01T00:00:00Z') + minute * 60_000,
    value,
    quality: 'good',
  });

  test('concurrent submissions share writes; repeats inside and across them are duplicates', async () => {
    const writer = new ObservationWriter({
      db: app.kernel.db,
      clock: app.clock,
      logger: app.kernel.logger,
      hub,
    });
    const [a, b] = await Promise.all([
      writer.submit([row(laeq, 1), row(laeq, 1), row(laeq, 2)]),
      writer.submit([row(laeq, 2), row(laeq, 3)]),
    ]);
    assert.deepEqual(a, { accepted: 2, duplicates: 1 });
    assert.deepEqual(b, { accepted: 1, duplicates: 1 });
    await writer.close();
  });

  test('a full queue refuses a submission whole, and whenRoom waits for the write', async () => {
    const writer = new ObservationWriter({
      db: app.kernel.db,
      clock: app.clock,
      logger: app.kernel.logger,
      hub,
      maxQueueRows: 3,
      lingerMs: 100,
    });
    const first = writer.submit([row(laeq, 10), row(laeq, 11)]);
    assert.equal(writer.hasRoom(2), false);
    assert.throws(
      () => writer.submit([row(laeq, 12), row(laeq, 13)]),
      (e: unknown) => e instanceof UnavailableError && e.code === 'ingest.overloaded',
    );
    let roomAt = 0;
    const room = writer.whenRoom(2).then(() => {
      roomAt = Date.now();
    });
    const result = await first;
    await room;
    assert.ok(roomAt > 0);
    assert.deepEqual(result, { accepted: 2, duplicates: 0 });
    assert.deepEqual(await writer.submit([row(laeq, 12), row(laeq, 13)]), { accepted: 2, duplicates: 0 });
    await writer.close();
  });

  test('events waiting for a slow subscriber merge per device, newest value per property', async () => {
    const bus = new InProcessEventBus();
    const seen: ObservationLatestEvent[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    datahubEvents.subscribe(bus, 'observation.latest', async (e) => {
      seen.push(e);
      await gate;
    });
    const writer = new ObservationWriter({
      db: app.kernel.db,
      clock: app.clock,
      logger: app.kernel.logger,
      hub,
      bus,
    });
    await writer.submit([row(laeq, 20, 51)]); // published at once; the subscriber holds it
    await writer.submit([row(laeq, 21, 52), row(night, 21, 40)]); // waits
    await writer.submit([row(laeq, 22, 53)]); // merges into the waiting one
    release();
    await writer.close();
    assert.equal(seen.length, 2);
    const values = seen[1].data.values;
    assert.equal(values.laeq.value, 53);
    assert.equal(values.laeq_night.value, 40);
  });
});
