/**
 * Subscriptions and notifications (ETSI GS CIM 009 §5.8, §5.11). Subscriptions live in
 * `ngsi_ld_subscription`; the active ones are kept in memory for matching. Entity changes
 * are matched after commit and notified asynchronously by HTTP POST, with a timeout, to
 * http(s) endpoints only. Endpoints must be public addresses unless
 * `NGSI_LD_ALLOW_PRIVATE_ENDPOINTS` is set (a subscriber must not reach the city's own
 * network through the broker): checked at creation and update, and at each notification on
 * the address connected to. The outcome is recorded on the subscription (`timesSent`,
 * `lastNotification`, `lastSuccess`, `lastFailure`, `status`). Periodic subscriptions
 * (`timeInterval`) run on the kernel scheduler, so with several nodes each period fires once.
 */
import { randomUUID } from 'node:crypto';
import { appendAudit } from '../audit/index.ts';
import {
  type Db,
  findNonPublicAddress,
  type Kernel,
  postToPublicAddress,
  type ResolveAll,
} from '../kernel/index.ts';
import {
  defaultInstance,
  iso,
  isUri,
  LOCATION_IRI,
  renderEntity,
  type StoredEntity,
} from './entity-model.ts';
import type { EntityChange, EntityService } from './entity-service.ts';
import { queryEntities } from './entity-store.ts';
import { type GeoQuery, matchesGeoQuery, parseGeoQuery } from './geo.ts';
import {
  type ActiveContext,
  bodyContextOf,
  type ContextRef,
  type ContextResolver,
  compactIri,
  expandTerm,
  linkHeaderFor,
  linkUrlOf,
} from './json-ld-context.ts';
import { NgsiLdError } from './ngsi-ld-errors.ts';
import { compileClientPattern, compileStoredPattern, isAcceptedPattern } from './client-pattern.ts';
import { evaluateQuery, parseQuery, type QNode, reviveQuery } from './query-language.ts';

/** A subscription as stored (names expanded). */
export interface SubscriptionBody {
  id: string;
  type: 'Subscription';
  subscriptionName?: string;
  description?: string;
  entities?: Array<{ id?: string; idPattern?: string; type: string }>;
  watchedAttributes?: string[];
  q?: string;
  qTree?: QNode;
  geoQ?: GeoQuery & { raw: Record<string, unknown> };
  timeInterval?: number;
  throttling?: number;
  expiresAt?: string;
  isActive: boolean;
  notification: {
    attributes?: string[];
    format: 'normalized' | 'keyValues';
    sysAttrs?: boolean;
    endpoint: {
      uri: string;
      accept: 'application/json' | 'application/ld+json';
      receiverInfo?: Array<{ key: string; value: string }>;
    };
  };
}

interface SubscriptionRow {
  id: string;
  body: SubscriptionBody | string;
  context: ContextRef[] | string;
  is_active: boolean;
  expires_at: Date | null;
  times_sent: number;
  times_failed: number;
  last_notification: Date | null;
  last_success: Date | null;
  last_failure: Date | null;
  notification_status: string | null;
  created_at: Date;
  modified_at: Date;
}

interface LiveSubscription {
  body: SubscriptionBody;
  ctx: ActiveContext;
  idPatterns: Array<RegExp | null>;
  lastNotificationMs: number | null;
}

export const PERIODIC_JOB = 'ngsi-ld.subscription.periodic';
const parse = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);

function bad(detail: string): never {
  throw new NgsiLdError('BadRequestData', detail);
}

export interface SubscriptionServiceOptions {
  kernel: Kernel;
  resolver: ContextResolver;
  entities: EntityService;
  notificationTimeoutMs: number;
  /** Endpoints may be loopback, private or link-local (`NGSI_LD_ALLOW_PRIVATE_ENDPOINTS`). */
  allowPrivateEndpoints: boolean;
  /** DNS answers for endpoint names (default: the system resolver). */
  resolve?: ResolveAll;
  /** Upper bound of entities in one periodic notification. */
  periodicLimit?: number;
}

