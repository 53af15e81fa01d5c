/**
 * The web capability serves the app at `/` with a fallback to index.html for app paths,
 * fingerprinted assets with long caching, and leaves API paths to the platform's 404.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createWebCapability } from '../../src/web/index.ts';
import { buildTestApp, type TestApp } from '../support/app.ts';

describe('web capability: serving the app', () => {
  let app: TestApp;
  before(async () => {
    const webDir = mkdtempSync(path.join(os.tmpdir(), 'onecity-web-'));
    mkdirSync(path.join(webDir, 'dist', 'assets'), { recursive: true });
    writeFileSync(path.join(webDir, 'dist', 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(path.join(webDir, 'dist', 'assets', 'index-abc123.js'), 'console.log(1)');
    app = await buildTestApp('pglite', { capabilities: [createWebCapability({ webDir, build: 'never' })] });
  });
  after(() => app?.dispose());

  it('answers / and app paths with index.html, not cached', async () => {
    for (const url of ['/', '/command', '/citizen/report?x=1']) {
      const res = await app.app.inject({ url });
      assert.equal(res.statusCode, 200, url);
      assert.match(res.headers['content-type'] as string, /text\/html/);
      assert.match(res.body, /id="root"/);
      assert.equal(res.headers['cache-control'], 'no-cache');
    }
  });

  it('serves fingerprinted assets with long caching', async () => {
    const res = await app.app.inject({ url: '/assets/index-abc123.js' });
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['cache-control'] as string, /immutable/);
  });

  it('keeps problem+json 404s for unknown API paths and missing files', async () => {
    for (const url of ['/api/v1/nope', '/open311/v2/nope.json', '/assets/missing.js', '/../package.json']) {
      const res = await app.app.inject({ url });
      assert.equal(res.statusCode, 404, url);
      assert.match(res.headers['content-type'] as string, /problem\+json/, url);
    }
  });

  it('is not in the OpenAPI document', async () => {
    const doc = (await app.app.inject({ url: '/api/openapi.json' })).json();
    assert.ok(!('/*' in doc.paths));
  });
});
