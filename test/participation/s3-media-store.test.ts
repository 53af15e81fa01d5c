/**
 * The S3-compatible photo store against a real S3-compatible server (s3rver, in-process, on
 * a port of its own): round trip, content addressing, unknown and invalid names, refused
 * credentials, a server down or silent; the `UPLOAD_S3_*` settings; and end to end, a
 * citizen's photo and a staff photo landing in the bucket and served back from it.
 * s3rver checks the access key id but not signatures, so the signer is pinned separately
 * to the example AWS documents for SigV4 on S3.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { AwsClient } from 'aws4fetch';
// @ts-expect-error s3rver ships no type declarations.
import S3rver from 's3rver';
import { ConfigError, UnavailableError } from '../../src/kernel/index.ts';
import {
  DEFAULT_PARTICIPATION_SETTINGS,
  participationSettingsFromEnv,
  S3MediaStore,
  type S3MediaStoreOptions,
  type S3StoreSettings,
} from '../../src/participation/index.ts';
import { patience } from '../support/processes.ts';
import { testBackends } from '../support/storage.ts';
import { type ParticipationFixture, participationFixture, SERVICE } from './fixture.ts';
import { hasLocationTrace, jpegWithGps, pngWithMetadata } from './images.ts';

const BUCKET = 'photos';
const SECRET = 'S3RVER';

interface RunningS3 {
  endpoint: string;
  close(): Promise<void>;
}

/** A fresh s3rver with the bucket `photos`, its files in a temporary directory. */
async function startS3(): Promise<RunningS3> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'onecity-s3rver-'));
  const srv = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: [{ name: BUCKET }],
  });
  const { port } = (await srv.run()) as { port: number };
  let open = true;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async close() {
      if (open) await srv.close();
      open = false;
      await rm(directory, { recursive: true, force: true });
    },
  };
}

const settingsFor = (endpoint: string, more: Partial<S3StoreSettings> = {}): S3StoreSettings => ({
  endpoint,
  bucket: BUCKET,
  region: 'us-east-1',
  accessKeyId: 'S3RVER',
  secretAccessKey: SECRET,
  prefix: '',
  forcePathStyle: true,
  timeoutMs: 5000,
  ...more,
});

/** Keys in the bucket under a prefix, listed with a signed ListObjectsV2 independent of the store. */
async function listKeys(endpoint: string, prefix: string): Promise<string[]> {
  const client = new AwsClient({ accessKeyId: 'S3RVER', secretAccessKey: SECRET, service: 's3', retries: 0 });
  const res = await fetch(
    await client.sign(`${endpoint}/${BUCKET}?list-type=2&prefix=${encodeURIComponent(prefix)}`),
  );
  assert.equal(res.status, 200);
  return [...(await res.text()).matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1]);
}

/** The object as stored, read with a signed GET independent of the store. */
async function readObject(endpoint: string, key: string): Promise<{ data: Buffer; type: string | null }> {
  const client = new AwsClient({ accessKeyId: 'S3RVER', secretAccessKey: SECRET, service: 's3', retries: 0 });
  const res = await fetch(await client.sign(`${endpoint}/${BUCKET}/${key}`));
  assert.equal(res.status, 200, `GET ${key}`);
  return { data: Buffer.from(await res.arrayBuffer()), type: res.headers.get('content-type') };
}

/** A fetch that records the method and URL of each request before sending it. */
function recordingFetch(answer?: (r: Request) => Response) {
  const seen: Request[] = [];
  const send = (async (input: Request) => {
    seen.push(input.clone());
    return answer ? answer(input) : fetch(input);
  }) as typeof fetch;
  return { seen, fetch: send, calls: () => seen.map((r) => `${r.method} ${new URL(r.url).pathname}`) };
}

const closedPort = async (): Promise<number> => {
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
};

const storeOf = (options: S3MediaStoreOptions) => new S3MediaStore(options);