/** Subscription CRUD, matching and notification delivery. */
export class SubscriptionService {
  readonly #live = new Map<string, LiveSubscription>();
  readonly #inflight = new Set<Promise<void>>();
  #stopped = false;

  constructor(private readonly o: SubscriptionServiceOptions) {}

  get #db() {
    return this.o.kernel.db;
  }

  /** Loads active subscriptions into memory and registers the periodic job. */
  async start(): Promise<void> {
    this.#stopped = false;
    const rows = await this.#db.selectFrom('ngsi_ld_subscription').selectAll().execute();
    for (const row of rows) await this.#cache(row);
    this.o.kernel.scheduler.handle(PERIODIC_JOB, async (job, trx) => {
      const id = String(job.payload.id);
      const row = await trx
        .selectFrom('ngsi_ld_subscription')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) return;
      const body = parse(row.body);
      // A job of an older version of the subscription (before a PATCH) ends its chain.
      if (!body.timeInterval || job.payload.version !== iso(row.modified_at)) return;
      const now = this.o.kernel.clock.now();
      const next = Math.max(job.runAt.getTime() + body.timeInterval * 1000, now.getTime() + 1000);
      await this.#schedulePeriodic(trx, id, new Date(next), iso(row.modified_at));
      if (!row.is_active || (row.expires_at && row.expires_at.getTime() <= now.getTime())) return;
      const live = this.#live.get(id) ?? (await this.#cache(row));
      if (!live) return;
      // Inside the job's transaction: PGlite has one connection, which the job holds.
      const entities = await this.#periodicEntities(live, trx);
      if (entities.length) this.#dispatch(live, entities);
    });
  }

  /**
   * Schedules the next periodic notification. The key carries the due time because the
   * running job is still pending while it schedules its successor.
   */
  #schedulePeriodic(db: Db, id: string, runAt: Date, version: string) {
    return this.o.kernel.scheduler.schedule(
      {
        kind: PERIODIC_JOB,
        key: `ngsi-ld.periodic:${id}:${runAt.getTime()}`,
        runAt,
        payload: { id, version },
      },
      db,
    );
  }

  /** Waits for notifications in flight (graceful stop). */
  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.allSettled([...this.#inflight]);
    this.#live.clear();
  }

  /** Resolves once every notification sent so far has been answered or timed out (tests). */
  async drain(): Promise<void> {
    while (this.#inflight.size) await Promise.allSettled([...this.#inflight]);
  }

  async #cache(row: SubscriptionRow): Promise<LiveSubscription | null> {
    const body = parse(row.body);
    body.isActive = row.is_active;
    if (body.qTree) body.qTree = reviveQuery(body.qTree);
    let ctx: ActiveContext;
    try {
      ctx = await this.o.resolver.resolve(parse(row.context));
    } catch (err) {
      this.o.kernel.logger.warn({ err, subscription: row.id }, 'NGSI-LD subscription context unavailable');
      ctx = this.o.resolver.core;
    }
    const live: LiveSubscription = {
      body,
      ctx,
      idPatterns: (body.entities ?? []).map((s) => (s.idPattern ? compileStoredPattern(s.idPattern) : null)),
      lastNotificationMs: row.last_notification ? row.last_notification.getTime() : null,
    };
    this.#live.set(row.id, live);
    return live;
  }

  /** Validates a subscription document (creation or the result of a PATCH). */
  #validate(ctx: ActiveContext, input: Record<string, unknown>, id: string): SubscriptionBody {
    if (input.type !== 'Subscription') bad('A subscription must have "type": "Subscription".');
    const entities = input.entities;
    const watched = input.watchedAttributes;
    if (entities === undefined && watched === undefined)
      bad('A subscription needs entities or watchedAttributes.');
    if (input.timeInterval !== undefined && watched !== undefined)
      bad('timeInterval and watchedAttributes cannot be combined.');
    if (input.timeInterval !== undefined && input.throttling !== undefined)
      bad('timeInterval and throttling cannot be combined.');
    const body: SubscriptionBody = {
      id,
      type: 'Subscription',
      isActive: input.isActive === undefined ? true : input.isActive === true,
      notification: { format: 'normalized', endpoint: { uri: '', accept: 'application/json' } },
    };
    if (input.isActive !== undefined && typeof input.isActive !== 'boolean')
      bad('isActive must be a boolean.');
    if (input.subscriptionName !== undefined) body.subscriptionName = String(input.subscriptionName);
    if (input.description !== undefined) body.description = String(input.description);
    if (entities !== undefined) {
      if (!Array.isArray(entities) || entities.length === 0) bad('entities must be a non-empty array.');
      body.entities = entities.map((sel) => {
        const s = sel as Record<string, unknown>;
        if (!s || typeof s !== 'object' || typeof s.type !== 'string')
          bad('Each entities selector needs a type.');
        if (s.id !== undefined && !isUri(s.id)) bad('entities[].id must be a URI.');
        if (s.idPattern !== undefined) compileClientPattern(String(s.idPattern), 'entities[].idPattern');
        return {
          type: expandTerm(ctx, s.type),
          ...(s.id ? { id: String(s.id) } : {}),
          ...(s.idPattern ? { idPattern: String(s.idPattern) } : {}),
        };
      });
    }
    if (watched !== undefined) {
      if (!Array.isArray(watched) || watched.length === 0 || !watched.every((w) => typeof w === 'string'))
        bad('watchedAttributes must be a non-empty array of attribute names.');
      body.watchedAttributes = watched.map((w) => expandTerm(ctx, w as string));
    }
    if (input.q !== undefined) {
      if (typeof input.q !== 'string') bad('q must be a string.');
      body.q = input.q;
      body.qTree = parseQuery(input.q, ctx);
    }
    if (input.geoQ !== undefined) {
      const g = input.geoQ as Record<string, unknown>;
      if (!g || typeof g !== 'object') bad('geoQ must be an object.');
      const geo = parseGeoQuery(
        String(g.georel ?? ''),
        String(g.geometry ?? ''),
        typeof g.coordinates === 'string' ? g.coordinates : JSON.stringify(g.coordinates),
        g.geoproperty ? expandTerm(ctx, String(g.geoproperty)) : LOCATION_IRI,
      );
      if (geo) body.geoQ = { ...geo, raw: g };
    }
    for (const key of ['timeInterval', 'throttling'] as const) {
      const v = input[key];
      if (v === undefined) continue;
      if (typeof v !== 'number' || !(v > 0)) bad(`${key} must be a positive number of seconds.`);
      body[key] = v;
    }
    if (body.timeInterval && !body.entities) bad('A periodic subscription (timeInterval) needs entities.');
    if (input.expiresAt !== undefined) {
      if (typeof input.expiresAt !== 'string' || Number.isNaN(Date.parse(input.expiresAt)))
        bad('expiresAt must be a date-time.');
      body.expiresAt = new Date(input.expiresAt).toISOString();
    }
    const n = input.notification as Record<string, unknown> | undefined;
    if (!n || typeof n !== 'object') bad('A subscription needs notification parameters.');
    const endpoint = n.endpoint as Record<string, unknown> | undefined;
    if (!endpoint || typeof endpoint.uri !== 'string') bad('notification.endpoint.uri is required.');
    let url: URL;
    try {
      url = new URL(endpoint.uri);
    } catch {
      bad('notification.endpoint.uri is not a URL.');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new NgsiLdError(
        'OperationNotSupported',
        'Only http and https notification endpoints are supported.',
      );
    const accept = endpoint.accept ?? 'application/json';
    if (accept !== 'application/json' && accept !== 'application/ld+json')
      bad('notification.endpoint.accept must be application/json or application/ld+json.');
    body.notification.endpoint = { uri: endpoint.uri, accept };
    if (endpoint.receiverInfo !== undefined) {
      if (
        !Array.isArray(endpoint.receiverInfo) ||
        !endpoint.receiverInfo.every(
          (r) =>
            r &&
            typeof (r as { key?: unknown }).key === 'string' &&
            typeof (r as { value?: unknown }).value === 'string',
        )
      )
        bad('notification.endpoint.receiverInfo must be a list of {key, value}.');
      body.notification.endpoint.receiverInfo = endpoint.receiverInfo as Array<{
        key: string;
        value: string;
      }>;
    }
    const format = n.format ?? 'normalized';
    if (format !== 'normalized' && format !== 'keyValues')
      bad('notification.format must be normalized or keyValues.');
    body.notification.format = format;
    if (n.attributes !== undefined) {
      if (!Array.isArray(n.attributes) || !n.attributes.every((a) => typeof a === 'string'))
        bad('notification.attributes must be a list of attribute names.');
      body.notification.attributes = n.attributes.map((a) => expandTerm(ctx, a as string));
    }
    if (n.sysAttrs !== undefined) body.notification.sysAttrs = n.sysAttrs === true;
    return body;
  }

  /**
   * Refuses an http(s) endpoint whose host is, or resolves to, a non-public address. A name
   * that does not resolve now passes: each notification resolves and checks it again. Other
   * forms are left to validation.
   */
  async #assertPublicEndpoint(uri: string): Promise<void> {
    if (this.o.allowPrivateEndpoints) return;
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return;
    const found = await findNonPublicAddress(url, this.o.resolve);
    if (!found) return;
    const { host, address } = found;
    bad(
      `notification.endpoint.uri may not target ${host === address ? address : `${host} (${address})`}: a loopback, private, link-local or otherwise non-public address (NGSI_LD_ALLOW_PRIVATE_ENDPOINTS allows them).`,
    );
  }

  /** Creates a subscription (§5.8.1); returns its id. */
  async create(ctx: ActiveContext, input: unknown, owner: string, requestId?: string): Promise<string> {
    if (!input || typeof input !== 'object' || Array.isArray(input))
      bad('A subscription must be a JSON object.');
    const raw = input as Record<string, unknown>;
    if (raw.id !== undefined && !isUri(raw.id)) bad('The subscription id must be a URI.');
    const id = (raw.id as string | undefined) ?? `urn:ngsi-ld:Subscription:${randomUUID()}`;
    const body = this.#validate(ctx, raw, id);
    await this.#assertPublicEndpoint(body.notification.endpoint.uri);
    const now = this.o.kernel.clock.now();
    await this.#db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('ngsi_ld_subscription')
        .values({
          id,
          body: JSON.stringify(body),
          context: JSON.stringify(ctx.refs),
          is_active: body.isActive,
          expires_at: body.expiresAt ?? null,
          owner,
          created_at: now,
          modified_at: now,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) throw new NgsiLdError('AlreadyExists', `Subscription ${id} already exists.`);
      if (body.timeInterval)
        await this.#schedulePeriodic(
          trx,
          id,
          new Date(now.getTime() + body.timeInterval * 1000),
          now.toISOString(),
        );
      await appendAudit(trx, {
        actor: owner,
        action: 'ngsi-ld.subscription.created',
        objectType: 'ngsi-ld-subscription',
        objectId: id,
        requestId,
        after: {
          endpoint: body.notification.endpoint.uri,
          entities: body.entities,
          watched: body.watchedAttributes,
        },
        at: now,
      });
    });
    const row = await this.#row(id);
    await this.#cache(row);
    return id;
  }

  async #row(id: string): Promise<SubscriptionRow> {
    const row = await this.#db
      .selectFrom('ngsi_ld_subscription')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new NgsiLdError('ResourceNotFound', `Subscription ${id} not found.`);
    return row;
  }

  /** Renders a subscription with the request's context. */
  render(ctx: ActiveContext, row: SubscriptionRow, sysAttrs = false): Record<string, unknown> {
    const b = parse(row.body);
    const now = this.o.kernel.clock.now().getTime();
    const expired = !!row.expires_at && row.expires_at.getTime() <= now;
    const out: Record<string, unknown> = { id: b.id, type: 'Subscription' };
    if (b.subscriptionName) out.subscriptionName = b.subscriptionName;
    if (b.description) out.description = b.description;
    if (b.entities) out.entities = b.entities.map((s) => ({ ...s, type: compactIri(ctx, s.type) }));
    if (b.watchedAttributes) out.watchedAttributes = b.watchedAttributes.map((a) => compactIri(ctx, a));
    if (b.q) out.q = b.q;
    if (b.geoQ) out.geoQ = b.geoQ.raw;
    if (b.timeInterval) out.timeInterval = b.timeInterval;
    if (b.throttling) out.throttling = b.throttling;
    if (b.expiresAt) out.expiresAt = b.expiresAt;
    out.isActive = row.is_active;
    out.status = expired ? 'expired' : row.is_active ? 'active' : 'paused';
    const notification: Record<string, unknown> = {
      ...(b.notification.attributes
        ? { attributes: b.notification.attributes.map((a) => compactIri(ctx, a)) }
        : {}),
      format: b.notification.format,
      ...(b.notification.sysAttrs ? { sysAttrs: true } : {}),
      endpoint: b.notification.endpoint,
      timesSent: row.times_sent,
      timesFailed: row.times_failed,
    };
    if (row.last_notification) notification.lastNotification = iso(row.last_notification);
    if (row.last_success) notification.lastSuccess = iso(row.last_success);
    if (row.last_failure) notification.lastFailure = iso(row.last_failure);
    if (row.notification_status) notification.status = row.notification_status;
    out.notification = notification;
    const refs = parse(row.context);
    if (refs.length) out.jsonldContext = refs.find((r) => typeof r === 'string') ?? undefined;
    if (sysAttrs) {
      out.createdAt = iso(row.created_at);
      out.modifiedAt = iso(row.modified_at);
    }
    return out;
  }

  /** Retrieves a subscription. */
  async retrieve(ctx: ActiveContext, id: string, sysAttrs = false): Promise<Record<string, unknown>> {
    return this.render(ctx, await this.#row(id), sysAttrs);
  }

  /** Lists subscriptions with paging; returns the page and the total. */
  async list(ctx: ActiveContext, limit: number, offset: number, sysAttrs = false) {
    const rows = await this.#db
      .selectFrom('ngsi_ld_subscription')
      .selectAll()
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit)
      .offset(offset)
      .execute();
    const total = await this.#db
      .selectFrom('ngsi_ld_subscription')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return { items: rows.map((r) => this.render(ctx, r, sysAttrs)), total: Number(total.n) };
  }

  /** Updates a subscription (§5.8.2): given members replace the stored ones. */
  async update(
    ctx: ActiveContext,
    id: string,
    patch: unknown,
    actor: string,
    requestId?: string,
  ): Promise<void> {
    if (!patch || typeof patch !== 'object' || Array.isArray(patch)) bad('The update must be a JSON object.');
    const p = patch as Record<string, unknown>;
    if (p.id !== undefined && p.id !== id) bad('The subscription id cannot change.');
    // Only the patch can bring a new endpoint (PATCH replaces `endpoint` whole); checked
    // before the transaction so no row stays locked while a name resolves.
    const endpoint = (p.notification as { endpoint?: { uri?: unknown } } | undefined)?.endpoint;
    if (typeof endpoint?.uri === 'string') await this.#assertPublicEndpoint(endpoint.uri);
    const now = this.o.kernel.clock.now();
    await this.#db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('ngsi_ld_subscription')
        .selectAll()
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
      if (!row) throw new NgsiLdError('ResourceNotFound', `Subscription ${id} not found.`);
      const storedCtx = await this.o.resolver.resolve(parse(row.context));
      const current = this.render(storedCtx, row);
      const merged: Record<string, unknown> = { ...current, ...p, type: 'Subscription' };
      if (p.notification && typeof p.notification === 'object')
        merged.notification = { ...(current.notification as object), ...(p.notification as object) };
      // Names in the patch are read with the request's context, the rest with the stored one.
      const expandCtx = Object.keys(p).some((k) =>
        ['entities', 'watchedAttributes', 'q', 'notification'].includes(k),
      )
        ? ctx
        : storedCtx;
      const body = this.#validate(expandCtx, merged, id);
      await trx
        .updateTable('ngsi_ld_subscription')
        .set({
          body: JSON.stringify(body),
          context: JSON.stringify(expandCtx.refs),
          is_active: body.isActive,
          expires_at: body.expiresAt ?? null,
          modified_at: now,
        })
        .where('id', '=', id)
        .execute();
      if (body.timeInterval)
        await this.#schedulePeriodic(
          trx,
          id,
          new Date(now.getTime() + body.timeInterval * 1000),
          now.toISOString(),
        );
      await appendAudit(trx, {
        actor,
        action: 'ngsi-ld.subscription.updated',
        objectType: 'ngsi-ld-subscription',
        objectId: id,
        requestId,
        after: p,
        at: now,
      });
    });
    await this.#cache(await this.#row(id));
  }

  /** Deletes a subscription. */
  async delete(id: string, actor: string, requestId?: string): Promise<void> {
    const now = this.o.kernel.clock.now();
    await this.#db.transaction().execute(async (trx) => {
      const res = await trx.deleteFrom('ngsi_ld_subscription').where('id', '=', id).executeTakeFirst();
      if (Number(res.numDeletedRows) === 0)
        throw new NgsiLdError('ResourceNotFound', `Subscription ${id} not found.`);
      await appendAudit(trx, {
        actor,
        action: 'ngsi-ld.subscription.deleted',
        objectType: 'ngsi-ld-subscription',
        objectId: id,
        requestId,
        at: now,
      });
    });
    this.#live.delete(id);
  }

  #selects(live: LiveSubscription, e: StoredEntity): boolean {
    const sels = live.body.entities;
    if (!sels) return true;
    return sels.some(
      (s, i) =>
        s.type === e.type &&
        (!s.id || s.id === e.id) &&
        (!live.idPatterns[i] || live.idPatterns[i]!.test(e.id)),
    );
  }

  #matches(live: LiveSubscription, change: EntityChange): boolean {
    const b = live.body;
    if (change.kind === 'deleted') return false;
    if (!this.#selects(live, change.entity)) return false;
    if (b.watchedAttributes && !change.attrs.some((a) => b.watchedAttributes!.includes(a))) return false;
    if (b.qTree && !evaluateQuery(b.qTree, change.entity.attrs)) return false;
    if (b.geoQ && !matchesGeoQuery(b.geoQ, defaultInstance(change.entity.attrs[b.geoQ.geoproperty])?.value))
      return false;
    return true;
  }

  /** Called after a commit with what changed: notifies matching subscriptions. */
  entitiesChanged(changes: EntityChange[]): void {
    if (this.#stopped || this.#live.size === 0) return;
    const nowMs = this.o.kernel.clock.now().getTime();
    for (const live of this.#live.values()) {
      const b = live.body;
      if (!b.isActive || b.timeInterval) continue;
      if (b.expiresAt && Date.parse(b.expiresAt) <= nowMs) continue;
      const matched = changes.filter((c) => this.#matches(live, c)).map((c) => c.entity);
      if (matched.length === 0) continue;
      if (
        b.throttling &&
        live.lastNotificationMs !== null &&
        nowMs - live.lastNotificationMs < b.throttling * 1000
      )
        continue;
      this.#dispatch(live, matched);
    }
  }

  async #periodicEntities(live: LiveSubscription, db: Db): Promise<StoredEntity[]> {
    const out = new Map<string, StoredEntity>();
    const limit = this.o.periodicLimit ?? 1000;
    for (const sel of live.body.entities ?? []) {
      // A stored idPattern that today's limits refuse matches nothing here as in change matching.
      if (sel.idPattern && !isAcceptedPattern(sel.idPattern)) continue;
      const { entities } = await queryEntities(db, {
        types: [sel.type],
        ids: sel.id ? [sel.id] : undefined,
        idPattern: sel.idPattern,
        q: live.body.qTree,
        geo: live.body.geoQ,
        limit,
        offset: 0,
      });
      for (const e of entities) out.set(e.id, e);
    }
    return [...out.values()];
  }

  #dispatch(live: LiveSubscription, entities: StoredEntity[]): void {
    live.lastNotificationMs = this.o.kernel.clock.now().getTime();
    const p = this.#send(live, entities).finally(() => this.#inflight.delete(p));
    this.#inflight.add(p);
  }

  async #send(live: LiveSubscription, entities: StoredEntity[]): Promise<void> {
    const b = live.body;
    const { clock, logger } = this.o.kernel;
    const notifiedAt = clock.now();
    const ld = b.notification.endpoint.accept === 'application/ld+json';
    const attrs = b.notification.attributes ? new Set(b.notification.attributes) : null;
    const context = ld ? bodyContextOf(live.ctx) : undefined;
    const data = entities.map((e) => {
      const rendered = renderEntity(live.ctx, e, {
        keyValues: b.notification.format === 'keyValues',
        sysAttrs: b.notification.sysAttrs,
        attrs,
      });
      // As application/ld+json each entity is a JSON-LD document of its own (§6.3.5).
      return ld ? { ...rendered, '@context': context } : rendered;
    });
    const payload: Record<string, unknown> = {
      id: `urn:ngsi-ld:Notification:${randomUUID()}`,
      type: 'Notification',
      subscriptionId: b.id,
      notifiedAt: notifiedAt.toISOString(),
      data,
    };
    if (ld) payload['@context'] = context;
    const headers: Record<string, string> = {
      'content-type': ld ? 'application/ld+json' : 'application/json',
    };
    if (!ld) headers.link = linkHeaderFor(linkUrlOf(live.ctx));
    for (const { key, value } of b.notification.endpoint.receiverInfo ?? [])
      if (!/^(host|content-length|content-type|connection|transfer-encoding)$/i.test(key))
        headers[key] = value;
    let ok = false;
    try {
      // A refused endpoint (non-public at connection time) fails like an unreachable one.
      const status = await postToPublicAddress({
        url: b.notification.endpoint.uri,
        headers,
        body: JSON.stringify(payload),
        timeoutMs: this.o.notificationTimeoutMs,
        allowPrivate: this.o.allowPrivateEndpoints,
        resolve: this.o.resolve,
      });
      ok = status >= 200 && status < 300;
    } catch (err) {
      logger.warn({ err: (err as Error).message, subscription: b.id }, 'NGSI-LD notification failed');
    }
    const at = clock.now();
    try {
      await this.#db
        .updateTable('ngsi_ld_subscription')
        .set((eb) => ({
          times_sent: eb('times_sent', '+', 1),
          times_failed: ok ? eb.ref('times_failed') : eb('times_failed', '+', 1),
          last_notification: notifiedAt,
          ...(ok ? { last_success: at } : { last_failure: at }),
          notification_status: ok ? 'ok' : 'failed',
        }))
        .where('id', '=', b.id)
        .execute();
    } catch (err) {
      // The database may be closing during shutdown; the status is advisory.
      logger.debug({ err }, 'NGSI-LD notification status not recorded');
    }
  }
}
