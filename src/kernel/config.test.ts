import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, capabilitySettings, loadConfig } from './config.ts';

const load = (env: Record<string, string>, file: string | null = null) => loadConfig({ env, file });

describe('configuration', () => {
  it('has working defaults and is frozen', () => {
    const c = load({});
    assert.equal(c.port, 8080);
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.dataDir, './data');
    assert.equal(c.databaseUrl, null);
    assert.equal(c.embeddedMaintenanceSeconds, 10);
    assert.equal(c.preparedStatements, true);
    assert.equal(c.natsUrl, null);
    assert.equal(c.natsStream, 'ONECITY_EVENTS');
    assert.equal(c.natsSubjectPrefix, 'onecity.events');
    assert.equal(c.mqttUrl, null);
    assert.equal(c.logLevel, 'info');
    assert.equal(c.modules, 'all');
    assert.ok(Object.isFrozen(c));
    assert.throws(() => {
      (c as { port: number }).port = 1;
    }, TypeError);
  });

  it('reads environment variables', () => {
    const c = load({
      PORT: '9090',
      HOST: '0.0.0.0',
      DATA_DIR: '/var/lib/onecity',
      DATABASE_URL: 'postgres://u:p@db:5432/city',
      NATS_URL: 'nats://127.0.0.1:4222',
      NATS_STREAM: 'LANHU_EVENTS',
      NATS_SUBJECT_PREFIX: 'lanhu.events',
      MQTT_URL: 'mqtt://127.0.0.1:1883',
      LOG_LEVEL: 'debug',
      EMBEDDED_MAINTENANCE_SECONDS: '0',
      DATABASE_PREPARED_STATEMENTS: 'false',
      ONECITY_MODULES: 'environment, city-management',
    });
    assert.equal(c.port, 9090);
    assert.equal(c.host, '0.0.0.0');
    assert.equal(c.databaseUrl, 'postgres://u:p@db:5432/city');
    assert.equal(c.logLevel, 'debug');
    assert.equal(c.embeddedMaintenanceSeconds, 0);
    assert.equal(c.preparedStatements, false);
    assert.equal(c.natsStream, 'LANHU_EVENTS');
    assert.equal(c.natsSubjectPrefix, 'lanhu.events');
    assert.deepEqual(c.modules, ['environment', 'city-management']);
  });

  const bad: Array<[string, string, RegExp]> = [
    ['PORT', 'eighty', /integer from 0 to 65535/],
    ['PORT', '70000', /integer from 0 to 65535/],
    ['HOST', ' ', /must not be empty/],
    ['DATA_DIR', '  ', /must not be empty/],
    ['DATABASE_URL', 'mysql://x@y/z', /must use postgres: or postgresql:/],
    ['DATABASE_URL', 'not a url', /not a valid URL/],
    ['NATS_URL', 'http://127.0.0.1:4222', /must use nats:/],
    ['NATS_STREAM', 'onecity.events', /letters, digits, _ or -/],
    ['NATS_STREAM', 'A/B', /letters, digits, _ or -/],
    ['NATS_STREAM', 'X'.repeat(65), /1 to 64/],
    ['NATS_SUBJECT_PREFIX', 'onecity.*', /no wildcards/],
    ['NATS_SUBJECT_PREFIX', 'onecity.>', /no wildcards/],
    ['NATS_SUBJECT_PREFIX', 'onecity..events', /dot-separated tokens/],
    ['NATS_SUBJECT_PREFIX', 'onecity events', /dot-separated tokens/],
    ['NATS_SUBJECT_PREFIX', '$JS.events', /dot-separated tokens/],
    ['MQTT_URL', 'amqp://127.0.0.1', /must use mqtt:/],
    ['LOG_LEVEL', 'loud', /must be one of fatal, error/],
    ['LOG_PRETTY', 'maybe', /true or false/],
    ['ONECITY_MODULES', 'Environment', /not a module id/],
    ['ONECITY_TIMEZONE', 'Mars/Olympus', /not a known IANA time zone/],
    ['ONECITY_SEED_DEMO', '2', /true or false/],
    ['SHUTDOWN_TIMEOUT_SECONDS', '0', /integer from 1/],
    ['BODY_LIMIT_BYTES', '10', /integer from 1024/],
    ['BODY_MAX_DEPTH', '4', /integer from 8/],
    ['SCHEDULER_ENABLED', 'sometimes', /true or false/],
    ['SCHEDULER_POLL_MS', '1', /integer from 10/],
    ['SCHEDULER_DONE_RETENTION_DAYS', '-1', /integer from 0/],
    ['SCHEDULER_FAILED_RETENTION_DAYS', 'a month', /integer from 0/],
    ['TRUST_PROXY', 'proxy.example', /not an IP address, a CIDR range/],
    ['TRUST_PROXY', '10.0.0.0/33', /not an IP address, a CIDR range/],
    ['TRUST_PROXY', '10.0.0.1, ', /not an IP address/],
    ['TRUST_PROXY', '-1', /not an IP address/],
    ['TRUST_PROXY', '65', /integer from 0 to 64/],
    ['RATE_LIMIT_PER_MINUTE', '-5', /integer from 0/],
    ['RATE_LIMIT_SERVICE_PER_MINUTE', 'many', /integer from 0/],
  ];
  for (const [key, value, message] of bad) {
    it(`names ${key} when it is invalid (${JSON.stringify(value)})`, () => {
      assert.throws(
        () => load({ [key]: value }),
        (e: unknown) =>
          e instanceof ConfigError && e.key === key && e.message.includes(key) && message.test(e.message),
      );
    });
  }

  it('reads TRUST_PROXY as a boolean, a hop count or a list of addresses and ranges', () => {
    assert.equal(load({}).trustProxy, false);
    assert.equal(load({ TRUST_PROXY: 'true' }).trustProxy, true);
    assert.equal(load({ TRUST_PROXY: 'false' }).trustProxy, false);
    assert.equal(load({ TRUST_PROXY: '0' }).trustProxy, false);
    assert.equal(load({ TRUST_PROXY: '2' }).trustProxy, 2);
    assert.deepEqual(load({ TRUST_PROXY: '10.0.0.1, 192.168.0.0/16, fd00::/8, loopback' }).trustProxy, [
      '10.0.0.1',
      '192.168.0.0/16',
      'fd00::/8',
      'loopback',
    ]);
    assert.equal(load({}).rateLimitPerMinute, 1200);
    assert.equal(load({ RATE_LIMIT_PER_MINUTE: '0' }).rateLimitPerMinute, 0);
  });

  it('never prints a database password in an error', () => {
    assert.throws(
      () => load({ DATABASE_URL: 'postgres://user:s3cret@[bad' }),
      (e: unknown) => e instanceof ConfigError && !e.message.includes('s3cret'),
    );
  });

  it('reads onecity.config.json, with the environment winning', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'onecity-config-'));
    const file = path.join(dir, 'onecity.config.json');
    writeFileSync(file, JSON.stringify({ PORT: 7000, LOG_LEVEL: 'warn' }));
    const fromFile = load({}, file);
    assert.equal(fromFile.port, 7000);
    assert.equal(fromFile.logLevel, 'warn');
    assert.equal(load({ PORT: '7001' }, file).port, 7001);
  });

  it('names an unknown key and a bad value in the file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'onecity-config-'));
    const file = path.join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ PROT: 7000 }));
    assert.throws(
      () => load({}, file),
      (e: unknown) => e instanceof ConfigError && e.key === 'PROT',
    );
    writeFileSync(file, JSON.stringify({ PORT: 'x' }));
    assert.throws(
      () => load({}, file),
      (e: unknown) => e instanceof ConfigError && e.key === 'PORT',
    );
    writeFileSync(file, '{ not json');
    assert.throws(() => load({}, file), /not valid JSON/);
  });
});

