/**
 * GeoReport v2 conformance over a real socket with `fetch`: every method in JSON (validated
 * against the shipped schemas) and XML (checked element by element against the JSON), and
 * every error case in the Open311 error format with its HTTP status.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ORG } from '../../src/org/index.ts';
import {
  type Open311Discovery,
  type Open311Request,
  type Open311Service,
  type Open311ServiceDefinition,
  type Open311Token,
  PARTICIPATION,
} from '../../src/participation/index.ts';
import { form, type ParticipationFixture, participationFixture, SERVICE } from '../participation/fixture.ts';
import { testBackends } from '../support/storage.ts';
import { assertSchema, assertXmlMatches, fetchBoth, ITEMS, parseXml } from './open311-support.ts';

/** An `<errors>` document as parseXml reads it. */
interface XmlErrors {
  errors: { error: Array<{ code: string; description: string }> };
}

/** The answer to a POST in XML: one `<request>` of text elements. */
interface XmlPostAnswer {
  service_requests: { request: Array<Record<string, string>> };
}

const post = (
  url: string,
  params: Record<string, string | number | string[]>,
  headers: Record<string, string> = {},
) => fetch(url, { method: 'POST', body: form(params), headers });

/** Asserts an Open311 error answer in both formats. */
async function assertError(
  url: string,
  status: number,
  init: RequestInit = {},
  match?: RegExp,
): Promise<{ description: string; headers: Headers }> {
  const j = await fetch(url, init);
  const body = await j.json();
  assert.equal(j.status, status, `${url}: ${JSON.stringify(body)}`);
  assertSchema('errors.json', body);
  assert.equal(body[0].code, status);
  if (match) assert.match(body[0].description, match);
  const xmlUrl = url.replace(/\.json(\?|$)/, '.xml$1');
  if (xmlUrl !== url) {
    const x = await fetch(xmlUrl, init);
    assert.equal(x.status, status);
    assert.match(x.headers.get('content-type') ?? '', /^text\/xml/);
    const xml = parseXml<XmlErrors>(await x.text());
    assert.equal(xml.errors.error.length, 1);
    assert.equal(xml.errors.error[0].code, String(status));
    assert.ok(xml.errors.error[0].description.length > 0);
  }
  return { description: body[0].description, headers: j.headers };
}

