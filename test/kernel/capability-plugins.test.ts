/**
 * Capabilities are per-app plugins with declared dependencies (docs/architecture.md,
 * "Capabilities"): a dependency missing from the list, or listed after its dependent, fails
 * `buildApp` with a message naming both before anything is opened; a capability reaches
 * only the services it declared; each instance's routes are a Fastify plugin of its name.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildApp } from '../../src/app.ts';
import { type Capability, CapabilityOrderError, capabilityKey, loadConfig } from '../../src/kernel/index.ts';
import { buildTestApp, testLogger } from '../support/app.ts';
import { closeTestStorage, openTestStorage } from '../support/storage.ts';

const COUNTER = capabilityKey<{ next(): number }>('counter');

const counter: Capability = {
  name: 'counter',
  create() {
    let n = 0;
    return { services: { next: () => ++n } };
  },
};

const reader: Capability = {
  name: 'reader',
  dependencies: ['counter'],
  create({ use }) {
    const c = use(COUNTER);
    return {
      routes(app) {
        app.get('/reader', async () => ({ n: c.next() }));
      },
    };
  },
};

const config = () => loadConfig({ env: { LOG_LEVEL: 'silent', ONECITY_SEED_DEMO: 'false' }, file: null });

describe('capability dependencies', () => {
  it('a missing dependency fails the build, naming both', async () => {
    await assert.rejects(
      buildApp({ config: config(), logger: testLogger(), capabilities: [reader] }),
      (err: Error) =>
        err instanceof CapabilityOrderError &&
        err.message === 'Capability "reader" depends on "counter", which is not part of this app.',
    );
  });

  it('a dependency listed after its dependent fails the build', async () => {
    await assert.rejects(
      buildApp({ config: config(), logger: testLogger(), capabilities: [reader, counter] }),
      (err: Error) =>
        err instanceof CapabilityOrderError &&
        err.message ===
          'Capability "reader" depends on "counter", which is listed after it: list "counter" first.',
    );
  });

  it('a name listed twice fails the build', async () => {
    await assert.rejects(
      buildApp({ config: config(), logger: testLogger(), capabilities: [counter, counter] }),
      /Capability "counter" is listed twice\./,
    );
  });

  it('using a capability not declared fails the build', async () => {
    const sneaky: Capability = {
      name: 'sneaky',
      create({ use }) {
        use(COUNTER);
        return {};
      },
    };
    const storage = await openTestStorage('pglite');
    try {
      await assert.rejects(
        buildApp({ config: config(), logger: testLogger(), storage, capabilities: [counter, sneaky] }),
        /Capability "sneaky" uses "counter" without listing it in its dependencies\./,
      );
    } finally {
      await closeTestStorage(storage);
    }
  });

  it('in order, each app gets its own instances, and each is a Fastify plugin of its name', async () => {
    const a = await buildTestApp('pglite', { capabilities: [counter, reader] });
    const b = await buildTestApp('pglite', { capabilities: [counter, reader] });
    try {
      assert.equal(a.app.hasPlugin('counter'), true);
      assert.equal(a.app.hasPlugin('reader'), true);
      assert.equal(a.hasCapability('reader'), true);
      assert.equal(a.hasCapability('cases'), false);
      assert.deepEqual((await a.app.inject({ url: '/reader' })).json(), { n: 1 });
      assert.deepEqual((await a.app.inject({ url: '/reader' })).json(), { n: 2 });
      // The same capability objects, another app: its own counter.
      assert.deepEqual((await b.app.inject({ url: '/reader' })).json(), { n: 1 });
      assert.equal(a.services(COUNTER).next(), 3);
      assert.throws(() => a.services(capabilityKey('cases')), /built without the "cases" capability/);
    } finally {
      await a.dispose();
      await b.dispose();
    }
  });
});
