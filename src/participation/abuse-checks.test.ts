import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isoWithOffset, parseDateTime } from './local-time.ts';
import { coarsenPoint, redactContactDetails } from './location-privacy.ts';
import { negotiateLanguage } from './open311-services.ts';
import { IntakeRateLimits, TokenBuckets } from './rate-limiter.ts';
import { spamReason } from './spam-check.ts';

describe('token buckets', () => {
  it('grant a burst, refuse with the seconds to wait, and refill with time', () => {
    const b = new TokenBuckets(6); // one token every 10 s
    for (let i = 0; i < 6; i++) assert.equal(b.take('k', 0), 0);
    assert.equal(b.take('k', 0), 10);
    assert.equal(b.take('other', 0), 0, 'buckets are per key');
    assert.equal(b.take('k', 10_000), 0);
    assert.ok(b.take('k', 10_000) > 0);
  });

  it('the three intake limits throw 429 naming what was limited; keyed clients skip the address limit', () => {
    const l = new IntakeRateLimits({ perKey: 100, perDevice: 2, perAddress: 3 });
    const anon = { key: null, device: null, address: '10.0.0.1' };
    for (let i = 0; i < 3; i++) l.check(anon, 0);
    assert.throws(
      () => l.check(anon, 0),
      (e: Error & { retryAfterSeconds: number }) => /address/.test(e.message) && e.retryAfterSeconds > 0,
    );
    for (let i = 0; i < 10; i++) l.check({ key: 'app', device: null, address: '10.0.0.1' }, 0);
    l.check({ key: 'app', device: 'd1', address: 'x' }, 0);
    l.check({ key: 'app', device: 'd1', address: 'x' }, 0);
    assert.throws(() => l.check({ key: 'app', device: 'd1', address: 'x' }, 0), /device/);
  });
});

describe('spam checks', () => {
  it('accept short real reports in any script', () => {
    for (const ok of ['井盖丢了', 'Pothole on Main St', '路灯不亮，见 https://img.example.cn/1.jpg 照片'])
      assert.equal(spamReason(ok), null, ok);
  });
  it('refuse empty, symbol-only, repeated-character and link-spam descriptions', () => {
    for (const bad of [
      '   ',
      '!!!???',
      '啊啊啊啊啊啊啊',
      'http://spam.example',
      'buy http://a.b http://c.d http://e.f now',
    ])
      assert.ok(spamReason(bad), bad);
  });
});

describe('public location and text', () => {
  it('snaps points to the centre of their 0.002° cell', () => {
    assert.deepEqual(coarsenPoint(30.24315, 120.15123), { lat: 30.243, lon: 120.151 });
    assert.deepEqual(coarsenPoint(30.2439, 120.1511), { lat: 30.243, lon: 120.151 }, 'same cell, same point');
  });
  it('redacts phone numbers, e-mail addresses and ID numbers typed into descriptions', () => {
    const r = redactContactDetails('联系我 13812345678 或 a.b@example.cn，身份证 33010219900101123X');
    assert.ok(!/13812345678|example\.cn|33010219900101123X/.test(r), r);
  });
});

describe('dates and languages', () => {
  it('writes date-times with the city offset', () => {
    assert.equal(isoWithOffset('2026-03-02T01:00:00Z', 'Asia/Shanghai'), '2026-03-02T09:00:00+08:00');
    assert.equal(isoWithOffset('2026-07-01T12:00:00Z', 'America/New_York'), '2026-07-01T08:00:00-04:00');
  });
  it('parses W3C date-times and refuses anything else', () => {
    assert.equal(parseDateTime('2026-03-02T09:00:00+08:00')?.toISOString(), '2026-03-02T01:00:00.000Z');
    assert.equal(parseDateTime('2026-03-02')?.toISOString(), '2026-03-02T00:00:00.000Z');
    assert.equal(parseDateTime('yesterday'), null);
    assert.equal(parseDateTime('2026-13-45T00:00:00Z'), null);
  });
  it('negotiates zh-CN or en from Accept-Language', () => {
    assert.equal(negotiateLanguage(undefined), 'zh-CN');
    assert.equal(negotiateLanguage('en-US,en;q=0.9'), 'en');
    assert.equal(negotiateLanguage('fr;q=1, zh-Hans;q=0.5, en;q=0.4'), 'zh-CN');
    assert.equal(negotiateLanguage('de, en;q=0.1'), 'en');
    assert.equal(negotiateLanguage('de'), 'zh-CN');
  });
});