for (const backend of testBackends()) {
  describe(`Open311 GeoReport v2 conformance (${backend})`, () => {
    let fx: ParticipationFixture;
    const valid = () => ({
      service_code: SERVICE,
      lat: fx.point.lat,
      long: fx.point.lon,
      description: '公交站旁边垃圾堆了三天',
    });
    before(async () => {
      fx = await participationFixture(backend);
    });
    after(() => fx.dispose());

    it('places a report given only address_id (a division code) or an address_string naming a division', async () => {
      const chain = fx.t.services(ORG).locate(fx.point.lat, fx.point.lon)!;
      const post = async (params: Record<string, string>) => {
        const res = await fetch(`${fx.open311}/requests.json`, { method: 'POST', body: form(params) });
        return { status: res.status, body: await res.json() };
      };
      const byId = await post({
        service_code: SERVICE,
        address_id: chain.community!.code,
        description: '按编号定位',
      });
      assert.equal(byId.status, 200, JSON.stringify(byId.body));
      const byName = await post({
        service_code: SERVICE,
        address_string: `${chain.street!.name['zh-CN']}${chain.community!.name['zh-CN']} 3 号楼门口`,
        description: '按地址定位',
      });
      assert.equal(byName.status, 200, JSON.stringify(byName.body));
      for (const [posted, community] of [
        [byId.body[0], chain.community!.code],
        [byName.body[0], chain.community!.code],
      ] as const) {
        const id = posted.service_request_id ?? posted.token;
        const got = await (await fetch(`${fx.open311}/requests/${id}.json`)).json();
        const where = fx.t.services(ORG).locate(got[0].lat, got[0].long)!;
        assert.equal(where.community?.code, community, 'placed inside the named community');
      }
      const unknown = await post({ service_code: SERVICE, address_id: '999999999999' });
      assert.equal(unknown.status, 400);
      assert.match(unknown.body[0].description, /could not be placed/);
    });

    it('discovery names the endpoint, its specification and both formats', async () => {
      const { json } = await fetchBoth<Open311Discovery>(`${fx.open311}/discovery.json`, 'discovery');
      assert.ok(json.changeset && json.contact && json.key_service);
      assert.equal(json.endpoints.length, 1);
      assert.equal(json.endpoints[0].specification, 'http://wiki.open311.org/GeoReport_v2');
      assert.equal(json.endpoints[0].url, `${fx.base}/open311/v2`);
      assert.deepEqual(json.endpoints[0].formats, ['text/xml', 'application/json']);
    });

    it('services: public minor classes, grouped by major class, in zh-CN by default and en on request', async () => {
      const { json } = await fetchBoth<Open311Service[]>(`${fx.open311}/services.json`, 'services');
      assertSchema('services.json', json);
      const codes = json.map((s: { service_code: string }) => s.service_code);
      const registry = fx.t.kernel.modules;
      for (const code of codes) {
        const c = registry.category(code)!;
        assert.ok(c.parent, `${code} is a minor class`);
        assert.notEqual(c.public, false);
      }
      const hidden = registry.categories().filter((c) => c.parent && c.public === false);
      assert.ok(hidden.length > 0);
      for (const h of hidden) assert.ok(!codes.includes(h.code), `${h.code} is not public`);
      const garbage = json.find((s) => s.service_code === SERVICE);
      assert.ok(garbage, `${SERVICE} is a service`);
      assert.equal(garbage.service_name, '暴露垃圾');
      assert.equal(garbage.group, '市容环卫');
      assert.equal(garbage.type, 'realtime');
      assert.equal(garbage.metadata, false);
      assert.equal(json.find((s) => s.service_code === 'CM.E.01.03')?.metadata, true);

      const en = await fetchBoth<Open311Service[]>(`${fx.open311}/services.json`, 'services', {
        headers: { 'accept-language': 'en-GB,en;q=0.9,zh;q=0.5' },
      });
      assertSchema('services.json', en.json);
      const g = en.json.find((s) => s.service_code === SERVICE);
      assert.ok(g, `${SERVICE} is a service in English too`);
      assert.equal(g.service_name, 'Exposed garbage');
      assert.equal(g.group, 'City appearance and sanitation');
      const fr = await (
        await fetch(`${fx.open311}/services.json`, { headers: { 'accept-language': 'fr' } })
      ).json();
      assert.equal(
        fr.find((s: { service_code: string }) => s.service_code === SERVICE).service_name,
        '暴露垃圾',
      );
    });

    it('service definitions carry attributes of every datatype', async () => {
      const seen = new Set<string>();
      for (const code of ['CM.C.01.01', 'CM.E.01.02', 'CM.E.01.03', 'CM.E.03.01', 'CM.E.06.02']) {
        const { json } = await fetchBoth<Open311ServiceDefinition>(
          `${fx.open311}/services/${code}.json`,
          'service_definition',
        );
        assertSchema('service-definition.json', json);
        assert.equal(json.service_code, code);
        assert.ok(json.attributes.length > 0);
        for (const a of json.attributes) {
          seen.add(a.datatype);
          assert.equal(typeof a.variable, 'boolean');
          assert.equal(typeof a.order, 'number');
          assert.ok(a.description && a.datatype_description);
          if (a.datatype.endsWith('valuelist')) assert.ok((a.values?.length ?? 0) > 0);
          else assert.equal(a.values, undefined);
        }
        const orders = json.attributes.map((a) => Number(a.order));
        assert.deepEqual(
          orders,
          [...orders].sort((a, b) => a - b),
        );
      }
      assert.deepEqual([...seen].sort(), [
        'datetime',
        'multivaluelist',
        'number',
        'singlevaluelist',
        'string',
        'text',
      ]);
      const cover = await (await fetch(`${fx.open311}/services/CM.C.01.01.json`)).json();
      const problem = cover.attributes.find((a: { code: string }) => a.code === 'problem');
      assert.equal(problem.required, true);
      assert.equal(problem.datatype, 'singlevaluelist');
      const en = await (
        await fetch(`${fx.open311}/services/CM.C.01.01.json`, { headers: { 'accept-language': 'en' } })
      ).json();
      assert.notEqual(en.attributes[0].description, cover.attributes[0].description);
    });

    let firstId = '';
    it('POST requests (form-encoded) answers the request id, a notice and the account id; XML too', async () => {
      const res = await post(`${fx.open311}/requests.json`, {
        ...valid(),
        account_id: 'wx-user-1',
        email: 'lily@example.cn',
      });
      const body = await res.json();
      assert.equal(res.status, 200, JSON.stringify(body));
      assertSchema('post-response.json', body);
      assert.match(body[0].service_request_id, /^2026030200\d{3}$/);
      assert.equal(body[0].account_id, 'wx-user-1');
      assert.ok(body[0].service_notice);
      firstId = body[0].service_request_id;

      const x = await post(`${fx.open311}/requests.xml`, { ...valid(), description: '另一处垃圾没有清理' });
      assert.equal(x.status, 200);
      const xml = parseXml<XmlPostAnswer>(await x.text());
      const r = xml.service_requests.request;
      assert.equal(r.length, 1);
      assert.deepEqual(Object.keys(r[0]), ['service_request_id', 'service_notice', 'account_id']);
      assert.match(r[0].service_request_id, /^2026030200\d{3}$/);
      assert.equal(r[0].account_id, '');
    });

    it('POST accepts JSON bodies and api keys; attribute[CODE] and attribute[CODE][] are checked against the definition', async () => {
      const json = await fetch(`${fx.open311}/requests.json`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          ...valid(),
          api_key: fx.apiKey,
          attribute: { waste_types: ['household', 'bulky'] },
          service_code: 'CM.E.01.03',
        }),
      });
      assert.equal(json.status, 200, await json.clone().text());
      assertSchema('post-response.json', await json.json());

      const multi = await post(`${fx.open311}/requests.json`, {
        ...valid(),
        service_code: 'CM.E.01.03',
        api_key: fx.apiKey,
        'attribute[waste_types][]': ['household', 'construction'],
      });
      assert.equal(multi.status, 200, await multi.clone().text());
      const cover = await post(`${fx.open311}/requests.json`, {
        ...valid(),
        service_code: 'CM.C.01.01',
        'attribute[problem]': (await (await fetch(`${fx.open311}/services/CM.C.01.01.json`)).json())
          .attributes[0].values[0].key,
        'attribute[component_code]': '3301020010010001',
      });
      assert.equal(cover.status, 200, await cover.clone().text());
      const dt = await post(`${fx.open311}/requests.json`, {
        ...valid(),
        service_code: 'CM.E.03.01',
        'attribute[observed_at]': '2026-03-02T08:30:00+08:00',
      });
      assert.equal(dt.status, 200, await dt.clone().text());
    });

    it('GET requests lists requests (schema-valid, XML element by element), newest first, with status and agency', async () => {
      const { json } = await fetchBoth<Open311Request[]>(`${fx.open311}/requests.json`, 'service_requests');
      assertSchema('requests.json', json);
      assert.ok(json.length >= 5);
      const first = json.find((r) => r.service_request_id === firstId);
      assert.ok(first, `${firstId} is listed`);
      assert.equal(first.status, 'open');
      assert.equal(first.onecity_state, 'reported');
      assert.equal(first.service_code, SERVICE);
      assert.equal(first.service_name, '暴露垃圾');
      assert.equal(first.requested_datetime, '2026-03-02T09:00:00+08:00');
      assert.equal(first.address, null, 'no address on the public face');
      // The point is the centre of its ~200 m cell, never the reported point.
      assert.ok(first.lat !== null && first.long !== null, 'the request has its point');
      assert.ok(Math.abs(first.lat - fx.point.lat) <= 0.001 + 1e-9);
      assert.ok(Math.abs(first.long - fx.point.lon) <= 0.001 + 1e-9);
      assert.ok(!JSON.stringify(json).includes('lily@example.cn'));
      const times = json.map((r: { requested_datetime: string }) => r.requested_datetime);
      assert.deepEqual(times, [...times].sort().reverse());
    });

    it('GET requests filters by ids, service_code, status and dates', async () => {
      const both = await fetchBoth<Open311Request[]>(
        `${fx.open311}/requests.json?service_request_id=${firstId},99999999999`,
        'service_requests',
      );
      assertSchema('requests.json', both.json);
      assert.deepEqual(
        both.json.map((r: { service_request_id: string }) => r.service_request_id),
        [firstId],
      );
      const byCode = await (await fetch(`${fx.open311}/requests.json?service_code=CM.E.01.03`)).json();
      assert.equal(byCode.length, 2);
      assert.ok(byCode.every((r: { service_code: string }) => r.service_code === 'CM.E.01.03'));
      const closed = await (await fetch(`${fx.open311}/requests.json?status=closed`)).json();
      assert.deepEqual(closed, []);
      const empty = await fetch(`${fx.open311}/requests.xml?status=closed`);
      const emptyXml = parseXml(await empty.text());
      assert.equal(emptyXml.service_requests, '');
      const open = await (await fetch(`${fx.open311}/requests.json?status=open`)).json();
      assert.ok(open.length >= 5);
      const window = await (
        await fetch(
          `${fx.open311}/requests.json?start_date=2026-03-01T00:00:00%2B08:00&end_date=2026-03-02T08:59:00%2B08:00`,
        )
      ).json();
      assert.deepEqual(window, [], 'nothing before 09:00');
      const inWindow = await (
        await fetch(
          `${fx.open311}/requests.json?start_date=2026-03-02T00:00:00Z&end_date=2026-03-03T00:00:00Z`,
        )
      ).json();
      assert.ok(inWindow.length >= 5);
    });

    it('GET requests/{id} and the jurisdiction_id of this endpoint', async () => {
      const { json } = await fetchBoth<Open311Request[]>(
        `${fx.open311}/requests/${firstId}.json?jurisdiction_id=lanhu.gov.cn`,
        'service_requests',
      );
      assertSchema('requests.json', json);
      assert.equal(json.length, 1);
      assertSchema('request.json', json[0]);
      assert.equal(json[0].service_request_id, firstId);
      assert.equal(json[0].status_notes, '已受理，待立案');
      const en = await (
        await fetch(`${fx.open311}/requests/${firstId}.json`, { headers: { 'accept-language': 'en' } })
      ).json();
      assert.equal(en[0].status_notes, 'Received, awaiting filing');
      assert.equal(en[0].service_name, 'Exposed garbage');
    });

    it('every error in the Open311 format with its HTTP status', async () => {
      const o = fx.open311;
      await assertError(`${o}/services/NO.SUCH.json`, 404, {}, /NO\.SUCH/);
      await assertError(`${o}/services/CM.E.01.json`, 404); // a major class is not a service
      await assertError(`${o}/requests/2026030299999.json`, 404, {}, /not found/);
      await assertError(`${o}/requests/not-an-id.json`, 404);
      await assertError(`${o}/tokens/t_AAAAAAAAAAAAAAAAAAAAAA.json`, 404);
      await assertError(`${o}/services.json?jurisdiction_id=elsewhere.gov.cn`, 404, {}, /jurisdiction_id/);
      await assertError(`${o}/requests.json?jurisdiction_id=elsewhere.gov.cn`, 404);
      await assertError(`${o}/nothing-here.json`, 404);
      await assertError(`${o}/services.csv`, 404);
      await assertError(`${o}/requests.json?status=pending`, 400, {}, /status/);
      await assertError(`${o}/requests.json?start_date=yesterday`, 400, {}, /start_date/);
      await assertError(
        `${o}/requests.json?start_date=2025-01-01T00:00:00Z&end_date=2026-01-01T00:00:00Z`,
        400,
        {},
        /90 days/,
      );
      const p = (params: Record<string, string | number | string[]>, headers?: Record<string, string>) => ({
        method: 'POST',
        body: form(params),
        ...(headers ? { headers } : {}),
      });
      const v = valid();
      await assertError(`${o}/requests.json`, 400, p({ lat: v.lat, long: v.long }), /service_code/);
      await assertError(`${o}/requests.json`, 400, p({ ...v, service_code: 'NO.SUCH' }), /NO\.SUCH/);
      await assertError(
        `${o}/requests.json`,
        400,
        p({ service_code: SERVICE, description: '垃圾很多' }),
        /lat/,
      );
      await assertError(
        `${o}/requests.json`,
        400,
        p({ service_code: SERVICE, address_string: '人民路 1 号' }),
        /address_string/,
      );
      await assertError(`${o}/requests.json`, 400, p({ ...v, lat: 'north' }), /lat/);
      await assertError(`${o}/requests.json`, 400, p({ ...v, lat: 10, long: 10 }), /outside the city/);
      await assertError(`${o}/requests.json`, 400, p({ ...v, description: '!!!!!!!!' }));
      await assertError(`${o}/requests.json`, 400, p({ ...v, description: 'aaaaaaaaaaaaaaa' }), /repeats/);
      await assertError(
        `${o}/requests.json`,
        400,
        p({ ...v, description: 'cheap http://a.example http://b.example http://c.example' }),
        /links/,
      );
      await assertError(
        `${o}/requests.json`,
        400,
        p({ ...v, media_url: 'javascript:alert(1)' }),
        /media_url/,
      );
      await assertError(`${o}/requests.json`, 400, p({ ...v, 'attribute[nope]': 'x' }), /nope/);
      await assertError(
        `${o}/requests.json`,
        400,
        p({ ...v, service_code: 'CM.E.03.01' }),
        /observed_at.*required/,
      );
      await assertError(
        `${o}/requests.json`,
        400,
        p({ ...v, service_code: 'CM.E.03.01', 'attribute[observed_at]': 'soon' }),
        /date-time/,
      );
      await assertError(
        `${o}/requests.json`,
        400,
        p({ ...v, service_code: 'CM.E.01.02', 'attribute[volume_m3]': 'lots' }),
        /number/,
      );
      await assertError(
        `${o}/requests.json`,
        400,
        p({ ...v, service_code: 'CM.E.01.03', 'attribute[waste_types][]': ['gold'] }),
        /gold/,
      );
      await assertError(
        `${o}/requests.json`,
        400,
        p({ ...v, service_code: 'CM.C.01.01', 'attribute[problem]': 'x' }),
        /problem/,
      );
      await assertError(`${o}/requests.json`, 400, p({ ...v, description: 'x'.repeat(4001) }), /4000/);
      await assertError(`${o}/requests.json`, 403, p({ ...v, api_key: 'ock_nothing_valid' }), /api_key/);
      await assertError(`${o}/requests.json`, 404, p({ ...v, jurisdiction_id: 'elsewhere.gov.cn' }));
      await assertError(`${o}/requests.json`, 413, p({ ...v, description: '很'.repeat(20_000) }));
      await assertError(`${o}/requests.json`, 415, {
        method: 'POST',
        body: '<service_code>x</service_code>',
        headers: { 'content-type': 'application/xml' },
      });
    });

    it('a report next to an open case of the same category is linked to it, not lost', async () => {
      const res = await post(`${fx.open311}/requests.json`, {
        ...valid(),
        description: '同一处的垃圾，又来报一次',
      });
      const body = await res.json();
      assert.equal(res.status, 200);
      assert.match(body[0].service_notice, new RegExp(firstId));
    });

    it('rate limits per device answer 429 with Retry-After in the Open311 format', async () => {
      let last: Response | null = null;
      for (let i = 0; i < 12; i++) {
        last = await post(`${fx.open311}/requests.json`, {
          ...valid(),
          api_key: fx.apiKey,
          device_id: 'phone-42',
          description: `设备报告 ${i} 号垃圾`,
        });
        if (last.status === 429) break;
      }
      assert.equal(last!.status, 429);
      assert.ok(Number(last!.headers.get('retry-after')) >= 1);
      const body = await last!.json();
      assertSchema('errors.json', body);
      assert.equal(body[0].code, 429);
    });
  });

  describe(`Open311 queued intake, tokens and closed anonymous posting (${backend})`, () => {
    let fx: ParticipationFixture;
    before(async () => {
      fx = await participationFixture(backend, { intakeMode: 'queued', anonymousPosting: false });
    });
    after(() => fx.dispose());

    it('without an api_key posting is refused with 403', async () => {
      await assertError(
        `${fx.open311}/requests.json`,
        403,
        {
          method: 'POST',
          body: form({
            service_code: SERVICE,
            lat: fx.point.lat,
            long: fx.point.lon,
            description: '垃圾没人清理',
          }),
        },
        /api_key/,
      );
    });

    it('a queued post answers a token; GET tokens/{token} gives the request id once filed', async () => {
      const res = await post(`${fx.open311}/requests.json`, {
        service_code: SERVICE,
        lat: fx.point.lat,
        long: fx.point.lon,
        description: '垃圾没人清理',
        api_key: fx.apiKey,
      });
      const body = await res.json();
      assert.equal(res.status, 200, JSON.stringify(body));
      assertSchema('post-response.json', body);
      const token = body[0].token as string;
      assert.match(token, /^t_/);
      assert.equal(body[0].service_request_id, undefined);
      await fx.t.services(PARTICIPATION).drainQueue();
      const { json } = await fetchBoth<Open311Token[]>(
        `${fx.open311}/tokens/${token}.json`,
        'service_requests',
      );
      assert.equal(json.length, 1);
      assert.equal(json[0].token, token);
      assert.match(json[0].service_request_id ?? '', /^2026030200\d{3}$/);
      const again = await (await fetch(`${fx.open311}/requests/${json[0].service_request_id}.json`)).json();
      assertSchema('requests.json', again);

      const x = await post(`${fx.open311}/requests.xml`, {
        service_code: SERVICE,
        lat: fx.point.lat,
        long: fx.point.lon,
        description: '垃圾依然没人清理',
        api_key: fx.apiKey,
      });
      const xml = parseXml<XmlPostAnswer>(await x.text());
      assert.deepEqual(Object.keys(xml.service_requests.request[0]), [
        'token',
        'service_notice',
        'account_id',
      ]);
      assertXmlMatches(
        xml.service_requests,
        [
          {
            token: xml.service_requests.request[0].token,
            service_notice: xml.service_requests.request[0].service_notice,
            account_id: null,
          },
        ],
        ITEMS,
        'service_requests',
      );
    });
  });
}
