import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock } from '../clock.ts';
import { InProcessEventBus } from './event-bus.ts';
import { defineEvents } from './event-family.ts';

const clock = new ManualClock('2026-03-02T01:00:00Z');

/** A map like the ones capabilities declare (docs/events.md). */
interface ParcelEvents {
  'parcel.sent': { parcelId: string; to: string };
  'parcel.lost': { parcelId: string };
  'parcel.label.printed': { parcelId: string; copies: number };
}

const parcelEvents = defineEvents<ParcelEvents>({
  'parcel.sent': true,
  'parcel.lost': true,
  'parcel.label.printed': true,
});

describe('defineEvents', () => {
  test('lists its types and builds the same event as createEvent', () => {
    assert.deepEqual(parcelEvents.types, ['parcel.sent', 'parcel.lost', 'parcel.label.printed']);
    const e = parcelEvents.create(
      'parcel.sent',
      { parcelId: 'p-1', to: 'Hangzhou' },
      clock.now(),
      'parcel:p-1',
    );
    assert.match(e.id, /^[0-9a-f-]{36}$/);
    assert.equal(e.type, 'parcel.sent');
    assert.equal(e.occurredAt, '2026-03-02T01:00:00.000Z');
    assert.equal(e.subject, 'parcel:p-1');
    assert.deepEqual(JSON.parse(JSON.stringify(e)), {
      id: e.id,
      type: 'parcel.sent',
      occurredAt: '2026-03-02T01:00:00.000Z',
      subject: 'parcel:p-1',
      data: { parcelId: 'p-1', to: 'Hangzhou' },
    });
  });

  test('refuses a payload that is not its type’s, at compile time', () => {
    const at = clock.now();
    // @ts-expect-error: a field the payload does not have
    parcelEvents.create('parcel.lost', { parcelId: 'p-1', colour: 'red' }, at);
    // @ts-expect-error: a field missing
    parcelEvents.create('parcel.sent', { parcelId: 'p-1' }, at);
    // @ts-expect-error: a type not in the map
    parcelEvents.create('parcel.found', { parcelId: 'p-1' }, at);
    // @ts-expect-error: a pattern that matches none of the map's types
    parcelEvents.subscribe(new InProcessEventBus(), 'case.*', () => {});
    // @ts-expect-error: a map whose list of types misses one
    defineEvents<ParcelEvents>({ 'parcel.sent': true, 'parcel.lost': true });
  });

  test('subscribers get the events their pattern matches, with typed payloads', async () => {
    const bus = new InProcessEventBus();
    const got: string[] = [];
    parcelEvents.subscribe(bus, 'parcel.sent', (e) => void got.push(`sent to ${e.data.to}`));
    parcelEvents.subscribe(bus, 'parcel.label.*', (e) => void got.push(`${e.data.copies} labels`));
    parcelEvents.subscribe(bus, 'parcel.*', (e) => {
      // A prefix pattern gives the union of its types' events, told apart by `type`.
      if (e.type === 'parcel.sent') got.push(`any: sent ${e.data.to}`);
      else got.push(`any: ${e.type} ${e.data.parcelId}`);
    });
    await bus.publish(parcelEvents.create('parcel.sent', { parcelId: 'p-1', to: 'Ningbo' }, clock.now()));
    await bus.publish(
      parcelEvents.create('parcel.label.printed', { parcelId: 'p-1', copies: 2 }, clock.now()),
    );
    await bus.publish(parcelEvents.create('parcel.lost', { parcelId: 'p-2' }, clock.now()));
    assert.deepEqual(got, [
      'sent to Ningbo',
      'any: sent Ningbo',
      '2 labels',
      'any: parcel.label.printed p-1',
      'any: parcel.lost p-2',
    ]);
  });

  test('has tells the map’s events from others', () => {
    const mine = parcelEvents.create('parcel.lost', { parcelId: 'p-3' }, clock.now());
    assert.equal(parcelEvents.has(mine), true);
    assert.equal(parcelEvents.has({ ...mine, type: 'parcel.stolen' }), false);
  });
});
