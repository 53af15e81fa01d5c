/**
 * The citizen API over a real socket: photo uploads (checked by content, size-limited,
 * location metadata removed), following a report by token or case number, the history a
 * citizen may see, rating after closure; and the public board.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { testBackends } from '../support/storage.ts';
import { type ParticipationFixture, participationFixture, SERVICE } from './fixture.ts';
import { hasLocationTrace, jpegWithGps, pngWithMetadata } from './images.ts';

for (const backend of testBackends()) {
  describe(`citizen API and public board (${backend})`, () => {
    let fx: ParticipationFixture;
    before(async () => {
      fx = await participationFixture(backend);
    });
    after(() => fx.dispose());

    const report = (
      photo: { data: Buffer; type: string; name: string } | null,
      headers: Record<string, string> = {},
    ) => {
      const fd = new FormData();
      fd.append('service_code', SERVICE);
      fd.append('lat', String(fx.point.lat));
      fd.append('lon', String(fx.point.lon));
      fd.append('address', '澜湖市人民路 12 号 3 栋 501 室');
      fd.append('description', '楼下垃圾桶满了一周没人收，电话 13812345678');
      fd.append('name', '王小明');
      fd.append('phone', '13812345678');
      if (photo) fd.append('photo', new Blob([new Uint8Array(photo.data)], { type: photo.type }), photo.name);
      return fetch(`${fx.base}/api/v1/citizen/reports`, { method: 'POST', body: fd, headers });
    };

    /** Applies a case action as one of the fixture's staff, at the case's current version. */
    const actOn = async (
      caseNumber: string,
      who: string,
      action: string,
      params: Record<string, unknown> = {},
    ) => {
      const current = await fx.t.app.inject({
        method: 'GET',
        url: `/api/v1/cases/${caseNumber}`,
        headers: fx.as.sup,
      });
      const res = await fx.t.app.inject({
        method: 'POST',
        url: `/api/v1/cases/${caseNumber}/actions/${action}`,
        headers: fx.as[who],
        payload: { version: current.json().version, ...params },
      });
      assert.equal(res.statusCode, 200, `${who} ${action}: ${res.body}`);
    };

    let token = '';
    let number = '';
    it('a report with a photo: GPS metadata is stripped before the photo is stored under its content hash', async () => {
      const res = await report(
        { data: jpegWithGps(), type: 'image/jpeg', name: 'IMG_0001.jpg' },
        fx.as.citizen,
      );
      const body = await res.json();
      assert.equal(res.status, 201, JSON.stringify(body));
      assert.match(body.number, /^2026030200\d{3}$/);
      assert.match(body.token, /^t_/);
      assert.equal(body.photos.length, 1);
      assert.match(body.photos[0], /^[0-9a-f]{64}\.jpg$/);
      token = body.token;
      number = body.number;
      const files = await readdir(fx.uploadDir);
      assert.deepEqual(files, [body.photos[0]]);
      const stored = await readFile(path.join(fx.uploadDir, files[0]));
      assert.ok(hasLocationTrace(jpegWithGps()));
      assert.ok(!hasLocationTrace(stored), 'no EXIF, GPS or XMP left');
      const served = await fetch(`${fx.base}/api/v1/public/media/${body.photos[0]}`);
      assert.equal(served.status, 200);
      assert.equal(served.headers.get('content-type'), 'image/jpeg');
      assert.ok(Buffer.from(await served.arrayBuffer()).equals(stored));
    });

    it('a file that lies about its type is refused with 415; an oversized one with 413', async () => {
      const lying = await report(
        { data: pngWithMetadata(), type: 'image/jpeg', name: 'x.jpg' },
        fx.as.citizen,
      );
      assert.equal(lying.status, 415);
      assert.equal((await lying.json()).code, 'upload.type_mismatch');
      const script = await report(
        { data: Buffer.from('<script>alert(1)</script>'), type: 'image/jpeg', name: 'evil.jpg' },
        fx.as.citizen,
      );
      assert.equal(script.status, 415);
      assert.equal((await script.json()).code, 'upload.unsupported_type');
      const big = Buffer.concat([jpegWithGps().subarray(0, 20), Buffer.alloc(300 * 1024, 7)]);
      const tooBig = await report({ data: big, type: 'image/jpeg', name: 'big.jpg' }, fx.as.citizen);
      assert.equal(tooBig.status, 413);
      assert.equal((await tooBig.json()).code, 'upload.too_large');
      assert.equal((await readdir(fx.uploadDir)).length, 1, 'nothing refused was stored');
    });

    it('follow by token shows the reporter their report; by number anyone sees states only', async () => {
      const mine = await (await fetch(`${fx.base}/api/v1/citizen/reports/${token}`)).json();
      assert.equal(mine.number, number);
      assert.equal(mine.state, 'reported');
      assert.equal(mine.own.address, '澜湖市人民路 12 号 3 栋 501 室');
      assert.match(mine.own.photos[0], /\/api\/v1\/public\/media\/[0-9a-f]{64}\.jpg$/);
      assert.deepEqual(
        mine.history.map((h: { action: string }) => h.action),
        ['report'],
      );
      const anyone = await (await fetch(`${fx.base}/api/v1/citizen/reports/${number}`)).json();
      assert.equal(anyone.own, undefined);
      assert.equal(anyone.canRate, false);
      const signedIn = await (
        await fetch(`${fx.base}/api/v1/citizen/reports/${number}`, { headers: fx.as.citizen })
      ).json();
      assert.ok(signedIn.own, 'the signed-in reporter sees their own data');
      const list = await (
        await fetch(`${fx.base}/api/v1/citizen/reports`, { headers: fx.as.citizen })
      ).json();
      assert.deepEqual(
        list.map((r: { number: string }) => r.number),
        [number],
      );
      assert.equal((await fetch(`${fx.base}/api/v1/citizen/reports/t_AAAAAAAAAAAAAAAAAAAAAA`)).status, 404);
    });

    it('the history hides internal notes, evidence and staff; rating works once closed, once', async () => {
      const act = (who: string, action: string, params: Record<string, unknown> = {}) =>
        actOn(number, who, action, params);
      const early = await fetch(`${fx.base}/api/v1/citizen/reports/${token}/rating`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ satisfaction: 'satisfied' }),
      });
      assert.equal(early.status, 400);
      await act('sup', 'file');
      await act('disp', 'dispatch');
      await act('handler', 'accept');
      await act('handler', 'handle', {
        evidence: ['photo:internal-evidence-7'],
        note: 'INTERNAL: handler Li Wei cleaned it',
      });
      await act('sup', 'verify', { result: 'pass', note: 'INTERNAL: checked by inspector Zhao' });
      const view = await (await fetch(`${fx.base}/api/v1/citizen/reports/${token}`)).json();
      assert.equal(view.state, 'closed');
      assert.equal(view.canRate, true);
      assert.deepEqual(
        view.history.map((h: { action: string }) => h.action),
        ['report', 'file', 'dispatch', 'accept', 'handle', 'verify'],
      );
      const text = JSON.stringify(view.history);
      for (const secret of ['INTERNAL', 'internal-evidence', 'p.handler', 'p.sup', 'actor'])
        assert.ok(!text.includes(secret), secret);

      const rated = await fetch(`${fx.base}/api/v1/citizen/reports/${token}/rating`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ satisfaction: 'basically_satisfied', comment: '处理得挺快' }),
      });
      const after = await rated.json();
      assert.equal(rated.status, 200, JSON.stringify(after));
      assert.equal(after.state, 'evaluated');
      assert.equal(after.satisfaction, 'basically_satisfied');
      const again = await fetch(`${fx.base}/api/v1/citizen/reports/${token}/rating`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ satisfaction: 'unsatisfied' }),
      });
      assert.equal(again.status, 400);
      const stranger = await fetch(`${fx.base}/api/v1/citizen/reports/${number}/rating`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ satisfaction: 'unsatisfied' }),
      });
      assert.equal(stranger.status, 401);
    });

    it('the public board: coarse points, no personal data, counts and indicators per district', async () => {
      const map = await (await fetch(`${fx.base}/api/v1/public/cases`)).json();
      assert.equal(map.type, 'FeatureCollection');
      assert.ok(map.features.length >= 1);
      const f = map.features.find((x: { properties: { number: string } }) => x.properties.number === number);
      assert.equal(f.properties.status, 'closed');
      const [lon, lat] = f.geometry.coordinates;
      assert.notEqual(lat, fx.point.lat);
      assert.ok(Math.abs(lat - fx.point.lat) <= 0.001 + 1e-9 && Math.abs(lon - fx.point.lon) <= 0.001 + 1e-9);
      const text = JSON.stringify(map);
      for (const pii of ['王小明', '13812345678', '人民路', '垃圾桶满了'])
        assert.ok(!text.includes(pii), pii);
      const closedOnly = await (await fetch(`${fx.base}/api/v1/public/cases?status=open`)).json();
      assert.ok(
        !closedOnly.features.some((x: { properties: { number: string } }) => x.properties.number === number),
      );

      const d = await (await fetch(`${fx.base}/api/v1/public/districts?days=7`)).json();
      const mine = d.districts.find((x: { district: string }) => x.district === fx.district);
      assert.equal(mine.closed, 1);
      assert.equal(mine.rated, 1);
      assert.equal(mine.satisfactionRate, 1);
      assert.equal(mine.closureRate, 1);
      assert.equal((await fetch(`${fx.base}/api/v1/public/districts?days=365`)).status, 400);
    });

    it('anonymous portal reports are accepted when anonymous posting is on, and spam is refused', async () => {
      const anon = await report(null);
      assert.equal(anon.status, 201);
      const fd = new FormData();
      fd.append('service_code', SERVICE);
      fd.append('lat', String(fx.point.lat));
      fd.append('lon', String(fx.point.lon));
      fd.append('description', '？？？？？？');
      const spam = await fetch(`${fx.base}/api/v1/citizen/reports`, {
        method: 'POST',
        body: fd,
        headers: fx.as.citizen,
      });
      assert.equal(spam.status, 400);
      assert.equal((await spam.json()).code, 'open311.spam');
    });

    it('a report sent with a key that may not rate is never offered for rating', async () => {
      const posted = await report(null, { 'x-api-key': fx.reportOnlyKey });
      const answer = await posted.json();
      assert.equal(posted.status, 201, JSON.stringify(answer));
      const kioskToken = answer.token;
      const view = async () => (await fetch(`${fx.base}/api/v1/citizen/reports/${kioskToken}`)).json();
      const followed = await view();
      const caseNumber = followed.number;
      assert.match(caseNumber, /^\d+$/, JSON.stringify(followed));
      await actOn(caseNumber, 'sup', 'file');
      await actOn(caseNumber, 'disp', 'dispatch');
      await actOn(caseNumber, 'handler', 'accept');
      await actOn(caseNumber, 'handler', 'handle', { evidence: ['photo:bench-fixed'], note: 'fixed' });
      await actOn(caseNumber, 'sup', 'verify', { result: 'pass' });
      const closed = await view();
      assert.equal(closed.state, 'closed');
      assert.equal(closed.canRate, false);
      const rated = await fetch(`${fx.base}/api/v1/citizen/reports/${kioskToken}/rating`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ satisfaction: 'satisfied' }),
      });
      assert.equal(rated.status, 403, await rated.text());
    });
  });
}
