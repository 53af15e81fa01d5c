/**
 * Hostile input never reaches a 5xx. A seeded generator walks every operation of
 * `/api/openapi.json` (path parameters, query parameters, JSON bodies) and the Open311 and
 * NGSI-LD routes, puts one malformed value in an otherwise plausible request (U+0000, lone
 * surrogates, 1e309, 20-digit ids, negative and fractional numbers, wrong types, over-long
 * strings, 5,000-deep nesting, invalid JSON and UTF-8…) and checks each answer: no 5xx, no
 * stack trace or database message, errors in the interface's own format, and an audit
 * chain that still verifies afterwards. The same seed gives the same requests; `FUZZ_SEED`
 * and `FUZZ_REQUESTS` change them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { verifyAuditChain } from '../../src/audit/index.ts';
import { bearer, loginAs, TEST_ADMIN_PASSWORD } from '../../src/identity/testing.ts';
import { seedDemoCity } from '../../src/org/index.ts';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { testBackends } from '../support/storage.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261207);
const BUDGET = Number(process.env.FUZZ_REQUESTS ?? 2500);

/** mulberry32: a small deterministic generator, so a failure replays from its seed. */
function generator(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    chance: (p: number) => next() < p,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)],
  };
}
type Random = ReturnType<typeof generator>;

/** JSON text put into a body as is: 1e309, or 5,000 arrays deep, has no value JSON.stringify writes. */
class RawJson {
  constructor(readonly text: string) {}
}

/** JSON.stringify that writes RawJson values verbatim. */
function jsonText(value: unknown): string {
  const raw: string[] = [];
  const text = JSON.stringify(value, (_k, v) => {
    if (!(v instanceof RawJson)) return v;
    raw.push(v.text);
    return `\u0001${raw.length - 1}\u0001`;
  });
  return text.replace(/"\\u0001(\d+)\\u0001"/g, (_m, i) => raw[Number(i)]);
}

const DEEP = 5000;
const deepArray = `${'['.repeat(DEEP)}${']'.repeat(DEEP)}`;
const deepObject = `${'{"a":'.repeat(DEEP)}1${'}'.repeat(DEEP)}`;

/** Malformed values for a JSON body field. */
const hostileJson: readonly unknown[] = [
  '\u0000',
  'a\u0000b',
  'fuzz\u0000',
  '\ud800',
  'x\udfffy',
  new RawJson('1e309'),
  new RawJson('-1e309'),
  new RawJson('99999999999999999999'),
  new RawJson('-99999999999999999999'),
  new RawJson('1e-400'),
  -1,
  0,
  1.5,
  2 ** 53 + 2,
  2 ** 31,
  null,
  true,
  [],
  {},
  [{}],
  '',
  ' ',
  'x'.repeat(70_000),
  '99999999999999999999',
  '1e309',
  '<script>alert(1)</script>',
  "' or 1=1 --",
  '../../../../etc/passwd',
  new RawJson(deepArray),
  new RawJson(deepObject),
];

/** Malformed values for a path or query parameter (before percent-encoding). */
const hostileParam: readonly string[] = [
  '\u0000',
  'a\u0000b',
  '1\u0000',
  '\ud800',
  '1e309',
  '-1e309',
  '99999999999999999999',
  '-99999999999999999999',
  '9007199254740993',
  '2147483648',
  '-1',
  '0',
  '1.5',
  'NaN',
  'Infinity',
  '0x10',
  '',
  ' ',
  'true',
  'x'.repeat(5000),
  "' or 1=1 --",
  '../../etc/passwd',
];

/** Percent-encodings that decode to no UTF-8 text, or do not decode at all; sent as they are. */
const malformedEncodings: readonly string[] = ['%', '%zz', '%ff%fe', '%c0%80', '%ed%a0%80'];

