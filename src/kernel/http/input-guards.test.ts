import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findUnfitValue, INT4_MAX, jsonNestedDeeperThan, withIntegerBounds } from './input-guards.ts';

describe('JSON nesting depth', () => {
  it('counts arrays and objects inside one another, not side by side', () => {
    assert.equal(jsonNestedDeeperThan('[[1],[2],{"a":[3]}]', 3), false);
    assert.equal(jsonNestedDeeperThan('[[1],[2],{"a":[[3]]}]', 3), true);
    assert.equal(jsonNestedDeeperThan(`${'['.repeat(64)}${']'.repeat(64)}`, 64), false);
    assert.equal(jsonNestedDeeperThan(`${'['.repeat(65)}${']'.repeat(65)}`, 64), true);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    assert.equal(jsonNestedDeeperThan('{"a":"[[[[{{{{\\"[[[[","b":[1]}', 2), false);
    assert.equal(jsonNestedDeeperThan('["\\\\",[[1]]]', 2), true);
  });
});

describe('values the storage cannot keep', () => {
  it('finds U+0000 and unpaired surrogates in values and keys, with their path', () => {
    assert.deepEqual(findUnfitValue({ a: [1, 'ok', 'b\u0000'] }), { path: '/a/2', problem: 'text' });
    assert.deepEqual(findUnfitValue({ 'k\u0000': 1 }), { path: '/k\u0000', problem: 'text' });
    assert.deepEqual(findUnfitValue({ 'a/b': '\ud800x' }), { path: '/a~1b', problem: 'text' });
    assert.deepEqual(findUnfitValue(['\udc00']), { path: '/0', problem: 'text' });
    assert.deepEqual(findUnfitValue('\u0000'), { path: '/', problem: 'text' });
  });

  it('finds numbers that are not finite', () => {
    assert.deepEqual(findUnfitValue({ limit: Number.POSITIVE_INFINITY }), {
      path: '/limit',
      problem: 'number',
    });
    assert.deepEqual(findUnfitValue([Number.NaN]), { path: '/0', problem: 'number' });
  });

  it('lets well-formed text through: pairs, other controls, every plane', () => {
    assert.equal(
      findUnfitValue({ text: '澜湖 😀 \t\n\u0001 \uffff', n: [0, -1.5, 1e308], nothing: null }),
      null,
    );
    assert.equal(findUnfitValue(Buffer.from([0, 0xff])), null);
    assert.equal(findUnfitValue(undefined), null);
  });
});

describe('integer bounds', () => {
  it('gives integers without bounds those of PostgreSQL integer, everywhere in the schema', () => {
    const schema = {
      type: 'object',
      properties: {
        limit: { type: 'integer', minimum: 1, maximum: 500 },
        offset: { type: 'integer', minimum: 0 },
        seq: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
        list: { type: 'array', items: { type: ['integer', 'null'] } },
        either: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
        ratio: { type: 'number' },
      },
    };
    const bounded = withIntegerBounds(schema) as typeof schema & Record<string, never>;
    const p = bounded.properties as Record<string, Record<string, unknown>>;
    assert.deepEqual(p.limit, { type: 'integer', minimum: 1, maximum: 500 });
    assert.deepEqual(p.offset, { type: 'integer', minimum: 0, maximum: INT4_MAX });
    assert.equal(p.seq.maximum, Number.MAX_SAFE_INTEGER);
    assert.deepEqual((p.list.items as Record<string, unknown>).maximum, INT4_MAX);
    assert.deepEqual((p.either.anyOf as Array<Record<string, unknown>>)[1].minimum, -INT4_MAX - 1);
    assert.deepEqual(p.ratio, { type: 'number' });
    // The route's own schema object is left as it was: several routes share one.
    assert.deepEqual(schema.properties.offset, { type: 'integer', minimum: 0 });
  });
});
