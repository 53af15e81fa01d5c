/**
 * `auto` intake (the default): a post is filed inside its request while the node files
 * few at once, and queued with a token beyond `autoQueueAbove`; every report of a burst
 * becomes exactly one case, and a token leads to its request id once filed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ANONYMOUS_REPORTER,
  DEFAULT_PARTICIPATION_SETTINGS,
  PARTICIPATION,
} from '../../src/participation/index.ts';
import { newToken, ReportWriter } from '../../src/participation/report-store.ts';
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
      // One filing in flight on this node. Left to timing, the burst may not overlap: on the
      // embedded database each post's checks wait behind the previous post's commit.
      const load = fx.t.services(PARTICIPATION).context.intakeLoad;
      load.immediateInFlight++;
      let answers: Awaited<ReturnType<typeof postReport>>[];
      try {
        answers = await Promise.all(Array.from({ length: 16 }, (_, k) => postReport(k + 1)));
      } finally {
        load.immediateInFlight--;
      }
      const immediate = answers.filter((a) => a.service_request_id);
      const queued = answers.filter((a) => a.token);
      assert.equal(queued.length, 16, 'posts beyond the limit are queued');
      assert.equal(immediate.length, 0);
      await fx.t.services(PARTICIPATION).drainQueue();
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

    it('a post with a NUL character is refused with 400 in the Open311 format', async () => {
      const res = await fetch(`${fx.open311}/requests.json`, {
        method: 'POST',
        body: form({
          service_code: SERVICE,
          lat: fx.point.lat,
          long: fx.point.lon,
          description: 'bad\u0000text',
        }),
      });
      const body = await res.json();
      assert.equal(res.status, 400, JSON.stringify(body));
      assertSchema('errors.json', body);
      assert.match(body[0].description, /NUL/);
    });

    it('one bad row does not fail the other reports written in the same statement', async () => {
      const writer = new ReportWriter(fx.t.kernel.db);
      const row = (token: string) => ({
        token,
        source: 'open311' as const,
        status: 'queued' as const,
        case_id: null,
        case_number: null,
        service_code: SERVICE,
        principal: ANONYMOUS_REPORTER,
        device_id: null,
        account_id: null,
        attributes: {},
        contact_email: null,
        contact_phone: null,
        intake: null,
        created_at: fx.t.clock.now(),
      });
      const taken = newToken();
      await writer.insert(row(taken));
      const [a, dup, b] = await Promise.allSettled([
        writer.insert(row(newToken())),
        writer.insert(row(taken)),
        writer.insert(row(newToken())),
      ]);
      assert.deepEqual([a.status, dup.status, b.status], ['fulfilled', 'rejected', 'fulfilled']);
      await fx.t.kernel.db
        .deleteFrom('participation_report')
        .where('intake', 'is', null)
        .where('status', '=', 'queued')
        .execute();
    });
  });
}
