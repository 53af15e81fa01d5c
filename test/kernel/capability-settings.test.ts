/**
 * Capabilities read their settings from the config file's `settings` object as well as
 * from the environment (which wins); a key no capability declares stops the build naming
 * it; every setting a capability's loader reads is in the list it declares.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildApp, coreCapabilities } from '../../src/app.ts';
import { CASES, createCasesCapability } from '../../src/cases/index.ts';
import { identityCapability } from '../../src/identity/index.ts';
import { ConfigError, loadConfig } from '../../src/kernel/index.ts';
import { orgCapability } from '../../src/org/index.ts';
import { auditCapability } from '../../src/audit/index.ts';
import { type TestApp, buildTestApp } from '../support/app.ts';

const root = path.resolve(import.meta.dirname, '../..');

function configWith(settings: Record<string, unknown>, env: Record<string, string> = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'onecity-capsettings-'));
  const file = path.join(dir, 'onecity.config.json');
  writeFileSync(
    file,
    JSON.stringify({ LOG_LEVEL: 'silent', ONECITY_SEED_DEMO: false, DATA_DIR: dir, settings }),
  );
  return loadConfig({ env, file });
}

describe('capability settings from the config file', () => {
  let t: TestApp;
  const saved = process.env.ONECITY_DUPLICATE_RADIUS_M;
  before(async () => {
    // The environment wins over the file for the same key.
    process.env.ONECITY_DUPLICATE_RADIUS_M = '80';
    t = await buildTestApp('pglite', {
      config: configWith({ ONECITY_DUPLICATE_MAX_CANDIDATES: 2, ONECITY_DUPLICATE_RADIUS_M: 30 }),
      capabilities: [identityCapability, auditCapability, orgCapability, createCasesCapability()],
    });
  });
  after(async () => {
    if (saved === undefined) delete process.env.ONECITY_DUPLICATE_RADIUS_M;
    else process.env.ONECITY_DUPLICATE_RADIUS_M = saved;
    await t.dispose();
  });

  it('a setting in the file reaches its capability; the environment wins over it', () => {
    const settings = t.services(CASES).engine.settings;
    assert.equal(settings.duplicateMaxCandidates, 2);
    assert.equal(settings.duplicateRadiusMeters, 80);
  });

  it('one capability object serving two apps gives each the settings of its own config', async () => {
    const cases = createCasesCapability();
    const build = (most: number) =>
      buildTestApp('pglite', {
        config: configWith({ ONECITY_DUPLICATE_MAX_CANDIDATES: most }),
        capabilities: [identityCapability, auditCapability, orgCapability, cases],
      });
    const a = await build(3);
    const b = await build(7);
    try {
      assert.equal(a.services(CASES).engine.settings.duplicateMaxCandidates, 3);
      assert.equal(b.services(CASES).engine.settings.duplicateMaxCandidates, 7);
    } finally {
      await a.dispose();
      await b.dispose();
    }
  });

  it('a key no capability declares stops the build, named, before anything opens', async () => {
    await assert.rejects(
      buildApp({ config: configWith({ OPEN311_INTAKE_MODEE: 'queued' }) }),
      (e: ConfigError) => e instanceof ConfigError && e.key === 'settings.OPEN311_INTAKE_MODEE',
    );
  });

  it('a bad value in the file is refused naming its key', async () => {
    await assert.rejects(
      buildTestApp('pglite', {
        config: configWith({ ONECITY_DUPLICATE_MAX_CANDIDATES: 2.5 }),
        capabilities: [identityCapability, auditCapability, orgCapability, createCasesCapability()],
      }),
      (e: ConfigError) => e instanceof ConfigError && e.key === 'ONECITY_DUPLICATE_MAX_CANDIDATES',
    );
  });
});

describe('declared setting keys', () => {
  const sources: Record<string, string> = {
    identity: 'src/identity/identity-settings.ts',
    cases: 'src/cases/case-settings.ts',
    participation: 'src/participation/participation-settings.ts',
    'ngsi-ld': 'src/ngsi-ld/ngsi-ld-settings.ts',
  };
  for (const [name, file] of Object.entries(sources))
    it(`${name} declares every setting its loader reads`, () => {
      const capability = coreCapabilities.find((c) => c.name === name);
      assert.ok(capability?.settingKeys, `${name} declares settingKeys`);
      const text = readFileSync(path.join(root, file), 'utf8');
      const read = new Set([
        ...[...text.matchAll(/'((?:ONECITY|OPEN311|UPLOAD|PUBLIC|NGSI_LD)_[A-Z0-9_]+)'/g)].map((m) => m[1]),
        ...[...text.matchAll(/env\.([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]),
      ]);
      assert.ok(read.size > 0);
      for (const key of read)
        assert.ok(capability.settingKeys.includes(key), `${name}: ${key} is not declared`);
    });
});
