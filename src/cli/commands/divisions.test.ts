import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { patience } from '../../../test/support/processes.ts';
import { rect, tinyCity } from '../../org/testing.ts';

const root = path.resolve(import.meta.dirname, '../../..');
const dir = mkdtempSync(path.join(tmpdir(), 'onecity-divisions-'));
const onecity = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/onecity.mjs', ...args], {
    cwd: root,
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      DATA_DIR: path.join(dir, 'data'),
      DATABASE_URL: '',
      ONECITY_ADMIN_PASSWORD: 'Chief-of-city-2026',
    },
    encoding: 'utf8',
    timeout: patience(300_000),
  });
const file = (name: string, value: unknown) => {
  const p = path.join(dir, name);
  writeFileSync(p, typeof value === 'string' ? value : JSON.stringify(value));
  return p;
};

describe('onecity divisions', () => {
  it('imports a valid file, exports it back, and refuses bad files changing nothing', () => {
    const ok = onecity('divisions', 'import', file('city.json', tinyCity()));
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stderr, /Imported 10 division\(s\): 10 created/);

    const stray = {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: { code: '330102002', name_zh: '越界', name_en: 'Stray' },
          geometry: rect(120.3, 30, 120.4, 30.1),
        },
      ],
    };
    const bad = onecity('divisions', 'import', file('bad.json', stray));
    assert.equal(bad.status, 1);
    assert.match(
      bad.stderr,
      /^onecity divisions: Feature 0 \(330102002\): boundary is not inside its parent 330102.*division\.outside_parent.*Nothing was imported/,
    );

    const malformed = onecity(
      'divisions',
      'import',
      file('malformed.json', '{"type": "FeatureCollection", '),
    );
    assert.equal(malformed.status, 1);
    assert.match(malformed.stderr, /is not valid JSON/);

    const out = path.join(dir, 'export.json');
    assert.equal(onecity('divisions', 'export', out).status, 0);
    // Nothing of the refused files was written.
    const exported = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(exported.type, 'FeatureCollection');
    assert.equal(exported.features.length, 10);

    assert.equal(onecity('divisions', 'frobnicate').status, 2);
  });
});
