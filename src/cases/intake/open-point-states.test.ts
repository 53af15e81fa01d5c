import assert from 'node:assert/strict';
import { it } from 'node:test';
import { OPEN_POINT_STATES } from '../store/case-migrations-0450.ts';
import { OPEN_STATES } from '../rules/case-model.ts';

it('the partial GiST index of the duplicate probe covers exactly the open states', () => {
  // Migration 0454 froze the list; if the states change, a new migration must rebuild it.
  assert.deepEqual([...OPEN_POINT_STATES].sort(), [...OPEN_STATES].sort());
});