describe('S3 photo store against s3rver', () => {
  let s3: RunningS3;
  before(async () => {
    s3 = await startS3();
  });
  after(() => s3.close());

  it('a stored photo reads back with the same bytes and type, as an object under the prefix', async () => {
    const store = storeOf(settingsFor(s3.endpoint, { prefix: 'round/' }));
    const data = pngWithMetadata();
    const stored = await store.put(data, 'image/png');
    const sha = createHash('sha256').update(data).digest('hex');
    assert.deepEqual(stored, { name: `${sha}.png`, type: 'image/png', size: data.length });
    const back = await store.get(stored.name);
    assert.ok(back);
    assert.equal(back.type, 'image/png');
    assert.ok(back.data.equals(data));
    assert.deepEqual(await listKeys(s3.endpoint, 'round/'), [`round/${stored.name}`]);
    const object = await readObject(s3.endpoint, `round/${stored.name}`);
    assert.equal(object.type, 'image/png', 'the object carries its Content-Type');
    assert.ok(object.data.equals(data));
  });

  it('the same content stored twice is one object, uploaded once', async () => {
    const rec = recordingFetch();
    const store = storeOf({ ...settingsFor(s3.endpoint, { prefix: 'twice/' }), fetch: rec.fetch });
    const data = jpegWithGps();
    const first = await store.put(data, 'image/jpeg');
    const second = await store.put(Buffer.from(data), 'image/jpeg');
    assert.deepEqual(second, first);
    assert.deepEqual(await listKeys(s3.endpoint, 'twice/'), [`twice/${first.name}`]);
    const key = `/${BUCKET}/twice/${first.name}`;
    assert.deepEqual(rec.calls(), [`HEAD ${key}`, `PUT ${key}`, `HEAD ${key}`]);
    const put = rec.seen[1];
    assert.equal(put.headers.get('content-type'), 'image/jpeg');
    assert.equal(put.headers.get('x-amz-content-sha256'), first.name.split('.')[0], 'payload hash signed');
    assert.match(
      put.headers.get('authorization') ?? '',
      /SignedHeaders=host;x-amz-content-sha256;x-amz-date/,
    );
  });

  it('an unknown name reads as null', async () => {
    const store = storeOf(settingsFor(s3.endpoint));
    assert.equal(await store.get(`${'0'.repeat(64)}.jpg`), null);
  });

  it('an invalid name reads as null without any request', async () => {
    const rec = recordingFetch();
    const store = storeOf({ ...settingsFor(s3.endpoint), fetch: rec.fetch });
    for (const name of ['../../etc/passwd', 'abc.jpg', `${'A'.repeat(64)}.jpg`, `${'0'.repeat(64)}.gif`, ''])
      assert.equal(await store.get(name), null, name);
    assert.deepEqual(rec.calls(), []);
  });

  it('a wrong access key is a 503 domain error naming the S3 code; no secret in it, the log or the store', async () => {
    const warnings: unknown[] = [];
    const secret = 'wrong-secret-never-shown-7f3a';
    const store = storeOf({
      ...settingsFor(s3.endpoint, { accessKeyId: 'NOT-A-KEY', secretAccessKey: secret }),
      logger: { warn: (obj: unknown, msg?: string) => void warnings.push([obj, msg]) } as never,
    });
    const refused = (err: unknown) => {
      assert.ok(err instanceof UnavailableError, String(err));
      assert.equal(err.code, 'media.store_unavailable');
      assert.equal(err.kind, 'unavailable');
      assert.match(err.message, /S3 answered 403 InvalidAccessKeyId/);
      assert.ok(!err.message.includes(secret) && !err.message.includes('NOT-A-KEY'));
      return true;
    };
    await assert.rejects(store.put(pngWithMetadata(), 'image/png'), refused);
    await assert.rejects(store.get(`${'1'.repeat(64)}.png`), refused);
    assert.ok(warnings.length >= 2, 'failures are logged');
    for (const shown of [JSON.stringify(warnings), JSON.stringify(store), inspect(store, { depth: 5 })])
      assert.ok(!shown.includes(secret), shown);
  });

  it('a server that is down fails at once with a 503 domain error, not a hang', async () => {
    const store = storeOf(settingsFor(`http://127.0.0.1:${await closedPort()}`));
    const started = performance.now();
    await assert.rejects(store.get(`${'2'.repeat(64)}.jpg`), (err: unknown) => {
      assert.ok(err instanceof UnavailableError);
      assert.match(err.message, /could not read the photo: could not connect \(ECONNREFUSED\)/);
      return true;
    });
    await assert.rejects(store.put(pngWithMetadata(), 'image/png'), /could not save the photo/);
    // Refused at once: not left to the operating system's connect timeout.
    assert.ok(performance.now() - started < patience(30_000));
  });

  it('a server that never answers is abandoned after the timeout', async () => {
    const silent = http.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const { port } = silent.address() as AddressInfo;
      const store = storeOf(settingsFor(`http://127.0.0.1:${port}`, { timeoutMs: 300 }));
      const started = performance.now();
      await assert.rejects(store.get(`${'3'.repeat(64)}.jpg`), (err: unknown) => {
        assert.ok(err instanceof UnavailableError);
        assert.match(err.message, /no answer within 300 ms/);
        return true;
      });
      const waited = performance.now() - started;
      // Not before the timeout, and not left to the operating system's much longer one.
      assert.ok(waited >= 250 && waited < patience(30_000), `${waited} ms`);
    } finally {
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
    }
  });
});