/** Raw request bodies that are not what any route accepts. */
const hostileBodies: ReadonlyArray<{ type: string; body: string | Buffer }> = [
  { type: 'application/json', body: 'not json' },
  { type: 'application/json', body: '{"a":' },
  { type: 'application/json', body: '[1,2' },
  { type: 'application/json', body: '\ufeff{}' },
  {
    type: 'application/json',
    body: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
  },
  { type: 'application/json', body: deepArray },
  { type: 'application/json', body: deepObject },
  { type: 'application/json', body: '{"__proto__":{"admin":true}}' },
  { type: 'application/json', body: '{"constructor":{"prototype":{"admin":true}}}' },
  { type: 'application/json', body: '"a string"' },
  { type: 'application/json', body: '1e309' },
  { type: 'application/json', body: 'null' },
  { type: 'application/json', body: '[]' },
  { type: 'application/json', body: '' },
  { type: 'application/json', body: '{"a":"\\u0000"}' },
  { type: 'application/ld+json', body: deepArray },
  { type: 'text/plain', body: 'hello' },
  { type: 'application/x-www-form-urlencoded', body: 'a=%00&b=%ff&c' },
  { type: 'application/xml', body: '<a>&xxe;</a>' },
];

/** A multipart/form-data body of text fields. */
function multipart(fields: Record<string, string>): { type: string; body: Buffer } {
  const boundary = 'fuzz-boundary-7c1e';
  const parts = Object.entries(fields).map(
    ([name, value]) => `--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  return {
    type: `multipart/form-data; boundary=${boundary}`,
    body: Buffer.from(`${parts.join('')}--${boundary}--\r\n`, 'utf8'),
  };
}

/** The fields of a citizen report, as the web app's form sends them. */
const REPORT_FIELDS = {
  service_code: 'CM.E.01.01',
  lat: '30.25',
  lon: '120.15',
  description: 'Overflowing bin',
};

interface Operation {
  method: string;
  path: string;
  params: Array<{ name: string; in: 'path' | 'query'; schema: Schema }>;
  body?: Schema;
  /** The body is form-encoded (Open311 POST). */
  form?: boolean;
}

type Schema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  minItems?: number;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  format?: string;
  default?: unknown;
};

/** Plausible strings tried in turn against a `pattern`. */
const PATTERN_CANDIDATES = [
  '330102001',
  '330102',
  '3301',
  '33010200100101',
  'R-000001',
  '1',
  '12',
  '1,1,1',
  '00000000-0000-4000-8000-000000000000',
  'fuzz-device-1',
  'fuzz.user',
  'CM.E.01.01',
  'urn:ngsi-ld:FuzzThing:1',
  'fuzz',
];

/** Plausible values by property name, so that requests get past validation to the services. */
const BY_NAME: Record<string, unknown> = {
  lat: 30.25,
  lon: 120.15,
  category: 'CM.E.01.01',
  service_code: 'CM.E.01.01',
  divisionCode: '330102001',
  division: '330102001',
  departmentCode: 'urban-mgmt',
  department: 'urban-mgmt',
  lead: 'urban-mgmt',
  account: 'svc.fuzz',
  sensorType: 'air-quality-station',
  password: 'Fuzzy-password-2026',
};

/** A value the schema accepts, as far as a generator can tell. */
function sample(schema: Schema | undefined, rnd: Random, name = ''): unknown {
  if (!schema) return 'fuzz';
  if (name in BY_NAME && typeof BY_NAME[name] === (Array.isArray(schema.type) ? schema.type[0] : schema.type))
    return BY_NAME[name];
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return rnd.pick(schema.enum);
  if (schema.anyOf) return sample(schema.anyOf[0], rnd, name);
  if (schema.oneOf) return sample(schema.oneOf[0], rnd, name);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, sub] of Object.entries(schema.properties ?? {}))
        if (schema.required?.includes(key) || rnd.chance(0.4)) out[key] = sample(sub, rnd, key);
      return out;
    }
    case 'array':
      return Array.from({ length: Math.max(schema.minItems ?? 0, 1) }, () => sample(schema.items, rnd, name));
    case 'integer':
    case 'number':
      return schema.minimum ?? (schema.maximum !== undefined ? Math.min(schema.maximum, 1) : 1);
    case 'boolean':
      return rnd.chance(0.5);
    case 'string': {
      if (name in BY_NAME && typeof BY_NAME[name] === 'string') return BY_NAME[name];
      if (schema.format === 'date-time') return '2026-03-01T01:00:00Z';
      if (schema.format === 'date') return '2026-03-01';
      if (schema.format === 'email') return 'fuzz@example.org';
      if (schema.format === 'uri') return 'https://example.org/fuzz';
      if (schema.pattern) {
        const re = new RegExp(schema.pattern);
        const fit = PATTERN_CANDIDATES.find((c) => re.test(c));
        if (fit) return fit;
      }
      const text = 'fuzz text '.repeat(Math.ceil((schema.minLength ?? 1) / 10));
      return text.slice(0, Math.max(schema.minLength ?? 4, Math.min(schema.maxLength ?? 12, 12)));
    }
    default:
      return 'fuzz';
  }
}

/** Every path to a value inside a body (the body itself is ''). */
function pathsOf(value: unknown, prefix: string[] = []): string[][] {
  const out = [prefix];
  if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value as Record<string, unknown>))
      out.push(...pathsOf(v, [...prefix, k]));
  return out;
}

function withValueAt(body: unknown, path: string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy: Record<string, unknown> = Array.isArray(body) ? ([...body] as never) : { ...(body as object) };
  copy[path[0]] = withValueAt(copy[path[0]], path.slice(1), value);
  return copy;
}

/** Open311 parameters (GeoReport v2) the generator mixes into its routes. */
const OPEN311_PARAMS = [
  'jurisdiction_id',
  'service_code',
  'lat',
  'long',
  'address_string',
  'address_id',
  'description',
  'email',
  'first_name',
  'last_name',
  'phone',
  'media_url',
  'device_id',
  'account_id',
  'api_key',
  'attribute[kind]',
  'service_request_id',
  'status',
  'start_date',
  'end_date',
];

/** NGSI-LD query parameters (idPattern is left to the suite that owns it). */
const NGSI_LD_PARAMS = [
  'type',
  'id',
  'attrs',
  'q',
  'georel',
  'geometry',
  'coordinates',
  'geoproperty',
  'limit',
  'offset',
  'count',
  'options',
  'format',
  'timerel',
  'timeAt',
  'endTimeAt',
  'timeproperty',
  'lastN',
];

const entity = (n: number) => ({
  id: `urn:ngsi-ld:FuzzThing:${n}`,
  type: 'FuzzThing',
  temperature: { type: 'Property', value: 21.5, observedAt: '2026-03-01T01:00:00Z' },
  location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [120.15, 30.25] } },
});

const NGSI_LD_BODIES: Record<string, Schema> = {
  'POST /ngsi-ld/v1/entities': { const: entity(1) },
  'POST /ngsi-ld/v1/entities/{entityId}/attrs': { const: { humidity: { type: 'Property', value: 40 } } },
  'PATCH /ngsi-ld/v1/entities/{entityId}/attrs': { const: { temperature: { type: 'Property', value: 22 } } },
  'PATCH /ngsi-ld/v1/entities/{entityId}/attrs/{attrId}': { const: { value: 23 } },
  'POST /ngsi-ld/v1/entityOperations/create': { const: [entity(2), entity(3)] },
  'POST /ngsi-ld/v1/entityOperations/upsert': { const: [entity(1), entity(4)] },
  'POST /ngsi-ld/v1/entityOperations/update': { const: [entity(1)] },
  'POST /ngsi-ld/v1/entityOperations/delete': { const: ['urn:ngsi-ld:FuzzThing:3'] },
  'POST /ngsi-ld/v1/subscriptions': {
    const: {
      type: 'Subscription',
      entities: [{ type: 'FuzzThing' }],
      notification: { endpoint: { uri: 'http://127.0.0.1:9/fuzz' } },
    },
  },
  'PATCH /ngsi-ld/v1/subscriptions/{id}': { const: { description: 'fuzz' } },
  'POST /ngsi-ld/v1/temporal/entities': { const: entity(5) },
};

/** Routes that take a multipart form. */
const REPORT_ROUTES = new Set(['POST /api/v1/citizen/reports', 'POST /api/v1/media']);

/** Operations the fuzz leaves alone: they end the admin's session or stream forever. */
const SKIPPED = new Set(['POST /api/v1/auth/logout', 'GET /api/v1/stream']);

/** The operations: the OpenAPI document, with Open311 and NGSI-LD parameters filled in. */
function operationsOf(doc: {
  paths: Record<string, Record<string, { parameters?: Operation['params']; requestBody?: unknown }>>;
}): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    if (!/^\/(api\/v1|open311\/v2|ngsi-ld\/v1)\//.test(path)) continue;
    for (const [method, op] of Object.entries(methods)) {
      const key = `${method.toUpperCase()} ${path}`;
      if (SKIPPED.has(key)) continue;
      const params = [...(op.parameters ?? [])];
      const extra = path.startsWith('/open311/')
        ? OPEN311_PARAMS
        : path.startsWith('/ngsi-ld/')
          ? NGSI_LD_PARAMS
          : [];
      for (const name of extra) params.push({ name, in: 'query', schema: { type: 'string' } });
      const body = (op.requestBody as { content?: Record<string, { schema: Schema }> } | undefined)
        ?.content?.['application/json']?.schema;
      ops.push({
        method: method.toUpperCase(),
        path,
        params,
        body: body ?? NGSI_LD_BODIES[key],
        form: path.startsWith('/open311/') && method === 'post',
      });
    }
  }
  return ops;
}

interface Answer {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
}

/** Signs of internals: stack frames, file paths, database and driver messages. */
const INTERNALS =
  /\n\s+at |\bat [\w.<>]+ \(|node_modules|\.ts:\d+|SQLSTATE|invalid byte sequence|out of range for type|invalid input syntax for|violates .* constraint|unsupported Unicode escape|Maximum call stack|kysely|pglite|ECONNREFUSED/i;

/** Why an answer is wrong, or null. */
function fault(url: string, res: Answer): string | null {
  if (res.statusCode >= 500) return `status ${res.statusCode}`;
  if (INTERNALS.test(res.body)) return `internal detail: ${INTERNALS.exec(res.body)?.[0]}`;
  if (res.statusCode < 400) return null;
  const type = String(res.headers['content-type'] ?? '');
  let json: unknown;
  try {
    json = JSON.parse(res.body);
  } catch {
    json = undefined;
  }
  if (url.startsWith('/open311/')) {
    if (/\.xml(\?|$)/.test(url))
      return /^(application|text)\/xml/.test(type) &&
        /<errors>\s*<error>\s*<code>\d{3}<\/code>/.test(res.body)
        ? null
        : `not an Open311 XML error: ${type} ${res.body.slice(0, 120)}`;
    const first = Array.isArray(json) ? (json[0] as { code?: unknown; description?: unknown }) : undefined;
    return type.startsWith('application/json') &&
      first?.code === res.statusCode &&
      typeof first.description === 'string'
      ? null
      : `not an Open311 JSON error: ${type} ${res.body.slice(0, 120)}`;
  }
  const doc = json as {
    type?: unknown;
    title?: unknown;
    status?: unknown;
    code?: unknown;
    requestId?: unknown;
  };
  if (url.startsWith('/ngsi-ld/'))
    return type.startsWith('application/json') &&
      typeof doc?.type === 'string' &&
      /^(https:\/\/uri\.etsi\.org\/ngsi-ld\/errors\/|urn:onecity:problem:)/.test(doc.type) &&
      typeof doc.title === 'string' &&
      doc.status === res.statusCode
      ? null
      : `not NGSI-LD ProblemDetails: ${type} ${res.body.slice(0, 120)}`;
  return type.startsWith('application/problem+json') &&
    typeof doc?.code === 'string' &&
    doc.status === res.statusCode &&
    typeof doc.requestId === 'string' &&
    doc.requestId === res.headers['x-request-id'] &&
    typeof doc.title === 'string'
    ? null
    : `not problem+json: ${type} ${res.body.slice(0, 120)}`;
}

/**
 * A hostile parameter as a client would put it in a URL: percent-encoded (a lone surrogate
 * as the UTF-8 bytes a lenient encoder writes), or now and then a malformed encoding.
 */
function hostileUrlValue(rnd: Random): string {
  if (rnd.chance(0.15)) return rnd.pick(malformedEncodings);
  const v = rnd.pick(hostileParam);
  try {
    return encodeURIComponent(v);
  } catch {
    return [...Buffer.from(v, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
  }
}

for (const backend of testBackends()) {
  describe(`hostile input (${backend})`, () => {
    let t: TestApp;
    let admin: Record<string, string>;
    /** A supervision operator: reports, files and rejects cases, which the admin's role may not. */
    let operator: Record<string, string>;
    let ops: Operation[] = [];
    /** Real values for path parameters, so that hostile query and body values reach the services. */
    const real: Record<string, string[]> = {};

    before(async () => {
      t = await buildTestApp(backend);
      await seedDemoCity(t, { seed: 3, password: 'Demo-city-2026' });
      admin = bearer(await loginAs(t, 'admin', TEST_ADMIN_PASSWORD));
      operator = bearer(await loginAs(t, 'demo.supervision_operator', 'Demo-city-2026'));
      const post = async (url: string, payload: unknown, headers: Record<string, string> = {}) => {
        const res = await t.app.inject({
          method: 'POST',
          url,
          payload: payload as object,
          headers: { ...admin, ...headers },
        });
        assert.ok(res.statusCode < 300, `${url}: ${res.statusCode} ${res.body}`);
        return res.body ? res.json() : undefined;
      };
      const filed = await post(
        '/api/v1/cases',
        {
          channel: 'hotline',
          category: 'CM.E.01.01',
          location: { lat: 30.25, lon: 120.15 },
          description: 'Overflowing bin by the fuzz test',
        },
        operator,
      );
      const user = await post('/api/v1/users', {
        username: 'fuzz.target',
        displayName: 'Fuzz target',
        roles: ['grid_worker'],
        password: 'Fuzzy-password-2026',
      });
      await post('/api/v1/users', {
        username: 'svc.fuzz',
        displayName: 'Fuzz service',
        kind: 'service',
        roles: ['grid_worker'],
      });
      const device = await post('/api/v1/devices', {
        id: 'fuzz-device-1',
        name: 'Fuzz device',
        sensorType: 'air-quality-station',
        location: { lat: 30.25, lon: 120.15 },
      });
      await post('/ngsi-ld/v1/entities', entity(1), { 'content-type': 'application/json' });
      real['/api/v1/cases/'] = [filed.id, filed.number].filter(Boolean);
      real['/api/v1/users/'] = [user.id];
      real['/api/v1/devices/'] = [device.id];
      real['/api/v1/datastreams/'] = ['fuzz-device-1.aqi'];
      real['/api/v1/divisions/'] = ['330102001', '330102'];
      real['/api/v1/departments/'] = ['urban-mgmt'];
      real['/ngsi-ld/v1/entities/'] = ['urn:ngsi-ld:FuzzThing:1'];
      real['/ngsi-ld/v1/temporal/entities/'] = ['urn:ngsi-ld:FuzzThing:1'];
      real['/open311/v2/'] = ['CM.E.01.01.json', `${filed.number}.json`, `${filed.number}.xml`];
      ops = operationsOf((await t.app.inject({ url: '/api/openapi.json' })).json());
    });
    after(() => t?.dispose());

    const send = (
      method: string,
      url: string,
      options: { headers?: Record<string, string>; payload?: string | Buffer } = {},
    ) => t.app.inject({ method: method as 'GET', url, headers: options.headers, payload: options.payload });

    test('U+0000, 1e309, 20-digit ids and deep nesting are 400s in each interface’s format', async () => {
      const named: Array<[string, string, Record<string, string>?, (string | Buffer)?]> = [
        [
          'POST',
          '/api/v1/auth/login',
          { 'content-type': 'application/json' },
          '{"username":"ad\\u0000min","password":"x"}',
        ],
        ['GET', '/api/v1/users?q=a%00b'],
        ['GET', '/api/v1/audit?actor=%00'],
        ['GET', '/api/v1/cases?state=%00'],
        ['GET', '/api/v1/devices?sensorType=%00'],
        ['GET', '/api/v1/users?limit=1e309'],
        ['GET', '/api/v1/notifications?offset=99999999999999999999'],
        ['POST', '/api/v1/notifications/99999999999999999999/read'],
        ['GET', '/api/v1/responsibility/versions/99999999999999999999'],
        ['GET', '/open311/v2/requests.json?service_code=%00'],
        ['GET', '/open311/v2/requests.xml?status=open%00'],
        ['GET', '/ngsi-ld/v1/entities?type=Fuzz%00Thing'],
        ['GET', '/ngsi-ld/v1/entities?type=FuzzThing&offset=99999999999999999999'],
        ['POST', '/ngsi-ld/v1/entityOperations/upsert', { 'content-type': 'application/json' }, deepArray],
        [
          'POST',
          '/ngsi-ld/v1/entityOperations/create',
          { 'content-type': 'application/json' },
          `[${deepObject}]`,
        ],
        ['POST', '/api/v1/observations', { 'content-type': 'application/json' }, deepArray],
      ];
      const caseId = real['/api/v1/cases/'][0];
      named.push(
        [
          'POST',
          `/api/v1/cases/${caseId}/actions/reject`,
          { 'content-type': 'application/json' },
          '{"version":1,"reason":"no\\u0000pe"}',
        ],
        [
          'POST',
          `/api/v1/cases`,
          { 'content-type': 'application/json' },
          jsonText({
            channel: 'hotline',
            category: 'CM.E.01.01',
            location: { lat: 30.25, lon: 120.15 },
            description: 'bin\u0000',
          }),
        ],
      );
      const form = multipart({ ...REPORT_FIELDS, description: 'bin\u0000' });
      named.push(
        ['POST', '/api/v1/citizen/reports', { 'content-type': form.type }, form.body],
        [
          'POST',
          '/open311/v2/requests.json',
          { 'content-type': 'application/x-www-form-urlencoded' },
          'service_code=CM.E.01.01&lat=30.25&long=120.15&description=bin%00',
        ],
      );
      const wrong: string[] = [];
      for (const [method, url, headers = {}, payload] of named) {
        const who = /^\/api\/v1\/(cases|citizen)/.test(url) ? operator : admin;
        const res = await send(method, url, { headers: { ...who, ...headers }, payload });
        const why =
          fault(url, res) ?? (res.statusCode === 400 ? null : `status ${res.statusCode}, wanted 400`);
        if (why) wrong.push(`${method} ${url.slice(0, 100)}: ${why} ${res.body.slice(0, 200)}`);
      }
      assert.deepEqual(wrong, []);
    });

    test(`${BUDGET} seeded malformed requests over every operation: no 5xx, no internals, each interface's error format`, async (tc) => {
      const rnd = generator(SEED);
      const faults = new Map<string, string>();
      const statuses = new Map<number, number>();
      for (let i = 0; i < BUDGET; i++) {
        const op = rnd.pick(ops);
        const who = rnd.next();
        // Where the one malformed value goes.
        const slots = [
          ...op.params.map((p) => `${p.in}:${p.name}`),
          ...(op.body || op.method !== 'GET' ? ['body', 'raw', 'body', 'body'] : []),
        ];
        const slot = slots.length ? rnd.pick(slots) : 'none';
        let path = op.path;
        for (const p of op.params.filter((p) => p.in === 'path')) {
          const prefix = Object.keys(real).find((k) => op.path.startsWith(k));
          const value =
            slot === `path:${p.name}`
              ? hostileUrlValue(rnd)
              : encodeURIComponent(
                  prefix && p.name !== 'action' && rnd.chance(0.8)
                    ? rnd.pick(real[prefix])
                    : String(sample(p.schema, rnd, p.name)),
                );
          path = path.replace(`{${p.name}}`, value);
        }
        const query: string[] = [];
        for (const p of op.params.filter((p) => p.in === 'query')) {
          if (slot === `query:${p.name}`) {
            query.push(`${encodeURIComponent(p.name)}=${hostileUrlValue(rnd)}`);
            if (rnd.chance(0.2)) query.push(`${encodeURIComponent(p.name)}=${hostileUrlValue(rnd)}`);
          } else if (rnd.chance(0.25) && !op.path.startsWith('/open311/') && !op.path.startsWith('/ngsi-ld/'))
            query.push(
              `${encodeURIComponent(p.name)}=${encodeURIComponent(String(sample(p.schema, rnd, p.name)))}`,
            );
        }
        const url = query.length ? `${path}?${query.join('&')}` : path;
        const headers: Record<string, string> = who < 0.2 ? {} : who < 0.4 ? { ...operator } : { ...admin };
        let payload: string | Buffer | undefined;
        if (slot === 'raw') {
          const raw = rnd.pick(hostileBodies);
          headers['content-type'] = raw.type;
          payload = raw.body;
        } else if (slot === 'body' && REPORT_ROUTES.has(`${op.method} ${op.path}`) && rnd.chance(0.5)) {
          const fields: Record<string, string> = { ...REPORT_FIELDS };
          fields[rnd.pick([...Object.keys(REPORT_FIELDS), 'address', 'name', 'phone', 'email', 'case'])] = rnd
            .pick(hostileParam)
            .replace(/[\ud800-\udfff]/g, '\u0000');
          const form = multipart(fields);
          headers['content-type'] = form.type;
          payload = form.body;
        } else if (op.form) {
          const form = new URLSearchParams({
            service_code: 'CM.E.01.01',
            lat: '30.25',
            long: '120.15',
            description: 'fuzz',
          });
          if (slot === 'body')
            form.set(rnd.pick(OPEN311_PARAMS), rnd.pick(hostileParam).replace(/[\ud800-\udfff]/g, '\u0000'));
          headers['content-type'] = 'application/x-www-form-urlencoded';
          payload = form.toString();
        } else if (op.body || (slot === 'body' && op.method !== 'GET')) {
          let body = sample(op.body, rnd);
          if (slot === 'body') body = withValueAt(body, rnd.pick(pathsOf(body)), rnd.pick(hostileJson));
          headers['content-type'] =
            op.path.startsWith('/ngsi-ld/') && rnd.chance(0.3) ? 'application/ld+json' : 'application/json';
          if (
            headers['content-type'] === 'application/ld+json' &&
            body &&
            typeof body === 'object' &&
            !Array.isArray(body)
          )
            body = {
              ...(body as object),
              '@context': 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld',
            };
          payload = jsonText(body);
        }
        const res = await send(op.method, url, { headers, payload });
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        const why = fault(url, res);
        const key = `${op.method} ${op.path} [${slot}] ${why}`;
        if (why && !faults.has(key))
          faults.set(
            key,
            `#${i} ${op.method} ${url.slice(0, 160)} ${String(payload ?? '').slice(0, 160)} → ${res.body.slice(0, 200)}`,
          );
      }
      tc.diagnostic(`seed ${SEED}, statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
      const report = [...faults].map(([k, example]) => `${k}\n    e.g. ${example}`);
      assert.equal(report.length, 0, `seed ${SEED}, ${report.length} kinds of fault:\n${report.join('\n')}`);
      // Whatever the fuzz changed went through the services: the audit chain still holds.
      const chain = await verifyAuditChain(t.kernel.db);
      assert.ok(chain.ok, JSON.stringify(chain));
    });
  });
}