describe('capability settings in the config file', () => {
  const fileWith = (content: unknown) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'onecity-settings-'));
    const file = path.join(dir, 'onecity.config.json');
    writeFileSync(file, JSON.stringify(content));
    return file;
  };

  it('reads the settings object: strings, numbers and booleans as written', () => {
    const c = load(
      {},
      fileWith({
        PORT: 9000,
        settings: { OPEN311_INTAKE_MODE: 'queued', UPLOAD_MAX_BYTES: 1000, NGSI_LD_HISTORY: false },
      }),
    );
    assert.deepEqual(c.settings, {
      OPEN311_INTAKE_MODE: 'queued',
      UPLOAD_MAX_BYTES: '1000',
      NGSI_LD_HISTORY: 'false',
    });
    assert.ok(Object.isFrozen(c.settings));
    assert.deepEqual(load({}).settings, {});
  });

  it('the environment wins over the file; an empty variable does not', () => {
    const c = load(
      {},
      fileWith({ settings: { OPEN311_INTAKE_MODE: 'queued', ONECITY_HOLIDAYS: '2026-10-01' } }),
    );
    const merged = capabilitySettings(c, { OPEN311_INTAKE_MODE: 'immediate', ONECITY_HOLIDAYS: '' });
    assert.equal(merged.OPEN311_INTAKE_MODE, 'immediate');
    assert.equal(merged.ONECITY_HOLIDAYS, '2026-10-01');
  });

  it('a bad settings object or value is refused naming it', () => {
    assert.throws(
      () => load({}, fileWith({ settings: ['x'] })),
      (e: ConfigError) => e.key === 'settings',
    );
    assert.throws(
      () => load({}, fileWith({ settings: { OPEN311_INTAKE_MODE: { mode: 'queued' } } })),
      (e: ConfigError) => e.key === 'settings.OPEN311_INTAKE_MODE',
    );
    assert.throws(
      () => load({}, fileWith({ settings: { 'open311 mode': 'queued' } })),
      (e: ConfigError) => e.key === 'settings.open311 mode',
    );
  });
});
