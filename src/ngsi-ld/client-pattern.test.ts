import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileClientPattern, compileStoredPattern, MAX_PATTERN_LENGTH } from './client-pattern.ts';
import { NgsiLdError } from './ngsi-ld-errors.ts';

const refused = (pattern: string, reason: RegExp) =>
  assert.throws(
    () => compileClientPattern(pattern, 'idPattern'),
    (e: unknown) =>
      e instanceof NgsiLdError &&
      e.ngsiType === 'BadRequestData' &&
      /^idPattern/.test(e.message) &&
      reason.test(e.message),
    pattern,
  );

describe('client patterns', () => {
  it('accepts the patterns clients write', () => {
    const cases: Array<[string, string, boolean]> = [
      ['^urn:ngsi-ld:Room:[12]$', 'urn:ngsi-ld:Room:2', true],
      ['^urn:ngsi-ld:Room:[12]$', 'urn:ngsi-ld:Room:3', false],
      ['.*', 'anything', true],
      ['urn:ngsi-ld:(Building|Room):\\d{1,4}', 'urn:ngsi-ld:Building:017', true],
      ['^(?:urn:ngsi-ld:)?Shop:[^:]+$', 'Shop:1', true],
      ['^b.*r$', 'butcher', true],
      ['(ab)+c?', 'xababy', true],
      ['\\w+\\.\\w+', 'a.b', true],
      [
        '^urn:ngsi-ld:Device:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
        'urn:ngsi-ld:Device:0b5f3c1e-9a4d-4f1e-8c2b-6d7e8f9a0b1c',
        true,
      ],
      ['[\\w-]+', '---', true],
    ];
    for (const [pattern, subject, match] of cases)
      assert.equal(
        compileClientPattern(pattern, 'idPattern').test(subject),
        match,
        `${pattern} on ${subject}`,
      );
  });

  it('refuses nested quantifiers, backreferences, lookaround and long patterns', () => {
    refused('^(a+)+$', /nested quantifiers/);
    refused('(a*)*b', /nested quantifiers/);
    refused('(.{1,200}){1,200}', /nested quantifiers/);
    refused('((ab)*c){2,}', /nested quantifiers/);
    refused('(a)\\1', /backreferences/);
    refused('(?=a)a', /lookaround/);
    refused('(?<!a)b', /lookaround/);
    refused('(?<name>a)', /named groups/);
    refused('\\bword', /escape \\b/);
    refused('\\p{L}', /escape \\p/);
    refused('[[:alpha:]]', /POSIX/);
    refused('[]a]', /bracket/);
    refused('[\\D]', /bracket expression/);
    refused('a{101}', /larger than 100 elements/);
    refused('.{0,100}'.repeat(4), /larger than 100 elements/);
    refused('.{0,100}'.repeat(28), /more than 16 quantifiers/);
    refused('(ab|cd){0,50}x', /larger than 100 elements/);
    refused('a*'.repeat(17), /more than 16 quantifiers/);
    refused('a{,3}', /starts no/);
    refused('(a', /not closed/);
    refused('a)', /closes no group/);
    refused('*a', /follows nothing/);
    refused('x'.repeat(MAX_PATTERN_LENGTH + 1), /longer than 256/);
    refused('[a-', /not closed/);
  });

  // Without the linear-time engine each of these takes V8 about 2^40 steps.
  it('runs an ambiguous but accepted pattern in linear time', { timeout: 60_000 }, () => {
    const ambiguous = compileClientPattern('^urn:ngsi-ld:T:(a|a)+$', 'idPattern');
    assert.equal(ambiguous.test(`urn:ngsi-ld:T:${'a'.repeat(40)}b`), false);
    assert.equal(ambiguous.test(`urn:ngsi-ld:T:${'a'.repeat(40)}`), true);
    assert.equal(compileClientPattern('.*x', 'q').test('a'.repeat(200_000)), false);
  });

  it('lets a stored pattern that today is refused match nothing', () => {
    assert.equal(compileStoredPattern('^(a+)+$').test('aaa'), false);
    assert.equal(compileStoredPattern('^a+$').test('aaa'), true);
  });
});
