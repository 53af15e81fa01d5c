/**
 * JSON-LD contexts for NGSI-LD: resolution (embedded core context, an offline store of
 * well-known contexts, and remote contexts only from an allow-list of hosts) and term
 * expansion/compaction. NGSI-LD contexts are flat maps of terms to IRIs, so the broker
 * implements exactly that subset of JSON-LD 1.1 processing: term definitions (string or
 * `{"@id"}`), compact IRIs (`prefix:suffix`), absolute IRIs, and the core context's
 * `@vocab` for undefined terms. The core context is always applied last (it is protected).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NgsiLdError } from './ngsi-ld-errors.ts';

/** A context reference as a client gives it: a URL or an inline context object. */
export type ContextRef = string | Record<string, unknown>;

/** The context a request is processed with. */
export interface ActiveContext {
  /** term → expanded IRI (keyword aliases such as `id` excluded). */
  readonly terms: ReadonlyMap<string, string>;
  /** expanded IRI → preferred term. */
  readonly reverse: ReadonlyMap<string, string>;
  readonly vocab: string;
  /** What the client sent, for echoing in responses (empty: core only). */
  readonly refs: readonly ContextRef[];
}

const CONTEXTS_DIR = fileURLToPath(new URL('./contexts/', import.meta.url));
const CORE_FILE = 'ngsi-ld-core-context-v1.8.jsonld';

/** The URL this broker names its core context by. */
export const CORE_CONTEXT_URL = 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld';

/** Every published core context URL; all resolve to the embedded v1.8 document. */
export const CORE_CONTEXT_URLS: ReadonlySet<string> = new Set([
  'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld',
  ...['1.3', '1.4', '1.5', '1.6', '1.7', '1.8'].map(
    (v) => `https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v${v}.jsonld`,
  ),
]);

const JSON_LD_CONTEXT_REL = 'http://www.w3.org/ns/json-ld#context';

/** The embedded core context document. */
export const CORE_CONTEXT_DOCUMENT = JSON.parse(readFileSync(path.join(CONTEXTS_DIR, CORE_FILE), 'utf8')) as {
  '@context': Record<string, unknown>;
};

export interface ContextResolverOptions {
  /** Extra offline store folder holding an `index.json` (URL → file). */
  contextDir?: string | null;
  /** Hosts (`host` or `host:port`) remote contexts may be fetched from; empty: none. */
  remoteHosts?: readonly string[];
  remoteTimeoutMs?: number;
  remoteMaxBytes?: number;
  /** How long a fetched remote context is reused. */
  remoteCacheMs?: number;
  now?: () => number;
}

type TermDefs = Map<string, string | null>;

const MAX_DEPTH = 8;

function readStore(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const indexFile = path.join(dir, 'index.json');
  if (!existsSync(indexFile)) return out;
  const index = JSON.parse(readFileSync(indexFile, 'utf8')) as Record<string, string>;
  for (const [url, file] of Object.entries(index)) {
    if (url.startsWith('$')) continue;
    const resolved = path.resolve(dir, file);
    if (!resolved.startsWith(path.resolve(dir)))
      throw new Error(`NGSI-LD context store: ${file} is outside ${dir}`);
    out.set(url, resolved);
  }
  return out;
}

/** Resolves contexts and caches the result of each distinct list of references. */
export class ContextResolver {
  readonly #store = new Map<string, string>();
  readonly #documents = new Map<string, unknown>();
  readonly #remote = new Map<string, { at: number; doc: unknown }>();
  readonly #active = new Map<string, ActiveContext>();
  readonly #coreDefs: TermDefs;
  readonly #options: Required<Omit<ContextResolverOptions, 'contextDir'>>;
  /** The context of requests that send none. */
  readonly core: ActiveContext;

