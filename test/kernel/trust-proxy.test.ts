/**
 * `TRUST_PROXY`: whose `X-Forwarded-For` sets `request.ip`, the address the login throttle,
 * the rate limit and Open311's per-address limit count by.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHttpServer, loadConfig } from '../../src/kernel/index.ts';
import { testLogger } from '../support/app.ts';

/** A bare server built from the configuration whose one route answers `request.ip`. */
async function ipSeenWith(env: Record<string, string>) {
  const config = loadConfig({ env, file: null });
  const { app } = createHttpServer({
    logger: testLogger(),
    bodyLimitBytes: 1024,
    trustProxy: config.trustProxy,
    bodyMaxDepth: config.bodyMaxDepth,
  });
  app.get('/ip', async (request) => request.ip);
  await app.ready();
  return async (peer: string, forwardedFor?: string) => {
    const res = await app.inject({
      url: '/ip',
      remoteAddress: peer,
      ...(forwardedFor ? { headers: { 'x-forwarded-for': forwardedFor } } : {}),
    });
    return res.body;
  };
}

describe('TRUST_PROXY', () => {
  it('is off by default: X-Forwarded-For is ignored and the peer is the client', async () => {
    const ip = await ipSeenWith({});
    assert.equal(await ip('198.51.100.4', '203.0.113.9'), '198.51.100.4');
    assert.equal(await ip('127.0.0.1', '203.0.113.9'), '127.0.0.1');
  });

  it('with addresses and ranges, believes only those proxies, and stops at the first untrusted hop', async () => {
    const ip = await ipSeenWith({ TRUST_PROXY: '10.0.0.0/8, 192.0.2.1' });
    assert.equal(await ip('10.1.2.3', '203.0.113.9'), '203.0.113.9');
    assert.equal(await ip('192.0.2.1', '203.0.113.9'), '203.0.113.9');
    assert.equal(await ip('198.51.100.4', '203.0.113.9'), '198.51.100.4', 'not a listed proxy');
    // A client's own forged entry before a real one is not believed past an untrusted hop.
    assert.equal(await ip('10.1.2.3', '1.1.1.1, 203.0.113.9'), '203.0.113.9');
    assert.equal(await ip('10.1.2.3', '1.1.1.1, 10.9.9.9'), '1.1.1.1', 'two proxies of the range');
  });

  it('with a hop count, believes that many hops nearest the server', async () => {
    const ip = await ipSeenWith({ TRUST_PROXY: '1' });
    assert.equal(await ip('10.1.2.3', '1.1.1.1, 203.0.113.9'), '203.0.113.9');
    const two = await ipSeenWith({ TRUST_PROXY: '2' });
    assert.equal(await two('10.1.2.3', '1.1.1.1, 203.0.113.9'), '1.1.1.1');
  });

  it('with true, believes the whole header: the client is its first entry', async () => {
    const ip = await ipSeenWith({ TRUST_PROXY: 'true' });
    assert.equal(await ip('198.51.100.4', '1.1.1.1, 203.0.113.9'), '1.1.1.1');
  });
});
