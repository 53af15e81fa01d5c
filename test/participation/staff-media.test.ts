/**
 * Staff photo evidence over a real socket: `POST /api/v1/media` checks the content (a lying
 * type is 415), the size (413) and who uploads (401/403), strips location metadata and
 * stores by content hash apart from citizens' photos; `GET /api/v1/media/:name?case=` shows
 * a photo only through a case that cites it, to whoever can see that case.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { addUser, bearer, loginAs } from '../../src/identity/testing.ts';
import { testBackends } from '../support/storage.ts';
import { type ParticipationFixture, participationFixture, SERVICE } from './fixture.ts';
import { hasLocationTrace, jpegWithGps, pngWithMetadata } from './images.ts';

for (const backend of testBackends()) {
  describe(`staff photo evidence (${backend})`, () => {
    let fx: ParticipationFixture;
    let other: { authorization: string };
    before(async () => {
      fx = await participationFixture(backend);
      await addUser(fx.t, 'p.other-citizen', ['citizen']);
      other = bearer(await loginAs(fx.t, 'p.other-citizen'));
    });
    after(() => fx.dispose());

    const upload = (
      file: { data: Buffer; type: string; name: string } | null,
      headers: Record<string, string> = {},
    ) => {
      const fd = new FormData();
      if (file) fd.append('file', new Blob([new Uint8Array(file.data)], { type: file.type }), file.name);
      return fetch(`${fx.base}/api/v1/media`, { method: 'POST', body: fd, headers });
    };
    const png = { data: pngWithMetadata(), type: 'image/png', name: 'after.png' };

    it('answers 401 without sign-in and 403 to a citizen', async () => {
      const anonymous = await upload(png);
      assert.equal(anonymous.status, 401);
      const citizen = await upload(png, fx.as.citizen);
      assert.equal(citizen.status, 403);
      assert.equal((await citizen.json()).code, 'media.forbidden');
    });

    it('refuses a file whose content is not the image it claims (415) and one too large (413)', async () => {
      const lying = await upload({ data: png.data, type: 'image/jpeg', name: 'after.jpg' }, fx.as.handler);
      assert.equal(lying.status, 415);
      assert.equal((await lying.json()).code, 'upload.type_mismatch');
      const script = await upload(
        { data: Buffer.from('<script>alert(1)</script>'), type: 'image/png', name: 'x.png' },
        fx.as.handler,
      );
      assert.equal(script.status, 415);
      assert.equal((await script.json()).code, 'upload.unsupported_type');
      const huge = Buffer.concat([jpegWithGps(), Buffer.alloc(300 * 1024)]);
      const tooBig = await upload({ data: huge, type: 'image/jpeg', name: 'big.jpg' }, fx.as.handler);
      assert.equal(tooBig.status, 413);
      assert.equal((await tooBig.json()).code, 'upload.too_large');
      const none = await upload(null, fx.as.handler);
      assert.equal(none.status, 400);
      assert.deepEqual(await readdir(path.join(fx.uploadDir)).catch(() => []), []);
    });

    let url = '';
    it('stores a photo by content hash without its location metadata, apart from citizen photos', async () => {
      const res = await upload(png, fx.as.handler);
      const body = await res.json();
      assert.equal(res.status, 201, JSON.stringify(body));
      assert.match(body.id, /^[0-9a-f]{64}\.png$/);
      assert.equal(body.url, `/api/v1/media/${body.id}`);
      assert.equal(body.type, 'image/png');
      url = body.url;
      const stored = await readFile(path.join(fx.uploadDir, 'staff', body.id));
      assert.ok(hasLocationTrace(png.data));
      assert.ok(!hasLocationTrace(stored), 'no tEXt, iTXt, zTXt or eXIf left');
      assert.equal(body.size, stored.length);
      // The same photo again is the same name; the public media route does not serve it.
      assert.equal((await (await upload(png, fx.as.handler)).json()).id, body.id);
      assert.equal((await fetch(`${fx.base}/api/v1/public/media/${body.id}`)).status, 404);
    });

    it('shows the photo through the case that cites it, to staff and to the reporter only', async () => {
      const reported = await fetch(`${fx.base}/api/v1/citizen/reports`, {
        method: 'POST',
        headers: { ...fx.as.citizen, 'content-type': 'application/json' },
        body: JSON.stringify({
          service_code: SERVICE,
          lat: fx.point.lat,
          lon: fx.point.lon,
          description: '人行道上的垃圾堆了三天',
        }),
      });
      const { number } = await reported.json();
      assert.equal(reported.status, 201);
      const get = (headers: Record<string, string>, ref = number) =>
        fetch(`${fx.base}${url}?case=${ref}`, { headers });
      assert.equal((await get(fx.as.handler)).status, 404, 'not cited yet');

      const act = async (who: string, action: string, params: Record<string, unknown> = {}) => {
        const current = await fx.t.app.inject({ url: `/api/v1/cases/${number}`, headers: fx.as.sup });
        const res = await fx.t.app.inject({
          method: 'POST',
          url: `/api/v1/cases/${number}/actions/${action}`,
          headers: fx.as[who],
          payload: { version: current.json().version, ...params },
        });
        assert.equal(res.statusCode, 200, `${who} ${action}: ${res.body}`);
      };
      await act('sup', 'file');
      await act('disp', 'dispatch');
      await act('handler', 'accept');
      await act('handler', 'handle', { evidence: [url], note: 'cleared' });

      const stored = await readFile(path.join(fx.uploadDir, 'staff', url.split('/').pop()!));
      for (const who of ['handler', 'sup', 'citizen'] as const) {
        const res = await get(fx.as[who]);
        assert.equal(res.status, 200, who);
        assert.equal(res.headers.get('content-type'), 'image/png');
        assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
        assert.deepEqual(Buffer.from(await res.arrayBuffer()), stored);
      }
      assert.equal((await fetch(`${fx.base}${url}?case=${number}`)).status, 401);
      assert.equal((await get(other)).status, 404, "another citizen cannot see someone else's case");
      assert.equal(
        (await fetch(`${fx.base}${url}`, { headers: fx.as.handler })).status,
        404,
        'no case named',
      );
      const unknown = `/api/v1/media/${'0'.repeat(64)}.png`;
      assert.equal((await fetch(`${fx.base}${unknown}?case=${number}`, { headers: fx.as.sup })).status, 404);

      // Verification evidence is cited only in the history; it is shown through the case too.
      const onSite = await (
        await upload({ data: jpegWithGps(), type: 'image/jpeg', name: 'site.jpg' }, fx.as.sup)
      ).json();
      assert.equal(await get(fx.as.sup, number).then((r) => r.status), 200);
      const siteUrl = `${fx.base}${onSite.url}?case=${number}`;
      assert.equal((await fetch(siteUrl, { headers: fx.as.sup })).status, 404, 'not cited yet');
      await act('sup', 'verify', { result: 'pass', evidence: [onSite.url], note: 'checked' });
      const site = await fetch(siteUrl, { headers: fx.as.sup });
      assert.equal(site.status, 200);
      assert.equal(site.headers.get('content-type'), 'image/jpeg');
      assert.ok(!hasLocationTrace(Buffer.from(await site.arrayBuffer())), 'GPS stripped');
    });
  });
}
