import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { renderPermissionsDoc } from './permissions-doc.ts';

const DOC = new URL('../../docs/permissions.md', import.meta.url);

test('docs/permissions.md is generated from the permission data and up to date', () => {
  const expected = renderPermissionsDoc();
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
