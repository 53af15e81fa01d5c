import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { buildTestApp } from '../../test/support/app.ts';
import { coreCapabilities } from '../app.ts';
import { renderPermissionsDoc } from './permissions-doc.ts';
import { documentedRoutes, type RegisteredRoute, routeCollector } from './testing.ts';

const DOC = new URL('../../docs/permissions.md', import.meta.url);

test('docs/permissions.md is generated from the permission data and the routes, and up to date', async () => {
  const registered: RegisteredRoute[] = [];
  const t = await buildTestApp('pglite', { capabilities: [routeCollector(registered), ...coreCapabilities] });
  await t.dispose();
  const expected = renderPermissionsDoc(documentedRoutes(registered));
  if (process.env.ONECITY_WRITE_DOCS === '1') writeFileSync(DOC, expected);
  let actual = '';
  try {
    actual = readFileSync(DOC, 'utf8');
  } catch {}
  assert.equal(
    actual,
    expected,
    'docs/permissions.md is out of date: ONECITY_WRITE_DOCS=1 node scripts/run-tests.mjs src/identity/permissions-doc.test.ts',
  );
});
