/**
 * The backup archive: a gzip-compressed POSIX tar (`tar -tzf` lists it) whose first entry
 * is the manifest `onecity-backup.json`, then the embedded database's cluster under
 * `pgdata/`, the uploads under `uploads/`, and last `onecity-backup.sha256`, the SHA-256 of
 * every file in `sha256sum` format. Reading checks each header's checksum, the manifest, and
 * every file against the list, so a damaged or foreign archive is refused before anything
 * is restored. Written by hand: ustar is a few fixed-width fields, and no tar library is a
 * dependency of the platform.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { InvalidInputError } from '../kernel/index.ts';

/** The archive's first entry. */
export const MANIFEST_NAME = 'onecity-backup.json';
/** The archive's last entry: `<sha256>  <path>` per file. */
export const CHECKSUMS_NAME = 'onecity-backup.sha256';
const FORMAT = 'onecity-backup';
const FORMAT_VERSION = 1;

/** What a backup says of itself. */
export interface BackupManifest {
  format: typeof FORMAT;
  formatVersion: typeof FORMAT_VERSION;
  createdAt: string;
  /** The OneCity version that wrote it. */
  onecityVersion: string;
  engine: 'pglite';
  /** PostgreSQL major version of the cluster (its PG_VERSION file). */
  postgresVersion: string;
  /** Whether `uploads/` holds the uploaded photos, and if not, where they are. */
  uploads: { included: boolean; note: string };
}

/** One file or directory of the archive, read from `source` on disk. */
export interface ArchiveEntry {
  /** Path inside the archive, `/`-separated. */
  name: string;
  /** The file on disk; directories have none. */
  source?: string;
  directory?: boolean;
}

const BLOCK = 512;
const ZEROS = Buffer.alloc(BLOCK * 2);
/** The largest size an ustar header holds (11 octal digits). */
const MOST_BYTES = 8 ** 11 - 1;
/** Archive paths: under pgdata/ or uploads/, no empty, `.` or `..` segment. */
const ENTRY_PATH = /^(pgdata|uploads)(\/(?!\.\.?(\/|$))[^/\\\0]+)*$/;

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