describe('S3 object URLs', () => {
  const name = `${'a'.repeat(64)}.webp`;
  it('are path-style by default and virtual-hosted when asked, below any endpoint path', async () => {
    const base = settingsFor('http://s3.example.test:9000/storage', { prefix: 'city/' });
    assert.equal(storeOf(base).urlOf(name), `http://s3.example.test:9000/storage/photos/city/${name}`);
    const virtual = storeOf({ ...base, forcePathStyle: false });
    assert.equal(virtual.urlOf(name), `http://photos.s3.example.test:9000/storage/city/${name}`);
  });

  it('a virtual-hosted request is signed for the bucket host', async () => {
    const rec = recordingFetch(() => new Response(null, { status: 404 }));
    const store = storeOf({
      ...settingsFor('https://s3.eu-west-1.amazonaws.com', { forcePathStyle: false, region: 'eu-west-1' }),
      fetch: rec.fetch,
    });
    assert.equal(await store.get(name), null);
    assert.equal(rec.seen[0].url, `https://photos.s3.eu-west-1.amazonaws.com/${name}`);
    assert.match(
      rec.seen[0].headers.get('authorization') ?? '',
      /^AWS4-HMAC-SHA256 Credential=S3RVER\/\d{8}\/eu-west-1\/s3\/aws4_request, SignedHeaders=host;/,
    );
  });
});

