/**
 * `auto` intake (the default): a post is filed inside its request while the node files
 * few at once, and queued with a token beyond `autoQueueAbove`; every report of a burst
 * becomes exactly one case, and a token leads to its request id once filed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_PARTICIPATION_SETTINGS } from '../../src/participation/index.ts';
import { form, type ParticipationFixture, participationFixture, SERVICE } from '../participation/fixture.ts';
import { testBackends } from '../support/storage.ts';
import { assertSchema } from './open311-support.ts';

for (const backend of testBackends()) {
  describe(`Open311 auto intake (${backend})`, () => {
    let fx: ParticipationFixture;
    before(async () => {
      fx = await participationFixture(backend, {
        intakeMode: 'auto',
        autoQueueAbove: 1,
        ratePerAddressPerMinute: 1000,
      });
    });
    after(() => fx.dispose());

    const postReport = async (n: number) => {
      const res = await fetch(`${fx.open311}/requests.json`, {
        method: 'POST',
        body: form({
          service_code: SERVICE,
          lat: fx.point.lat + n * 0.000_01,
          long: fx.point.lon,
          description: `井盖缺失 ${n}`,
          device_id: `auto-device-${n}`,
        }),
      });
      const body = await res.json();
      assert.equal(res.status, 200, JSON.stringify(body));
      assertSchema('post-response.json', body);
      return body[0] as { service_request_id?: string; token?: string };
    };

    it('is the default mode', () => {
      assert.equal(DEFAULT_PARTICIPATION_SETTINGS.intakeMode, 'auto');
    });

    it('a post on a quiet node is filed at once and answers its request id', async () => {
      const answer = await postReport(0);
      assert.match(answer.service_request_id ?? '', /^\d{13}$/);
      assert.equal(answer.token, undefined);
    });

    it('posts that arrive while another is being filed are queued; each report becomes one case', async () => {
      const answers = await Promise.all(Array.from({ length: 16 }, (_, k) => postReport(k + 1)));
      const immediate = answers.filter((a) => a.service_request_id);
      const queued = answers.filter((a) => a.token);
      assert.ok(immediate.length >= 1, 'the first posts are filed at once');
      assert.ok(queued.length >= 1, 'posts beyond the limit are queued');
      assert.equal(immediate.length + queued.length, 16);
      await fx.participation.drainQueue(fx.t.kernel);
      const ids = new Set(immediate.map((a) => a.service_request_id));
      for (const q of queued) {
        const res = await fetch(`${fx.open311}/tokens/${q.token}.json`);
        const body = await res.json();
        assert.equal(res.status, 200, JSON.stringify(body));
        assert.match(body[0].service_request_id, /^\d{13}$/);
        ids.add(body[0].service_request_id);
      }
      assert.equal(ids.size, 16, 'sixteen reports, sixteen distinct cases');
      const cases = await fx.t.kernel.db
        .selectFrom('case_record')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('description', 'like', '井盖缺失 %')
        .executeTakeFirstOrThrow();
      assert.equal(Number(cases.n), 17);
    });
  });
}