/** An ustar header; long paths are split into prefix and name at a `/`. */
function header(name: string, size: number, directory: boolean, mtime: number): Buffer {
  let prefix = '';
  let base = directory ? `${name}/` : name;
  if (Buffer.byteLength(base) > 100) {
    const cut = base.lastIndexOf('/', base.length - 2);
    prefix = base.slice(0, cut);
    base = base.slice(cut + 1);
    if (cut < 0 || Buffer.byteLength(base) > 100 || Buffer.byteLength(prefix) > 155)
      throw new Error(`path too long for the archive: ${name}`);
  }
  if (size > MOST_BYTES) throw new Error(`file too large for the archive: ${name}`);
  const h = Buffer.alloc(BLOCK);
  h.write(base, 0, 100, 'utf8');
  h.write(octal(directory ? 0o700 : 0o600, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(Math.floor(mtime / 1000), 12), 136, 'ascii');
  h.write(' '.repeat(8), 148, 'ascii');
  h.write(directory ? '5' : '0', 156, 'ascii');
  h.write('ustar\0' + '00', 257, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  h.write(`${octal(checksumOf(h), 7)} `, 148, 'ascii');
  return h;
}

/** Sum of the header's bytes with its checksum field read as spaces. */
function checksumOf(h: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
  return sum;
}

const padding = (size: number) => ZEROS.subarray(0, (BLOCK - (size % BLOCK)) % BLOCK);

/**
 * The archive as a gzip stream: the manifest, the entries in the order given, the
 * checksum list. Files are read as the consumer reads; a file that changes size meanwhile
 * fails the stream rather than writing a damaged archive.
 */
export function writeArchive(manifest: BackupManifest, entries: AsyncIterable<ArchiveEntry>): Readable {
  async function* tar(): AsyncGenerator<Buffer> {
    const now = Date.now();
    const meta = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
    yield header(MANIFEST_NAME, meta.length, false, now);
    yield meta;
    yield padding(meta.length);
    const sums: string[] = [];
    for await (const entry of entries) {
      if (!ENTRY_PATH.test(entry.name)) throw new Error(`not an archive path: ${entry.name}`);
      if (entry.directory || !entry.source) {
        yield header(entry.name, 0, true, now);
        continue;
      }
      const info = await stat(entry.source);
      yield header(entry.name, info.size, false, info.mtimeMs);
      const hash = createHash('sha256');
      let read = 0;
      for await (const chunk of createReadStream(entry.source) as AsyncIterable<Buffer>) {
        read += chunk.length;
        if (read > info.size) break;
        hash.update(chunk);
        yield chunk;
      }
      if (read !== info.size) throw new Error(`${entry.source} changed while it was archived`);
      yield padding(info.size);
      sums.push(`${hash.digest('hex')}  ${entry.name}\n`);
    }
    const list = Buffer.from(sums.join(''));
    yield header(CHECKSUMS_NAME, list.length, false, now);
    yield list;
    yield padding(list.length);
    yield ZEROS;
  }
  const gzip = createGzip({ level: 6 });
  pipeline(Readable.from(tar()), gzip).catch(() => {
    // pipeline destroys `gzip` with the error, and its reader sees it.
  });
  return gzip;
}

/** Every directory and file under `root`, parents first, in a stable order. */
export async function* walk(root: string, prefix: string): AsyncGenerator<ArchiveEntry> {
  const children = await readdir(root, { withFileTypes: true });
  children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const child of children) {
    const source = path.join(root, child.name);
    const name = `${prefix}/${child.name}`;
    if (child.isDirectory()) {
      yield { name, directory: true };
      yield* walk(source, name);
    } else if (child.isFile()) yield { name, source };
  }
}

const damaged = (why: string) =>
  new InvalidInputError(`The archive is damaged: ${why}. Nothing was restored.`, { why }, 'backup.damaged');
const foreign = (why: string) =>
  new InvalidInputError(`Not a OneCity backup: ${why}. Nothing was restored.`, { why }, 'backup.foreign');

/** Reads exact byte counts from a stream of chunks. */
class ByteReader {
  #pending: Buffer[] = [];
  #buffered = 0;
  constructor(private readonly source: AsyncIterator<Buffer>) {}

  /** Exactly `n` bytes, or null at a clean end of the stream. */
  async read(n: number): Promise<Buffer | null> {
    while (this.#buffered < n) {
      const next = await this.source.next();
      if (next.done) {
        if (this.#buffered === 0) return null;
        throw damaged('it ends in the middle of an entry');
      }
      this.#pending.push(next.value);
      this.#buffered += next.value.length;
    }
    const all = this.#pending.length === 1 ? this.#pending[0] : Buffer.concat(this.#pending);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.#pending = rest.length ? [rest] : [];
    this.#buffered = rest.length;
    return out;
  }

  /** `n` bytes in pieces as they come. */
  async *take(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.#buffered === 0) {
        const next = await this.source.next();
        if (next.done) throw damaged('it ends in the middle of a file');
        this.#pending.push(next.value);
        this.#buffered += next.value.length;
      }
      const piece = this.#pending[0];
      const used = Math.min(left, piece.length);
      yield piece.subarray(0, used);
      left -= used;
      this.#buffered -= used;
      if (used === piece.length) this.#pending.shift();
      else this.#pending[0] = piece.subarray(used);
    }
  }
}

interface Header {
  name: string;
  size: number;
  directory: boolean;
}

function parseHeader(h: Buffer): Header | null {
  if (h.every((b) => b === 0)) return null;
  const field = (from: number, length: number) => {
    const raw = h.subarray(from, from + length);
    const end = raw.indexOf(0);
    return raw.subarray(0, end < 0 ? length : end).toString('utf8');
  };
  const stored = Number.parseInt(field(148, 8).trim(), 8);
  if (stored !== checksumOf(h)) throw damaged('a header fails its checksum');
  const type = field(156, 1) || '0';
  if (type !== '0' && type !== '5') throw foreign(`it holds an entry of tar type "${type}"`);
  const prefix = field(345, 155);
  const name = (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100)).replace(/\/$/, '');
  const size = Number.parseInt(field(124, 12).trim(), 8);
  if (!Number.isSafeInteger(size) || size < 0) throw damaged('a header has no size');
  return { name, size, directory: type === '5' };
}

/**
 * Unpacks an archive into `into` (which must exist) and returns its manifest. Refuses,
 * with `backup.foreign`, anything that is not a OneCity backup of a version this code
 * reads, and with `backup.damaged` an archive whose compression, headers or files do not
 * check out. On refusal `into` may hold part of the archive: the caller removes it.
 */