describe('SigV4 signing (aws4fetch) pinned to the AWS S3 example', () => {
  // "Signature Calculations for the Authorization Header", example "GET Object".
  const example = {
    url: 'https://examplebucket.s3.amazonaws.com/test.txt',
    headers: {
      Range: 'bytes=0-9',
      'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    },
  };
  const client = new AwsClient({
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    service: 's3',
    region: 'us-east-1',
  });

  it('reproduces the documented signature when Range is signed too', async () => {
    const signed = await client.sign(example.url, {
      method: 'GET',
      headers: example.headers,
      aws: { datetime: '20130524T000000Z', allHeaders: true },
    });
    assert.equal(
      signed.headers.get('authorization'),
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, ' +
        'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, ' +
        'Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
  });

  it('by default leaves Range unsigned (aws4fetch lists it as unsignable), hence another signature', async () => {
    // The store sends no Range and signs host, x-amz-content-sha256 and x-amz-date only.
    const signed = await client.sign(example.url, {
      method: 'GET',
      headers: example.headers,
      aws: { datetime: '20130524T000000Z' },
    });
    const auth = signed.headers.get('authorization') ?? '';
    assert.match(auth, /SignedHeaders=host;x-amz-content-sha256;x-amz-date, /);
    assert.ok(!auth.includes('f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41'));
  });
});

describe('UPLOAD_S3_* settings', () => {
  const required = {
    UPLOAD_S3_ENDPOINT: 'http://127.0.0.1:9000/',
    UPLOAD_S3_BUCKET: 'photos',
    UPLOAD_S3_ACCESS_KEY_ID: 'minio',
    UPLOAD_S3_SECRET_ACCESS_KEY: 'minio-secret-value',
  };
  const fails = (env: Record<string, string>, key: string, message: RegExp) =>
    assert.throws(
      () => participationSettingsFromEnv(env),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError, String(err));
        assert.equal(err.key, key);
        assert.match(err.message, message);
        assert.ok(!err.message.includes('minio-secret-value'));
        return true;
      },
    );

  it('are off by default and take their defaults when the endpoint is set', () => {
    assert.equal(participationSettingsFromEnv({}).uploadS3, null);
    assert.equal(DEFAULT_PARTICIPATION_SETTINGS.uploadS3, null);
    assert.deepEqual(participationSettingsFromEnv(required).uploadS3, {
      endpoint: 'http://127.0.0.1:9000',
      bucket: 'photos',
      region: 'us-east-1',
      accessKeyId: 'minio',
      secretAccessKey: 'minio-secret-value',
      prefix: '',
      forcePathStyle: true,
      timeoutMs: 10000,
    });
    const s = participationSettingsFromEnv({
      ...required,
      UPLOAD_S3_REGION: 'auto',
      UPLOAD_S3_PREFIX: 'onecity/photos',
      UPLOAD_S3_FORCE_PATH_STYLE: 'false',
      UPLOAD_S3_TIMEOUT_MS: '2500',
    }).uploadS3;
    assert.equal(s?.region, 'auto');
    assert.equal(s?.prefix, 'onecity/photos/', 'a prefix ends with /');
    assert.equal(s?.forcePathStyle, false);
    assert.equal(s?.timeoutMs, 2500);
  });

  it('a bad or missing value stops the server naming the variable, never echoing the secret', () => {
    const without = (key: keyof typeof required) => ({ ...required, [key]: '' });
    fails(without('UPLOAD_S3_BUCKET'), 'UPLOAD_S3_BUCKET', /required when UPLOAD_S3_ENDPOINT is set/);
    fails(without('UPLOAD_S3_ACCESS_KEY_ID'), 'UPLOAD_S3_ACCESS_KEY_ID', /required/);
    fails(without('UPLOAD_S3_SECRET_ACCESS_KEY'), 'UPLOAD_S3_SECRET_ACCESS_KEY', /required/);
    fails(without('UPLOAD_S3_ENDPOINT'), 'UPLOAD_S3_ENDPOINT', /must be set when UPLOAD_S3_BUCKET is/);
    fails({ ...required, UPLOAD_S3_ENDPOINT: 'minio:9000' }, 'UPLOAD_S3_ENDPOINT', /http\(s\) URL/);
    fails(
      { ...required, UPLOAD_S3_ENDPOINT: 'http://minio:minio-secret-value@127.0.0.1:9000' },
      'UPLOAD_S3_ENDPOINT',
      /must not carry credentials/,
    );
    fails({ ...required, UPLOAD_S3_BUCKET: 'My_Bucket' }, 'UPLOAD_S3_BUCKET', /S3 bucket name/);
    fails({ ...required, UPLOAD_S3_PREFIX: '../other/' }, 'UPLOAD_S3_PREFIX', /key prefix/);
    fails({ ...required, UPLOAD_S3_PREFIX: '/abs' }, 'UPLOAD_S3_PREFIX', /key prefix/);
    fails(
      { ...required, UPLOAD_S3_FORCE_PATH_STYLE: 'maybe' },
      'UPLOAD_S3_FORCE_PATH_STYLE',
      /true or false/,
    );
    fails({ ...required, UPLOAD_S3_TIMEOUT_MS: '0' }, 'UPLOAD_S3_TIMEOUT_MS', /positive integer/);
  });
});

