import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { createLogger, redactUrlQuery } from './logger.ts';

describe('logger', () => {
  it('redacts secret query parameter values', () => {
    assert.equal(
      redactUrlQuery('/api/v1/stream?token=abc123&since=5&api_key=k-9'),
      '/api/v1/stream?token=[redacted]&since=5&api_key=[redacted]',
    );
    assert.equal(redactUrlQuery('/healthz'), '/healthz');
  });

  it('never writes tokens from URLs, authorization headers or passwords in bodies', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const logger = createLogger({ logLevel: 'info', logPretty: false }, sink);
    const app = Fastify({ loggerInstance: logger as FastifyBaseLogger });
    app.post('/login', async (request) => {
      request.log.info({ body: request.body }, 'login attempt');
      return { ok: true };
    });
    await app.inject({
      method: 'POST',
      url: '/login?token=sekrit-token',
      headers: { authorization: 'Bearer sekrit-bearer' },
      payload: { username: 'li', password: 'sekrit-password', phone: '13800001234' },
    });
    await app.close();
    const out = lines.join('');
    assert.match(out, /incoming request/);
    for (const secret of ['sekrit-token', 'sekrit-bearer', 'sekrit-password', '13800001234'])
      assert.ok(!out.includes(secret), `${secret} leaked into the log`);
  });
});