export async function readArchive(file: string, into: string): Promise<BackupManifest> {
  const gunzip = createGunzip();
  const source = createReadStream(file);
  source.on('error', (err) => gunzip.destroy(err));
  source.pipe(gunzip);
  try {
    return await unpack(new ByteReader(gunzip[Symbol.asyncIterator]()), into);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'Z_DATA_ERROR' && /header/.test((err as Error).message))
      throw foreign('it is not gzip-compressed');
    if (code?.startsWith('Z_') || code === 'ERR_STREAM_PREMATURE_CLOSE')
      throw damaged(`its compression is broken (${(err as Error).message})`);
    throw err;
  } finally {
    source.destroy();
    gunzip.destroy();
  }
}

async function unpack(reader: ByteReader, into: string): Promise<BackupManifest> {
  const first = await reader.read(BLOCK);
  if (!first) throw foreign('it is empty');
  let head: Header | null;
  try {
    head = parseHeader(first);
  } catch {
    throw foreign('it is not a tar archive');
  }
  if (!head || head.name !== MANIFEST_NAME || head.directory || head.size > 1_000_000)
    throw foreign(`its first entry is not ${MANIFEST_NAME}`);
  const manifest = parseManifest(await readContent(reader, head.size));
  const written = new Map<string, string>();
  for (;;) {
    const block = await reader.read(BLOCK);
    if (!block) throw damaged(`it ends before ${CHECKSUMS_NAME}`);
    head = parseHeader(block);
    if (!head) throw damaged(`it ends before ${CHECKSUMS_NAME}`);
    if (head.name === CHECKSUMS_NAME) break;
    if (!ENTRY_PATH.test(head.name)) throw foreign(`it holds ${JSON.stringify(head.name)}`);
    const target = path.join(into, ...head.name.split('/'));
    if (head.directory) {
      await mkdir(target, { recursive: true, mode: 0o700 });
      continue;
    }
    await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
    written.set(head.name, await writeContent(reader, head.size, target));
  }
  const listed = (await readContent(reader, head.size)).toString('utf8');
  const expected = new Map<string, string>();
  for (const line of listed.split('\n').filter(Boolean)) {
    const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
    if (!m) throw damaged(`${CHECKSUMS_NAME} has a malformed line`);
    expected.set(m[2], m[1]);
  }
  for (const [name, sum] of expected) {
    const got = written.get(name);
    if (got === undefined) throw damaged(`${name} is missing`);
    if (got !== sum) throw damaged(`${name} does not match its checksum`);
  }
  for (const name of written.keys()) if (!expected.has(name)) throw damaged(`${name} is not in the list`);
  return manifest;
}

function parseManifest(raw: Buffer): BackupManifest {
  let m: Partial<BackupManifest>;
  try {
    m = JSON.parse(raw.toString('utf8'));
  } catch {
    throw foreign(`${MANIFEST_NAME} is not JSON`);
  }
  if (m?.format !== FORMAT) throw foreign(`${MANIFEST_NAME} does not name the ${FORMAT} format`);
  if (m.formatVersion !== FORMAT_VERSION)
    throw foreign(
      `it is format version ${m.formatVersion}, this OneCity reads version ${FORMAT_VERSION} (made by OneCity ${m.onecityVersion})`,
    );
  if (m.engine !== 'pglite') throw foreign(`it holds a ${m.engine} database, not the embedded one`);
  return m as BackupManifest;
}

async function readContent(reader: ByteReader, size: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const piece of reader.take(size)) parts.push(Buffer.from(piece));
  await skipPadding(reader, size);
  return Buffer.concat(parts);
}

/** Writes `size` bytes to `target`; resolves to their SHA-256. */
async function writeContent(reader: ByteReader, size: number, target: string): Promise<string> {
  const hash = createHash('sha256');
  const out = await open(target, 'wx', 0o600);
  try {
    for await (const piece of reader.take(size)) {
      hash.update(piece);
      await out.write(piece);
    }
  } finally {
    await out.close();
  }
  await skipPadding(reader, size);
  return hash.digest('hex');
}

async function skipPadding(reader: ByteReader, size: number) {
  const pad = padding(size).length;
  if (pad && !(await reader.read(pad))) throw damaged('it ends in the middle of an entry');
}

/** Writes a stream to `file` through `<file>.partial`, renamed only once complete. */
export async function saveStream(stream: Readable, file: string): Promise<void> {
  const partial = `${file}.partial`;
  try {
    await pipeline(stream, createWriteStream(partial, { flags: 'wx', mode: 0o600 }));
    await rename(partial, file);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
}
