/**
 * Browser security headers on every interface's answers (issue 17): the web app, the native
 * API (answers and problem+json errors), the API reference page, Open311 and NGSI-LD; HSTS
 * only on answers to HTTPS requests.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerSecurityHeaders } from '../../src/kernel/index.ts';
import { buildTestApp, type TestApp } from '../support/app.ts';

type Headers = Record<string, string | string[] | number | undefined>;

/** The headers every answer must carry, whatever its format. */
function assertBrowserHeaders(headers: Headers, what: string) {
  const csp = String(headers['content-security-policy'] ?? '');
  assert.match(csp, /(^|;)default-src 'self'(;|$)/, `${what}: ${csp}`);
  assert.match(csp, /(^|;)script-src 'self'(;|$)/, `${what}: script-src only from the server`);
  assert.match(csp, /(^|;)style-src 'self'(;|$)/, `${what}: no inline <style>`);
  assert.match(csp, /(^|;)frame-ancestors 'none'(;|$)/, what);
  assert.match(csp, /(^|;)object-src 'none'(;|$)/, what);
  assert.match(csp, /(^|;)worker-src 'self'(;|$)/, `${what}: MapLibre's worker, a file of the build`);
  assert.doesNotMatch(csp, /unsafe-eval|upgrade-insecure-requests/, what);
  assert.doesNotMatch(csp, /script-src[^;]*unsafe-inline/, what);
  assert.equal(headers['x-frame-options'], 'DENY', what);
  assert.equal(headers['x-content-type-options'], 'nosniff', what);
  assert.equal(headers['referrer-policy'], 'no-referrer', what);
}

describe('browser security headers', () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp('pglite');
  });
  after(() => t.dispose());

  const answers: [string, string, number | null][] = [
    ['the web app', '/', null],
    ['a path of the web app', '/command', null],
    ['an API answer', '/api/openapi.json', 200],
    ['an API error (problem+json)', '/api/v1/auth/me', 401],
    ['an unknown API path', '/api/v1/nothing-here', 404],
    ['the API reference page', '/api/docs', 200],
    ['the API reference script', '/api/docs/reference.js', 200],
    ['the health check', '/healthz', 200],
    ['an Open311 answer', '/open311/v2/services.json', 200],
    ['an Open311 XML answer', '/open311/v2/discovery.xml', 200],
    ['an NGSI-LD answer', '/ngsi-ld/v1/types', null],
    ['an NGSI-LD error', '/ngsi-ld/v1/entities/urn:ngsi-ld:Nothing:1', null],
  ];
  for (const [what, url, status] of answers)
    it(`are on ${what} (${url}), without HSTS over plain HTTP`, async () => {
      const res = await t.app.inject(url);
      if (status !== null) assert.equal(res.statusCode, status, res.body);
      assertBrowserHeaders(res.headers, what);
      assert.equal(res.headers['strict-transport-security'], undefined, what);
    });

  it('are on refused logins and refused stream openings', async () => {
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'admin', password: 'wrong password' },
    });
    assertBrowserHeaders(login.headers, 'a refused login');
    const refused = await t.app.inject('/api/v1/stream?token=ost_unknown');
    assert.equal(refused.statusCode, 401);
    assertBrowserHeaders(refused.headers, 'a refused stream');
  });

  it('do not take X-Forwarded-Proto from a client the server does not trust', async () => {
    const res = await t.app.inject({ url: '/api/openapi.json', headers: { 'x-forwarded-proto': 'https' } });
    assertBrowserHeaders(res.headers, 'an API answer');
    assert.equal(res.headers['strict-transport-security'], undefined);
  });
});

describe('HSTS', () => {
  /** A server with only the security headers, as a node behind a trusted TLS proxy. */
  let proxied: FastifyInstance;
  before(async () => {
    proxied = Fastify({ trustProxy: true });
    registerSecurityHeaders(proxied);
    proxied.get('/x', async () => ({ ok: true }));
    await proxied.ready();
  });
  after(() => proxied.close());

  it('is sent when a trusted proxy says the request came over HTTPS', async () => {
    const res = await proxied.inject({ url: '/x', headers: { 'x-forwarded-proto': 'https' } });
    assert.equal(res.headers['strict-transport-security'], 'max-age=31536000');
    assertBrowserHeaders(res.headers, 'behind a TLS proxy');
  });

  it('is not sent when the proxy says plain HTTP', async () => {
    const res = await proxied.inject({ url: '/x', headers: { 'x-forwarded-proto': 'http' } });
    assert.equal(res.headers['strict-transport-security'], undefined);
  });

  const openssl = ['/usr/bin/openssl', '/bin/openssl'].find((p) => existsSync(p));
  it('is sent by a server listening with TLS itself', {
    skip: openssl ? false : 'openssl is not installed',
  }, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'onecity-tls-'));
    const server = await (async () => {
      execFileSync(
        openssl!,
        ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost'].concat([
          '-keyout',
          path.join(dir, 'key.pem'),
          '-out',
          path.join(dir, 'cert.pem'),
        ]),
        { stdio: 'ignore' },
      );
      const app = Fastify({
        https: {
          key: readFileSync(path.join(dir, 'key.pem')),
          cert: readFileSync(path.join(dir, 'cert.pem')),
        },
      });
      registerSecurityHeaders(app as unknown as FastifyInstance);
      app.get('/x', async () => ({ ok: true }));
      return app;
    })();
    try {
      const address = await server.listen({ port: 0, host: '127.0.0.1' });
      const headers = await new Promise<Headers>((resolve, reject) => {
        const req = httpsRequest(`${address}/x`, { rejectUnauthorized: false }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.headers));
        });
        req.on('error', reject);
        req.end();
      });
      assert.equal(headers['strict-transport-security'], 'max-age=31536000');
      assertBrowserHeaders(headers, 'over TLS');
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
