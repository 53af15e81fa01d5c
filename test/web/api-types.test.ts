/**
 * The web app's API types (`web/src/api/schema.gen.ts`) are the ones the route schemas
 * give today: a route schema changed without regenerating them fails here
 * (docs/architecture.md, "The web app").
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  API_TYPES_COMMAND,
  readCommittedApiTypes,
  renderApiTypes,
} from '../../scripts/generate-api-types.ts';

// Building the platform for its document takes seconds: once for the file.
const rendered = renderApiTypes();

test('the committed web API types match the OpenAPI document', async () => {
  const expected = await rendered;
  const committed = readCommittedApiTypes();
  assert.ok(committed !== null, `web/src/api/schema.gen.ts is missing: run \`${API_TYPES_COMMAND}\``);
  if (committed === expected) return;
  const a = committed.split('\n');
  const b = expected.split('\n');
  let line = 0;
  while (line < a.length && a[line] === b[line]) line++;
  assert.fail(
    `web/src/api/schema.gen.ts differs from the route schemas from line ${line + 1} ` +
      `(committed: ${JSON.stringify(a[line] ?? '<end>')}, now: ${JSON.stringify(b[line] ?? '<end>')}); ` +
      `run \`${API_TYPES_COMMAND}\` and commit the result`,
  );
});

test('the generated types carry a response schema as the route states it', async () => {
  const text = await rendered;
  assert.match(text, /^\/\/ Generated from \/api\/openapi\.json by `npm run api-types`/);
  assert.match(text, /"\/api\/v1\/auth\/me": \{/);
  // `GET /api/v1/auth/me` lists the roles as an enum: a role added on the server shows here.
  assert.match(text, /roles: \("citizen" \| "grid_worker" \| /);
});
