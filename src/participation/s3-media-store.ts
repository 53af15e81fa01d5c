/**
 * Photos in an S3-compatible object store (AWS S3, MinIO, Ceph RGW, Cloudflare R2…), under
 * the same content names as on disk. Requests are signed with SigV4 (aws4fetch) and sent
 * with the platform's fetch: no retries (aws4fetch's own `fetch` retries 5xx ten times,
 * which would hold a citizen's POST for seconds), one timeout per request.
 */
import { createHash } from 'node:crypto';
import { AwsClient } from 'aws4fetch';
import { type Logger, UnavailableError } from '../kernel/index.ts';
import { EXTENSIONS, type ImageType } from './image-sanitizer.ts';
import { isMediaName, type MediaStore, type StoredMedia } from './media-store.ts';

/** Where and how to reach the bucket (from `UPLOAD_S3_*`, see participation-settings.ts). */
export interface S3StoreSettings {
  /** Base URL of the service, e.g. `http://127.0.0.1:9000` or `https://s3.eu-west-1.amazonaws.com`. */
  readonly endpoint: string;
  readonly bucket: string;
  /** SigV4 signing region (`us-east-1` for MinIO and most others, `auto` for R2). */
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Key prefix, empty or ending with `/`. */
  readonly prefix: string;
  /** `<endpoint>/<bucket>/<key>` when true (MinIO-friendly); `<bucket>.<endpoint host>/<key>` when false. */
  readonly forcePathStyle: boolean;
  /** Each request (head, put, get, reading the body included) is abandoned after this long. */
  readonly timeoutMs: number;
}

export interface S3MediaStoreOptions extends S3StoreSettings {
  /** Where failures are reported (operation, status, S3 error code; never keys or signatures). */
  logger?: Pick<Logger, 'warn'>;
  /** The fetch to send signed requests with (a proxy-aware one, or a recorder in tests). */
  fetch?: typeof fetch;
}

const TYPE_OF_EXT: Record<string, ImageType> = { jpg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };
/** SHA-256 of the empty payload, signed for HEAD and GET. */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

type Operation = 'head' | 'put' | 'get';

/** Stores photos as objects `<prefix><sha256>.<ext>` in one bucket. */
export class S3MediaStore implements MediaStore {
  /** Holds the secret: private, so it never shows in JSON, inspection or logs of the store. */
  readonly #client: AwsClient;
  readonly #fetch: typeof fetch;
  readonly #logger: Pick<Logger, 'warn'> | undefined;
  readonly #base: URL;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #pathStyle: boolean;
  readonly #timeoutMs: number;

  constructor(options: S3MediaStoreOptions) {
    this.#client = new AwsClient({
      accessKeyId: options.accessKeyId,
      secretAccessKey: options.secretAccessKey,
      service: 's3',
      region: options.region,
      retries: 0,
    });
    this.#fetch = options.fetch ?? fetch;
    this.#logger = options.logger;
    this.#base = new URL(options.endpoint);
    this.#bucket = options.bucket;
    this.#prefix = options.prefix;
    this.#pathStyle = options.forcePathStyle;
    this.#timeoutMs = options.timeoutMs;
  }

  /** The object URL of a media name. */
  urlOf(name: string): string {
    const url = new URL(this.#base);
    const basePath = url.pathname.replace(/\/+$/, '');
    const key = `${this.#prefix}${name}`.split('/').map(encodeURIComponent).join('/');
    if (this.#pathStyle) url.pathname = `${basePath}/${encodeURIComponent(this.#bucket)}/${key}`;
    else {
      url.hostname = `${this.#bucket}.${url.hostname}`;
      url.pathname = `${basePath}/${key}`;
    }
    return url.toString();
  }

  async put(data: Buffer, type: ImageType): Promise<StoredMedia> {
    const sha256 = createHash('sha256').update(data).digest('hex');
    const name = `${sha256}.${EXTENSIONS[type]}`;
    const stored = { name, type, size: data.length };
    // Content-addressed: an object under this name already holds these bytes. A 403 on HEAD
    // is what AWS answers for a missing object without s3:ListBucket; the PUT then decides.
    const head = await this.#send('head', name);
    if (head.ok) return stored;
    if (head.status !== 404 && head.status !== 403) throw await this.#failure('head', head);
    const res = await this.#send('put', name, {
      body: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      headers: { 'content-type': type, 'x-amz-content-sha256': sha256 },
    });
    if (!res.ok) throw await this.#failure('put', res);
    await res.body?.cancel();
    return stored;
  }

  async get(name: string): Promise<{ data: Buffer; type: ImageType } | null> {
    if (!isMediaName(name)) return null;
    const res = await this.#send('get', name);
    if (res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    if (!res.ok) throw await this.#failure('get', res);
    const data = await this.#guard('get', () => res.arrayBuffer());
    return { data: Buffer.from(data), type: TYPE_OF_EXT[name.split('.')[1]] };
  }

  /** Signs and sends one request; network failures and timeouts become a 503 domain error. */
  async #send(
    op: Operation,
    name: string,
    init: { body?: Uint8Array; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const request = await this.#client.sign(this.urlOf(name), {
      method: op.toUpperCase(),
      headers: { 'x-amz-content-sha256': EMPTY_SHA256, ...init.headers },
      body: init.body as BodyInit | undefined,
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
    return this.#guard(op, () => this.#fetch(request));
  }

  async #guard<T>(op: Operation, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      const reason =
        e.name === 'TimeoutError' || e.name === 'AbortError'
          ? `no answer within ${this.#timeoutMs} ms`
          : `could not connect${e.cause?.code ? ` (${e.cause.code})` : ''}`;
      throw this.#unavailable(op, reason);
    }
  }

  /** Reads the S3 error code of a failed answer (never its message, which may echo request data). */
  async #failure(op: Operation, res: Response): Promise<UnavailableError> {
    const text = op === 'head' ? '' : await res.text().catch(() => '');
    const code = text.match(/<Code>([A-Za-z0-9.]{1,64})<\/Code>/)?.[1];
    return this.#unavailable(op, `S3 answered ${res.status}${code ? ` ${code}` : ''}`);
  }

  /** Logs a failure (no keys, no signature) and builds the 503 the caller throws. */
  #unavailable(op: Operation, reason: string): UnavailableError {
    this.#logger?.warn(
      { op, bucket: this.#bucket, host: this.#base.host, reason },
      'photo store request failed',
    );
    return new UnavailableError(
      `The photo store could not ${op === 'get' ? 'read' : 'save'} the photo: ${reason}. Try again later.`,
      'media.store_unavailable',
    );
  }
}
