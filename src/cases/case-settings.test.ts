import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../kernel/index.ts';
import { caseSettingsFromEnv, DEFAULT_CASE_SETTINGS } from './case-settings.ts';

describe('live stream limits in the case settings', () => {
  it('default to 8 streams per caller and 2000 per node', () => {
    const s = caseSettingsFromEnv({});
    assert.equal(s.streamMaxPerPrincipal, 8);
    assert.equal(s.streamMaxPerNode, 2000);
    assert.equal(DEFAULT_CASE_SETTINGS.streamMaxPerPrincipal, 8);
  });

  it('are read from STREAM_MAX_PER_PRINCIPAL and STREAM_MAX_PER_NODE', () => {
    const s = caseSettingsFromEnv({ STREAM_MAX_PER_PRINCIPAL: '3', STREAM_MAX_PER_NODE: '500' });
    assert.equal(s.streamMaxPerPrincipal, 3);
    assert.equal(s.streamMaxPerNode, 500);
  });

  for (const key of ['STREAM_MAX_PER_PRINCIPAL', 'STREAM_MAX_PER_NODE'])
    for (const bad of ['0', '-1', '2.5', 'many'])
      it(`refuse ${key}=${bad}, naming the key`, () => {
        assert.throws(
          () => caseSettingsFromEnv({ [key]: bad }),
          (e: unknown) => e instanceof ConfigError && e.key === key,
        );
      });
});
