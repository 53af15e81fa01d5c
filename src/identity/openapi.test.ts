import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTestApp } from '../../test/support/app.ts';
import './testing.ts';

test('the identity and audit routes are in the OpenAPI document with their tags', async () => {
  const t = await buildTestApp('pglite');
  try {
    const doc = (await t.app.inject({ url: '/api/openapi.json' })).json();
    for (const [path, method, tag] of [
      ['/api/v1/auth/login', 'post', 'auth'],
      ['/api/v1/users', 'post', 'users'],
      ['/api/v1/users/{id}', 'patch', 'users'],
      ['/api/v1/api-keys', 'post', 'api-keys'],
      ['/api/v1/audit', 'get', 'audit'],
      ['/api/v1/audit/verify', 'post', 'audit'],
    ])
      assert.deepEqual(doc.paths[path]?.[method]?.tags, [tag], `${method} ${path}`);
  } finally {
    await t.dispose();
  }
});