  constructor(options: ContextResolverOptions = {}) {
    this.#options = {
      remoteHosts: options.remoteHosts ?? [],
      remoteTimeoutMs: options.remoteTimeoutMs ?? 3000,
      remoteMaxBytes: options.remoteMaxBytes ?? 256 * 1024,
      remoteCacheMs: options.remoteCacheMs ?? 3_600_000,
      now: options.now ?? Date.now,
    };
    for (const [url, file] of readStore(CONTEXTS_DIR)) this.#store.set(url, file);
    if (options.contextDir)
      for (const [url, file] of readStore(options.contextDir)) this.#store.set(url, file);
    this.#coreDefs = new Map();
    this.#collect(CORE_CONTEXT_DOCUMENT['@context'], this.#coreDefs, 0, new Set());
    this.core = this.#build(new Map(), []);
  }

  /** True when a URL is served from the embedded or offline store (no network). */
  isOffline(url: string): boolean {
    return CORE_CONTEXT_URLS.has(url) || this.#store.has(url);
  }

  /** The active context for a list of references (core only when empty). */
  async resolve(refs: readonly ContextRef[]): Promise<ActiveContext> {
    const user = refs.filter((r) => !(typeof r === 'string' && CORE_CONTEXT_URLS.has(r)));
    if (user.length === 0) return refs.length === 0 ? this.core : { ...this.core, refs };
    const key = JSON.stringify(refs);
    const cached = this.#active.get(key);
    if (cached) return cached;
    const defs: TermDefs = new Map();
    let cacheable = true;
    for (const ref of user) {
      if (typeof ref === 'string' && !this.isOffline(ref)) cacheable = false;
      await this.#collectAsync(ref, defs, 0, new Set());
    }
    const active = this.#build(defs, refs);
    if (cacheable) {
      if (this.#active.size > 500) this.#active.clear();
      this.#active.set(key, active);
    }
    return active;
  }

  async #collectAsync(ref: unknown, defs: TermDefs, depth: number, seen: Set<string>): Promise<void> {
    if (depth > MAX_DEPTH) throw new NgsiLdError('BadRequestData', 'The @context nests too deeply.');
    if (Array.isArray(ref)) {
      for (const r of ref) await this.#collectAsync(r, defs, depth + 1, seen);
      return;
    }
    if (typeof ref === 'string') {
      if (CORE_CONTEXT_URLS.has(ref)) return;
      if (seen.has(ref)) return;
      seen.add(ref);
      const doc = await this.#load(ref);
      const inner = (doc as { '@context'?: unknown })?.['@context'];
      if (inner === undefined)
        throw new NgsiLdError('LdContextNotAvailable', `The document at ${ref} has no @context.`);
      await this.#collectAsync(inner, defs, depth + 1, seen);
      return;
    }
    if (ref && typeof ref === 'object') {
      this.#collectObject(ref as Record<string, unknown>, defs);
      return;
    }
    if (ref === null) return;
    throw new NgsiLdError('BadRequestData', 'An @context must be a URL, an object or an array of them.');
  }

  /** Synchronous collection for documents already in memory (the core context). */
  #collect(ref: unknown, defs: TermDefs, depth: number, seen: Set<string>): void {
    if (Array.isArray(ref)) for (const r of ref) this.#collect(r, defs, depth + 1, seen);
    else if (ref && typeof ref === 'object') this.#collectObject(ref as Record<string, unknown>, defs);
  }

  #collectObject(obj: Record<string, unknown>, defs: TermDefs): void {
    for (const [term, def] of Object.entries(obj)) {
      if (term.startsWith('@')) continue;
      if (typeof def === 'string') defs.set(term, def);
      else if (def === null) defs.set(term, null);
      else if (def && typeof def === 'object' && typeof (def as { '@id'?: unknown })['@id'] === 'string')
        defs.set(term, (def as { '@id': string })['@id']);
      else if (def && typeof def === 'object' && (def as { '@reverse'?: unknown })['@reverse'] === undefined)
        defs.set(term, null);
    }
  }

  #build(userDefs: TermDefs, refs: readonly ContextRef[]): ActiveContext {
    // The core context comes last: its terms win over user definitions.
    const merged: TermDefs = new Map([...userDefs, ...this.#coreDefs]);
    const vocab = String(CORE_CONTEXT_DOCUMENT['@context']['@vocab']);
    const terms = new Map<string, string>();
    const expandValue = (value: string, guard = 0): string => {
      if (value.startsWith('@')) return value;
      const colon = value.indexOf(':');
      if (colon > 0) {
        const prefix = value.slice(0, colon);
        const suffix = value.slice(colon + 1);
        const pv = merged.get(prefix);
        if (!suffix.startsWith('//') && typeof pv === 'string' && guard < 8)
          return expandValue(pv, guard + 1) + suffix;
        return value;
      }
      const tv = merged.get(value);
      if (typeof tv === 'string' && tv !== value && guard < 8) return expandValue(tv, guard + 1);
      return vocab + value;
    };
    for (const [term, def] of merged) {
      if (def === null) continue;
      const iri = expandValue(def);
      if (iri.startsWith('@')) continue;
      terms.set(term, iri);
    }
    const reverse = new Map<string, string>();
    for (const [term, iri] of terms) if (this.#coreDefs.has(term)) reverse.set(iri, term);
    for (const [term, iri] of terms)
      if (!this.#coreDefs.has(term) && !reverse.has(iri)) reverse.set(iri, term);
    return { terms, reverse, vocab, refs };
  }

  async #load(url: string): Promise<unknown> {
    const file = this.#store.get(url);
    if (file) {
      let doc = this.#documents.get(url);
      if (!doc) {
        doc = JSON.parse(readFileSync(file, 'utf8'));
        this.#documents.set(url, doc);
      }
      return doc;
    }
    return this.#fetchRemote(url);
  }

  async #fetchRemote(url: string): Promise<unknown> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new NgsiLdError('BadRequestData', `The @context reference ${url} is not a URL.`);
    }
    if (
      (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') ||
      !this.#options.remoteHosts.includes(parsed.host) ||
      parsed.username ||
      parsed.password
    )
      throw new NgsiLdError(
        'LdContextNotAvailable',
        `The context ${url} is not in the offline store and its host is not allowed for remote contexts.`,
      );
    const now = this.#options.now();
    const cached = this.#remote.get(url);
    if (cached && now - cached.at < this.#options.remoteCacheMs) return cached.doc;
    try {
      const response = await fetch(parsed, {
        redirect: 'error',
        headers: { accept: 'application/ld+json, application/json' },
        signal: AbortSignal.timeout(this.#options.remoteTimeoutMs),
      });
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
      const declared = Number(response.headers.get('content-length') ?? 0);
      if (declared > this.#options.remoteMaxBytes) throw new Error('too large');
      const chunks: Uint8Array[] = [];
      let size = 0;
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        size += chunk.byteLength;
        if (size > this.#options.remoteMaxBytes) throw new Error('too large');
        chunks.push(chunk);
      }
      const doc = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      if (this.#remote.size > 100) this.#remote.clear();
      this.#remote.set(url, { at: now, doc });
      return doc;
    } catch (err) {
      throw new NgsiLdError(
        'LdContextNotAvailable',
        `The context ${url} could not be retrieved: ${(err as Error).message}`,
      );
    }
  }
}

/** The expanded IRI of a term (attribute name, type name). */
export function expandTerm(ctx: ActiveContext, term: string): string {
  const iri = ctx.terms.get(term);
  if (iri) return iri;
  const colon = term.indexOf(':');
  if (colon > 0) {
    const prefix = ctx.terms.get(term.slice(0, colon));
    const suffix = term.slice(colon + 1);
    if (prefix && !suffix.startsWith('//')) return prefix + suffix;
    return term;
  }
  return ctx.vocab + term;
}

/** The term of an expanded IRI under the context (the IRI itself when no term maps to it). */
export function compactIri(ctx: ActiveContext, iri: string): string {
  const term = ctx.reverse.get(iri);
  if (term) return term;
  if (iri.startsWith(ctx.vocab)) return iri.slice(ctx.vocab.length);
  return iri;
}

/**
 * Parses a `Link` header and returns the JSON-LD context URL it carries, if any.
 * More than one context link is a BadRequestData (§6.3.5).
 */
export function contextFromLinkHeader(header: string | string[] | undefined): string | null {
  if (!header) return null;
  const values = Array.isArray(header) ? header : [header];
  const found: string[] = [];
  for (const value of values) {
    for (const part of value.split(/,(?=\s*<)/)) {
      const m = /^\s*<([^>]*)>(.*)$/.exec(part);
      if (!m) continue;
      const params = m[2];
      const rel = /;\s*rel\s*=\s*"?([^";]+)"?/i.exec(params)?.[1];
      if (rel === JSON_LD_CONTEXT_REL) found.push(m[1].trim());
    }
  }
  if (found.length > 1)
    throw new NgsiLdError('BadRequestData', 'Only one JSON-LD context Link header is allowed.');
  if (found.length === 1) {
    try {
      new URL(found[0]);
    } catch {
      throw new NgsiLdError('BadRequestData', `The Link header context ${found[0]} is not a URL.`);
    }
    return found[0];
  }
  return null;
}

/** A `Link` header value naming a context. */
export function linkHeaderFor(url: string): string {
  return `<${url}>; rel="${JSON_LD_CONTEXT_REL}"; type="application/ld+json"`;
}

/**
 * The `@context` value to put in an `application/ld+json` body (§6.3.5): exactly the context
 * the request was processed with — the Link header's URL, or the body's `@context` as given —
 * or the core context when the request named none. Not followed by the core context: a
 * client that compares or caches contexts gets back what it sent.
 */
export function bodyContextOf(ctx: ActiveContext): ContextRef | ContextRef[] {
  if (ctx.refs.length === 0) return CORE_CONTEXT_URL;
  return ctx.refs.length === 1 ? ctx.refs[0] : [...ctx.refs];
}

/**
 * The URL to put in a `Link` header of an `application/json` response: the request's one
 * context URL as given (a core context URL too), else its one user context URL beside core
 * ones, else the core context.
 */
export function linkUrlOf(ctx: ActiveContext): string {
  if (ctx.refs.length === 1 && typeof ctx.refs[0] === 'string') return ctx.refs[0];
  const urls = ctx.refs.filter((r): r is string => typeof r === 'string' && !CORE_CONTEXT_URLS.has(r));
  return urls.length === 1 && ctx.refs.every((r) => typeof r === 'string') ? urls[0] : CORE_CONTEXT_URL;
}
