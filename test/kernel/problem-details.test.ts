import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type Capability,
  ConflictError,
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
  PayloadTooLargeError,
  TooManyRequestsError,
  UnauthenticatedError,
  UnavailableError,
  UnsupportedMediaTypeError,
} from '../../src/kernel/index.ts';
import { buildTestApp, type TestApp } from '../support/app.ts';

/** A capability whose routes throw each domain error class, and one unknown error. */
const throwing: Capability = {
  name: 'throwing',
  create: () => ({
    routes(app) {
      const errors: Record<string, () => Error> = {
        invalid: () => new InvalidInputError('Latitude must be between -90 and 90.', { field: 'lat' }),
        unauthenticated: () => new UnauthenticatedError(),
        forbidden: () => new ForbiddenError('Only dispatchers may dispatch.', 'case.track_violation'),
        missing: () => new NotFoundError('Case 2026 not found.', 'case.not_found'),
        conflict: () => new ConflictError('The case was changed by someone else.', 'case.version_conflict'),
        large: () => new PayloadTooLargeError('Photo is larger than 10 MB.'),
        media: () => new UnsupportedMediaTypeError('Only JPEG, PNG and WebP are accepted.'),
        throttled: () => new TooManyRequestsError('Too many login attempts.', 30, 'auth.locked'),
        unavailable: () => new UnavailableError('Ingestion buffer is full.', 'ingest.overloaded', 2),
        boom: () => new Error('secret internal detail: password=hunter2'),
      };
      for (const [name, make] of Object.entries(errors))
        app.get(`/test/${name}`, async () => {
          throw make();
        });
      app.post(
        '/test/validated',
        {
          schema: {
            body: {
              type: 'object',
              required: ['lat'],
              properties: { lat: { type: 'number', minimum: -90, maximum: 90 } },
            },
          },
        },
        async () => ({ ok: true }),
      );
    },
  }),
};

describe('problem+json for every error class', () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp('pglite', { capabilities: [throwing] });
  });
  after(() => t.dispose());

  const cases: Array<[string, number, string]> = [
    ['invalid', 400, 'invalid_input'],
    ['unauthenticated', 401, 'unauthenticated'],
    ['forbidden', 403, 'case.track_violation'],
    ['missing', 404, 'case.not_found'],
    ['conflict', 409, 'case.version_conflict'],
    ['large', 413, 'payload_too_large'],
    ['media', 415, 'unsupported_media_type'],
    ['throttled', 429, 'auth.locked'],
    ['unavailable', 503, 'ingest.overloaded'],
  ];
  for (const [route, status, code] of cases) {
    it(`${route} → ${status} ${code}`, async () => {
      const res = await t.app.inject({
        method: 'GET',
        url: `/test/${route}`,
        headers: { 'x-request-id': `rq-${route}` },
      });
      assert.equal(res.statusCode, status);
      assert.match(res.headers['content-type'] as string, /^application\/problem\+json/);
      const body = res.json();
      assert.equal(body.status, status);
      assert.equal(body.code, code);
      assert.equal(body.type, `urn:onecity:problem:${code}`);
      assert.equal(typeof body.title, 'string');
      assert.equal(body.instance, `/test/${route}`);
      assert.equal(body.requestId, `rq-${route}`);
      assert.equal(res.headers['x-request-id'], `rq-${route}`);
    });
  }

  it('adds Retry-After for 429 and 503', async () => {
    assert.equal((await t.app.inject('/test/throttled')).headers['retry-after'], '30');
    assert.equal((await t.app.inject('/test/unavailable')).headers['retry-after'], '2');
  });

  it('keeps details of invalid input', async () => {
    assert.equal((await t.app.inject('/test/invalid')).json().field, 'lat');
  });

  it('turns an unknown error into a 500 with the request id and nothing leaked', async () => {
    const res = await t.app.inject('/test/boom');
    assert.equal(res.statusCode, 500);
    const body = res.json();
    assert.equal(body.code, 'internal_error');
    assert.ok(body.requestId);
    assert.ok(!res.body.includes('hunter2'));
    assert.ok(!res.body.includes('secret internal detail'));
    assert.ok(!('stack' in body));
  });

  it('reports schema validation failures with each path', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/test/validated', payload: { lat: 120 } });
    assert.equal(res.statusCode, 400);
    const body = res.json();
    assert.equal(body.code, 'validation_failed');
    assert.equal(body.errors[0].path, '/lat');
  });

  it('reports malformed JSON, unknown routes and unsupported content types', async () => {
    const malformed = await t.app.inject({
      method: 'POST',
      url: '/test/validated',
      headers: { 'content-type': 'application/json' },
      payload: '{"lat":',
    });
    assert.equal(malformed.statusCode, 400);
    assert.equal(malformed.json().code, 'malformed_body');
    const unknown = await t.app.inject('/no/such/route');
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().code, 'route.not_found');
    const media = await t.app.inject({
      method: 'POST',
      url: '/test/validated',
      headers: { 'content-type': 'application/x-unknown' },
      payload: 'x',
    });
    assert.equal(media.statusCode, 415);
    assert.equal(media.json().code, 'unsupported_media_type');
  });

  it('generates a request id when none (or a malformed one) is given', async () => {
    const res = await t.app.inject({ url: '/healthz', headers: { 'x-request-id': 'bad id with spaces' } });
    assert.match(res.headers['x-request-id'] as string, /^[0-9a-f-]{36}$/);
  });
});

describe('OpenAPI', () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp('pglite');
  });
  after(() => t.dispose());

  it('serves an OpenAPI 3.1 document generated from the routes', async () => {
    const res = await t.app.inject('/api/openapi.json');
    assert.equal(res.statusCode, 200);
    const doc = res.json();
    assert.equal(doc.openapi, '3.1.0');
    assert.ok(doc.paths['/healthz'].get);
    assert.ok(doc.paths['/readyz'].get);
    assert.equal(doc.info.title, 'OneCity API');
  });

  it('serves a reference page that needs no network', async () => {
    const res = await t.app.inject('/api/docs');
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /text\/html/);
    // Its script and stylesheet come from this server, as files (the CSP refuses inline code).
    assert.doesNotMatch(res.body, /<script>|<style|style="|src="http|href="http/);
    const scriptPath = /<script src="(\/api\/docs\/[^"]+\.js)"/.exec(res.body)?.[1];
    const stylePath = /<link rel="stylesheet" href="(\/api\/docs\/[^"]+\.css)"/.exec(res.body)?.[1];
    assert.ok(scriptPath && stylePath, res.body);
    const script = await t.app.inject(scriptPath);
    assert.equal(script.statusCode, 200);
    assert.match(script.headers['content-type'] as string, /text\/javascript/);
    assert.match(script.body, /\/api\/openapi\.json/);
    const style = await t.app.inject(stylePath);
    assert.equal(style.statusCode, 200);
    assert.match(style.headers['content-type'] as string, /text\/css/);
  });
});