for (const backend of testBackends()) {
  describe(`photos in an S3 bucket, end to end (${backend})`, () => {
    let s3: RunningS3;
    let fx: ParticipationFixture;
    before(async () => {
      s3 = await startS3();
      fx = await participationFixture(backend, { uploadS3: settingsFor(s3.endpoint, { prefix: 'lanhu/' }) });
    });
    after(async () => {
      await fx?.dispose();
      await s3?.close();
    });

    it("a citizen's photo lands in the bucket, not on disk, and is served back from it", async () => {
      const fd = new FormData();
      fd.append('service_code', SERVICE);
      fd.append('lat', String(fx.point.lat));
      fd.append('lon', String(fx.point.lon));
      fd.append('description', '路灯不亮');
      fd.append('photo', new Blob([new Uint8Array(jpegWithGps())], { type: 'image/jpeg' }), 'IMG_0002.jpg');
      const res = await fetch(`${fx.base}/api/v1/citizen/reports`, {
        method: 'POST',
        body: fd,
        headers: fx.as.citizen,
      });
      const body = await res.json();
      assert.equal(res.status, 201, JSON.stringify(body));
      const [name] = body.photos as string[];
      assert.match(name, /^[0-9a-f]{64}\.jpg$/);
      assert.deepEqual(await listKeys(s3.endpoint, 'lanhu/'), [`lanhu/${name}`]);
      assert.deepEqual(await readdir(fx.uploadDir), [], 'nothing written under UPLOAD_DIR');
      const object = await readObject(s3.endpoint, `lanhu/${name}`);
      assert.equal(object.type, 'image/jpeg');
      assert.ok(!hasLocationTrace(object.data), 'the sanitized photo is what is stored');
      const served = await fetch(`${fx.base}/api/v1/public/media/${name}`);
      assert.equal(served.status, 200);
      assert.equal(served.headers.get('content-type'), 'image/jpeg');
      assert.ok(Buffer.from(await served.arrayBuffer()).equals(object.data));
      assert.equal((await fetch(`${fx.base}/api/v1/public/media/${'4'.repeat(64)}.jpg`)).status, 404);
    });

    it('a staff photo lands under the staff/ prefix', async () => {
      const fd = new FormData();
      fd.append('file', new Blob([new Uint8Array(pngWithMetadata())], { type: 'image/png' }), 'after.png');
      const res = await fetch(`${fx.base}/api/v1/media`, {
        method: 'POST',
        body: fd,
        headers: fx.as.handler,
      });
      const body = await res.json();
      assert.equal(res.status, 201, JSON.stringify(body));
      const keys = await listKeys(s3.endpoint, 'lanhu/staff/');
      assert.equal(keys.length, 1);
      assert.ok(body.url.endsWith(keys[0].slice('lanhu/staff/'.length)), `${body.url} vs ${keys[0]}`);
    });

    it('with the store down, a photo request answers 503 media.store_unavailable', async () => {
      await s3.close();
      const res = await fetch(`${fx.base}/api/v1/public/media/${'5'.repeat(64)}.jpg`);
      assert.equal(res.status, 503);
      assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
      const problem = await res.json();
      assert.equal(problem.code, 'media.store_unavailable');
      assert.ok(!JSON.stringify(problem).includes(SECRET), 'no key in the answer');
    });
  });
}
