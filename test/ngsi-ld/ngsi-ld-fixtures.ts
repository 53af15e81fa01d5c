/**
 * Shared set-up of the NGSI-LD suites: the platform with identity, audit and the broker,
 * listening on a real loopback socket; API keys for a writer and a reader; an `ngsijs`
 * connection; and a notification receiver (a node:http server) that records what it gets.
 */
import { createRequire } from 'node:module';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { auditCapability } from '../../src/audit/index.ts';
import { createIdentityCapability, createUser, issueApiKey, systemActor } from '../../src/identity/index.ts';
import type { ResolveAll } from '../../src/kernel/index.ts';
import { createNgsiLdCapability, type NgsiLdSettings, NGSI_LD } from '../../src/ngsi-ld/index.ts';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { patience } from '../support/processes.ts';
import type { Backend } from '../support/storage.ts';

/** An attribute as the broker answers it in the normalized form. */
export interface NgsiAttribute {
  type: string;
  value?: unknown;
  object?: string;
  unitCode?: string;
  observedAt?: string;
}

/** An entity as the broker answers it: id, type and its attributes by name. */
export type NgsiEntity = { id: string; type: string } & { [attribute: string]: NgsiAttribute };

/** One instance of an attribute in the temporal representation. */
export interface NgsiAttributeInstance extends NgsiAttribute {
  instanceId: string;
}

/** An entity of the temporal API: each attribute the list of its instances. */
export type NgsiTemporalEntity = { id: string; type: string } & {
  [attribute: string]: NgsiAttributeInstance[];
};

/** A subscription as the broker answers it, with the status of its notifications. */
export interface NgsiSubscription {
  id: string;
  type: 'Subscription';
  status?: 'active' | 'paused' | 'expired';
  notification: {
    status?: 'ok' | 'failed';
    timesSent?: number;
    lastNotification?: string;
    lastSuccess?: string;
    lastFailure?: string;
  };
}

/** What an attribute update answers: the attributes updated and those left alone. */
interface NgsiUpdateResult {
  updated: string[];
  notUpdated: Array<{ attributeName: string; reason: string }>;
}

/** The options of a query of entities or of their history. */
type NgsiQuery = Record<string, string | number | boolean | string[]>;

/** The part of an ngsijs connection the suites use (ngsijs ships no types). */
export interface NgsiConnection {
  ld: {
    createEntity(entity: object): Promise<{ location: string }>;
    getEntity(
      options: string | { id: string; keyValues?: boolean; attrs?: string[]; '@context'?: string },
    ): Promise<{ entity: NgsiEntity }>;
    queryEntities(options: NgsiQuery): Promise<{ results: NgsiEntity[]; count?: number }>;
    deleteEntity(id: string): Promise<unknown>;
    appendEntityAttributes(
      attributes: object,
      options: { id: string; noOverwrite?: boolean },
    ): Promise<NgsiUpdateResult>;
    updateEntityAttributes(attributes: object, options: { id: string }): Promise<NgsiUpdateResult>;
    updateEntityAttribute(changes: object, options: { id: string; attribute: string }): Promise<unknown>;
    deleteEntityAttribute(options: {
      id: string;
      attribute: string;
      datasetId?: string;
      deleteAll?: boolean;
    }): Promise<unknown>;
    listTypes(): Promise<{ results: { type: 'EntityTypeList'; typeList: string[] } }>;
    getType(
      type: string,
    ): Promise<{ type: { entityCount: number; attributeDetails: Array<{ attributeName: string }> } }>;
    createTemporalEntity(entity: object): Promise<{ created: boolean }>;
    queryTemporalEntities(options: NgsiQuery): Promise<{ results: NgsiTemporalEntity[] }>;
    createSubscription(subscription: object): Promise<{ subscription: NgsiSubscription }>;
    getSubscription(
      id: string | { id: string; '@context'?: string },
    ): Promise<{ subscription: NgsiSubscription & { '@context'?: unknown; watchedAttributes?: string[] } }>;
    listSubscriptions(options: { limit?: number }): Promise<{ results: NgsiSubscription[] }>;
    updateSubscription(changes: { id: string; isActive?: boolean }): Promise<unknown>;
    deleteSubscription(id: string): Promise<unknown>;
  };
}

