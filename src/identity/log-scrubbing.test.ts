import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, type TestApp } from '../../test/support/app.ts';
import { createLogger } from '../kernel/index.ts';
import { TEST_ADMIN_PASSWORD } from './testing.ts';

const SECRETS = {
  password: 'Very-secret-pass-91',
  phone: '13800138000',
  email: 'citizen.li@example.cn',
};

describe('log scrubbing', () => {
  let t: TestApp;
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  before(async () => {
    t = await buildTestApp('pglite', { logger: createLogger({ logLevel: 'trace', logPretty: false }, sink) });
  });
  after(() => t.dispose());

  test('passwords, tokens, phone numbers and e-mail addresses never reach the log output', async () => {
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'admin', password: TEST_ADMIN_PASSWORD },
    });
    const token = login.json().token as string;
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { authorization: `Bearer ${token}`, 'x-api-key': 'ock_deadbeef_secret' },
      payload: {
        username: 'li.citizen',
        password: SECRETS.password,
        roles: ['citizen'],
        phone: SECRETS.phone,
        email: SECRETS.email,
      },
    });
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'li.citizen', password: 'wrong-pass-1x' },
    });
    // A careless service logging a whole user object is still caught by the logger's redaction.
    t.kernel.logger.info(
      { user: { password: SECRETS.password, phone: SECRETS.phone, email: SECRETS.email } },
      'careless',
    );
    t.kernel.logger.info({ password: SECRETS.password, token }, 'more careless');
    const output = lines.join('');
    assert.ok(output.includes('careless'), 'the logger did write');
    assert.ok(output.includes('"url":"/api/v1/users"'), 'requests were logged');
    for (const secret of [...Object.values(SECRETS), TEST_ADMIN_PASSWORD, token, 'ock_deadbeef_secret'])
      assert.ok(!output.includes(secret), `"${secret}" leaked into the log`);
  });
});
