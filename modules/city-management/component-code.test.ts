import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatComponentCode, parseComponentCode, validateComponentCode } from './component-code.ts';
import { componentCategories } from './components.ts';
import { eventCategories } from './events.ts';

const catalogue = [...componentCategories, ...eventCategories];

/** The reason a code is refused; `null` checks it without a catalogue. */
function reasonOf(code: string, known: typeof catalogue | null = catalogue): string {
  const check = validateComponentCode(code, known ?? undefined);
  assert.equal(check.valid, false, `${code} should be invalid`);
  return check.valid ? '' : check.reason;
}

describe('component code (16 digits: division + major + minor + serial)', () => {
  it('parses a good code into its parts', () => {
    assert.deepEqual(parseComponentCode('3301020101000001'), {
      division: '330102',
      major: '01',
      minor: '01',
      serial: '000001',
    });
  });

  it('formats parts, zero-padding a numeric serial, and round-trips', () => {
    const code = formatComponentCode({ division: '330102', major: '01', minor: '08', serial: 42 });
    assert.equal(code, '3301020108000042');
    assert.deepEqual(parseComponentCode(code), {
      division: '330102',
      major: '01',
      minor: '08',
      serial: '000042',
    });
  });

  it('validates a good code against the catalogue and names its minor class', () => {
    assert.deepEqual(validateComponentCode('3301020101000001', catalogue), {
      valid: true,
      parts: { division: '330102', major: '01', minor: '01', serial: '000001' },
      category: 'CM.C.01.01',
    });
    assert.equal(validateComponentCode('3301020402999999', catalogue).valid, true);
  });

  it('accepts every component minor class of the catalogue', () => {
    for (const c of componentCategories.filter((c) => c.parent)) {
      const major = c.parent!.slice(-2);
      const code = formatComponentCode({ division: '330102', major, minor: c.classNumber!, serial: 1 });
      const check = validateComponentCode(code, catalogue);
      assert.ok(check.valid && check.category === c.code, `${c.code} → ${code}`);
    }
  });

  it('rejects a code of the wrong length', () => {
    assert.match(reasonOf('330102010100001'), /16 digits long \(got 15 characters\)/);
    assert.match(reasonOf('33010201010000011'), /16 digits long \(got 17 characters\)/);
    assert.match(reasonOf(''), /got 0 characters/);
  });

  it('rejects non-digits and says where', () => {
    assert.match(reasonOf('33010201010000A1'), /digits only \(found "A" at position 15\)/);
    assert.match(reasonOf('330102-101000001'), /position 7/);
  });

  it('rejects an unknown major class', () => {
    assert.match(reasonOf('3301020901000001'), /major class 09 is not in the catalogue/);
    assert.match(reasonOf('3301020001000001', null), /major class 00 does not exist/);
  });

  it('rejects an unknown minor class, not confusing event classes with component classes', () => {
    assert.match(reasonOf('3301020199000001'), /minor class 99 is not in major class 01/);
    // Event class 05 has a minor 08 (fallen tree); component class 05 does not.
    assert.match(reasonOf('3301020508000001'), /minor class 08 is not in major class 05/);
    assert.match(reasonOf('3301020100000001', null), /minor class 00 does not exist/);
  });

  it('rejects a division code that is not a county-level GB/T 2260 code', () => {
    assert.match(reasonOf('0001020101000001'), /division code 000102 does not start with a province code/);
    assert.match(reasonOf('9901020101000001'), /province code/);
    assert.match(reasonOf('3300000101000001'), /names a province/);
  });

  it('rejects serial 000000', () => {
    assert.match(reasonOf('3301020101000000'), /serial number 000000 is not allowed/);
  });

  it('checks the shape without a catalogue', () => {
    assert.equal(validateComponentCode('3301029999000001').valid, true);
    assert.equal(validateComponentCode('3301020101000000').valid, false);
  });

  it('refuses to format parts of the wrong size', () => {
    assert.throws(
      () => formatComponentCode({ division: '33010', major: '01', minor: '01', serial: 1 }),
      /division must be 6 digits \(got "33010"\)/,
    );
    assert.throws(
      () => formatComponentCode({ division: '330102', major: '1', minor: '01', serial: 1 }),
      /major class must be 2 digits/,
    );
    assert.throws(
      () => formatComponentCode({ division: '330102', major: '01', minor: '01', serial: 1_000_000 }),
      /serial must be 6 digits/,
    );
    assert.throws(
      () => formatComponentCode({ division: '330102', major: '01', minor: '01', serial: 0 }),
      /serial number 000000/,
    );
  });

  it('throws a RangeError with the reason when parsing a bad code', () => {
    assert.throws(() => parseComponentCode('12345'), {
      name: 'RangeError',
      message: /must be 16 digits long/,
    });
  });
});