/** The ngsijs module: the connection and the errors its calls reject with. */
interface NgsiModule {
  Connection: new (url: string, options: { headers: Record<string, string> }) => NgsiConnection;
  AlreadyExistsError: new () => Error;
  BadRequestError: new () => Error;
  NotFoundError: new () => Error;
}

const require = createRequire(import.meta.url);
/** The ngsijs library (CommonJS, untyped: NgsiModule describes what the suites use). */
export const NGSI: NgsiModule = require('ngsijs');

export const CORE = 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld';
export const LINK_REL = 'http://www.w3.org/ns/json-ld#context';

export interface NgsiLdTestServer {
  app: TestApp;
  /** e.g. http://127.0.0.1:41234 */
  base: string;
  writerKey: string;
  readerKey: string;
  /** An ngsijs connection authenticated as the writer. */
  connection(key?: string): NgsiConnection;
  /** fetch against /ngsi-ld/v1 with the writer's key unless headers say otherwise. */
  call(path: string, init?: RequestInit & { key?: string | null }): Promise<Response>;
  waitForNotifications(): Promise<void>;
  close(): Promise<void>;
}

async function keyFor(
  app: TestApp,
  name: string,
  scopes: Array<'device.read' | 'device.write'>,
  roles: Array<'admin' | 'grid_worker'>,
) {
  const actor = systemActor(app.clock.now());
  await createUser(app.kernel.db, { username: name, displayName: name, kind: 'service', roles }, actor);
  return (await issueApiKey(app.kernel.db, { account: name, name: `${name} key`, scopes }, actor)).key;
}

/**
 * Starts the platform with the NGSI-LD broker on a loopback port; `resolve` answers for the
 * names of notification endpoints (default: the system resolver).
 */
export async function startNgsiLdServer(
  backend: Backend,
  settings: Partial<NgsiLdSettings> = {},
  clock?: TestApp['clock'],
  resolve?: ResolveAll,
): Promise<NgsiLdTestServer> {
  const app = await buildTestApp(backend, {
    capabilities: [
      createIdentityCapability(),
      auditCapability,
      createNgsiLdCapability({ settings, resolve }),
    ],
    ...(clock ? { clock } : {}),
  });
  const writerKey = await keyFor(app, 'ngsi-writer', ['device.read', 'device.write'], ['admin']);
  const readerKey = await keyFor(app, 'ngsi-reader', ['device.read'], ['grid_worker']);
  await app.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.app.server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  return {
    app,
    base,
    writerKey,
    readerKey,
    connection: (key = writerKey) => new NGSI.Connection(base, { headers: { 'X-Api-Key': key } }),
    call: (path, init = {}) => {
      const { key, headers, ...rest } = init;
      const h = new Headers(headers);
      if (key !== null && !h.has('x-api-key')) h.set('x-api-key', key ?? writerKey);
      return fetch(`${base}/ngsi-ld/v1${path}`, { ...rest, headers: h });
    },
    waitForNotifications: () => app.services(NGSI_LD).subscriptions.drain(),
    close: () => app.dispose(),
  };
}

/** A notification receiver on loopback. */
export interface Receiver {
  url: string;
  received: Array<{ headers: http.IncomingHttpHeaders; body: Record<string, unknown> }>;
  /** Resolves when `n` notifications have arrived (or rejects after `ms`). */
  waitFor(n: number, ms?: number): Promise<void>;
  /** The status to answer with (default 204). */
  status: number;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Receiver['received'] = [];
  const waiters: Array<() => void> = [];
  const receiver = { status: 204 } as Receiver;
  const server = http.createServer((req, res) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (c) => {
      data += c;
    });
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(data) });
      res.statusCode = receiver.status;
      res.end();
      for (const w of waiters.splice(0)) w();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}/notify`,
    received,
    waitFor(n: number, ms = patience(30_000)) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`expected ${n} notifications, got ${received.length}`)),
          ms,
        );
        const check = () => {
          if (received.length >= n) {
            clearTimeout(timer);
            resolve();
          } else waiters.push(check);
        };
        check();
      });
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  });
}
