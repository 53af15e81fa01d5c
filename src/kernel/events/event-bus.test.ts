import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock } from '../clock.ts';
import { createEvent, InProcessEventBus, matchesPattern, type PlatformEvent } from './event-bus.ts';

const clock = new ManualClock('2026-03-02T01:00:00Z');

describe('matchesPattern', () => {
  test('exact types, prefix patterns and everything', () => {
    assert.equal(matchesPattern('case.filed', 'case.filed'), true);
    assert.equal(matchesPattern('case.filed', 'case.closed'), false);
    assert.equal(matchesPattern('case.*', 'case.filed'), true);
    assert.equal(matchesPattern('case.*', 'case.sla.breached'), true);
    assert.equal(matchesPattern('case.*', 'cases.filed'), false);
    assert.equal(matchesPattern('case.*', 'case'), false);
    assert.equal(matchesPattern('*', 'anything.at.all'), true);
    assert.equal(matchesPattern('>', 'anything'), true);
  });
});

describe('createEvent', () => {
  test('gives each event a fresh UUID and the clock time', () => {
    const a = createEvent('case.filed', { n: 1 }, clock.now(), 'case:1');
    const b = createEvent('case.filed', { n: 1 }, clock.now());
    assert.match(a.id, /^[0-9a-f-]{36}$/);
    assert.notEqual(a.id, b.id);
    assert.equal(a.occurredAt, '2026-03-02T01:00:00.000Z');
    assert.equal(a.subject, 'case:1');
    assert.deepEqual(a.data, { n: 1 });
  });
});

describe('InProcessEventBus', () => {
  test('delivers to every matching subscriber before publish resolves', async () => {
    const bus = new InProcessEventBus();
    const got: string[] = [];
    bus.subscribe('case.filed', (e) => void got.push(`exact:${e.type}`));
    bus.subscribe('case.*', (e) => void got.push(`prefix:${e.type}`));
    bus.subscribe('*', (e) => void got.push(`all:${e.type}`));
    bus.subscribe('observation.*', (e) => void got.push(`obs:${e.type}`));
    await bus.publish(createEvent('case.filed', {}, clock.now()));
    assert.deepEqual(got, ['exact:case.filed', 'prefix:case.filed', 'all:case.filed']);
    assert.equal(bus.kind, 'in-process');
  });

  test('awaits async handlers in order', async () => {
    const bus = new InProcessEventBus();
    const got: string[] = [];
    bus.subscribe('*', async (e) => {
      await new Promise((r) => setTimeout(r, 20));
      got.push(`slow:${e.type}`);
    });
    bus.subscribe('*', (e) => void got.push(`fast:${e.type}`));
    await bus.publish(createEvent('a.b', {}, clock.now()));
    assert.deepEqual(got, ['slow:a.b', 'fast:a.b']);
  });

  test('unsubscribe stops delivery', async () => {
    const bus = new InProcessEventBus();
    const got: PlatformEvent[] = [];
    const off = bus.subscribe('*', (e) => void got.push(e));
    await bus.publish(createEvent('a.one', {}, clock.now()));
    off();
    await bus.publish(createEvent('a.two', {}, clock.now()));
    assert.deepEqual(
      got.map((e) => e.type),
      ['a.one'],
    );
  });

  test('a failing handler is reported, the others still run, the publisher is not affected', async () => {
    const errors: string[] = [];
    const bus = new InProcessEventBus((err, e) => errors.push(`${e.type}: ${(err as Error).message}`));
    const got: string[] = [];
    bus.subscribe('*', () => {
      throw new Error('sync boom');
    });
    bus.subscribe('*', async () => {
      throw new Error('async boom');
    });
    bus.subscribe('*', (e) => void got.push(e.type));
    await bus.publish(createEvent('case.filed', {}, clock.now()));
    assert.deepEqual(got, ['case.filed']);
    assert.deepEqual(errors, ['case.filed: sync boom', 'case.filed: async boom']);
  });

  test('a handler subscribing during delivery does not get the current event', async () => {
    const bus = new InProcessEventBus();
    const got: string[] = [];
    bus.subscribe('*', () => {
      bus.subscribe('*', (e) => void got.push(e.type));
    });
    await bus.publish(createEvent('a.first', {}, clock.now()));
    assert.deepEqual(got, []);
    await bus.publish(createEvent('a.second', {}, clock.now()));
    assert.deepEqual(got, ['a.second']);
  });
});
