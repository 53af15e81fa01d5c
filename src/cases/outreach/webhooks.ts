/**
 * Outgoing webhooks on case events. Holders of `webhook.manage` (admins) subscribe a URL to
 * event patterns (`case.*`, `case.closed`…); the secret is shown once. Each matching event
 * gets a delivery row and a scheduler job in the transaction of the change (case-outbox.ts);
 * the job POSTs the event signed with `X-OneCity-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + '.' + body)>`
 * and `X-OneCity-Timestamp` (Unix seconds), and on failure schedules the next attempt with
 * exponential backoff. Every attempt is in the delivery log. Delivery is at least once:
 * receivers drop repeats by `X-OneCity-Delivery` or the event id. Targets must be public
 * addresses unless private ones are allowed (webhook-target.ts, the kernel's public-address.ts).
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { Selectable, Transaction } from 'kysely';
import { authorize, type Principal } from '../../identity/index.ts';
import {
  type Database,
  type Db,
  InvalidInputError,
  type Job,
  NotFoundError,
  postToPublicAddress,
} from '../../kernel/index.ts';
import type { CaseEngine } from '../case-engine.ts';
import { JOB_WEBHOOK_DELIVER } from '../store/case-outbox.ts';
import type { CaseWebhookTable, DeliveryAttempt, DeliveryStatus } from '../store/case-tables.ts';
import { assertWebhookTarget } from './webhook-target.ts';

/** Delivery policy: attempts and the backoff between them. */
export interface WebhookPolicy {
  /** Attempts before a delivery is marked failed. */
  maxAttempts: number;
  /** Delay before attempt n+1 is `baseDelaySeconds × 2^(n−1)`, capped at `maxDelaySeconds`. */
  baseDelaySeconds: number;
  maxDelaySeconds: number;
  /** Per-request timeout. */
  timeoutMs: number;
}

export const DEFAULT_WEBHOOK_POLICY: WebhookPolicy = Object.freeze({
  maxAttempts: 6,
  baseDelaySeconds: 30,
  maxDelaySeconds: 3600,
  timeoutMs: 10_000,
});

/** Seconds to wait after failed attempt `attempt` (1-based). */
export function webhookBackoffSeconds(
  attempt: number,
  policy: WebhookPolicy = DEFAULT_WEBHOOK_POLICY,
): number {
  return Math.min(policy.maxDelaySeconds, policy.baseDelaySeconds * 2 ** (attempt - 1));
}

/** The signature header value of a body sent at `timestamp` (Unix seconds). */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface WebhookInput {
  url: string;
  events: string[];
  description?: string | null;
  active?: boolean;
}

export interface WebhookView {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  active: boolean;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface DeliveryView {
  id: number;
  eventId: string;
  eventType: string;
  status: DeliveryStatus;
  attempts: number;
  responseStatus: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
  deliveredAt: string | null;
  log: DeliveryAttempt[];
}

const PATTERN = /^(\*|[a-z][a-z0-9_]*(\.[a-z0-9_]+)*(\.\*)?)$/;

/** Checks the URL's form and that its target is public (unless private targets are allowed). */
async function checkUrl(engine: CaseEngine, url: string): Promise<string> {
  const checked = checkUrlForm(url);
  await assertWebhookTarget(new URL(checked), engine.settings.webhookAllowPrivateTargets);
  return checked;
}

function checkUrlForm(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidInputError('The webhook URL is not a valid URL.', { field: 'url' }, 'webhook.bad_url');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new InvalidInputError('Webhook URLs use http or https.', { field: 'url' }, 'webhook.bad_url');
  if (parsed.username || parsed.password)
    throw new InvalidInputError(
      'Put no credentials in a webhook URL; verify the signature instead.',
      { field: 'url' },
      'webhook.bad_url',
    );
  return parsed.toString();
}

function checkEvents(events: string[]): string[] {
  if (!Array.isArray(events) || events.length === 0)
    throw new InvalidInputError('Subscribe to at least one event pattern.', { field: 'events' });
  for (const e of events)
    if (!PATTERN.test(e) || !(e === '*' || e.startsWith('case.') || e === 'case.*'))
      throw new InvalidInputError(
        `"${e}" is not a case event pattern (e.g. case.*, case.closed).`,
        { field: 'events' },
        'webhook.bad_pattern',
      );
  return [...new Set(events)];
}

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

function toView(r: Selectable<CaseWebhookTable>): WebhookView {
  return {
    id: r.id,
    url: r.url,
    events: r.events,
    description: r.description,
    active: r.active,
    createdBy: r.created_by,
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
  };
}

async function findHook(db: Db, id: string, forUpdate = false) {
  let q = db.selectFrom('case_webhook').selectAll().where('id', '=', id).where('deleted_at', 'is', null);
  if (forUpdate) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (!row) throw new NotFoundError(`Webhook ${id} not found.`, 'webhook.not_found');
  return row;
}

/** Creates a subscription; the answer carries the secret, the only time it is shown. */
export async function createWebhook(
  engine: CaseEngine,
  principal: Principal,
  input: WebhookInput,
): Promise<WebhookView & { secret: string }> {
  authorize(principal, 'webhook.manage');
  const url = await checkUrl(engine, input.url);
  const events = checkEvents(input.events);
  const now = engine.clock.now();
  const id = randomUUID();
  const secret = `whsec_${randomBytes(32).toString('base64url')}`;
  const row = await engine.db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('case_webhook')
      .values({
        id,
        url,
        events: JSON.stringify(events),
        description: input.description ?? null,
        secret,
        active: input.active ?? true,
        created_by: principal.id,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await engine.deps.appendAudit(trx, {
      actor: principal.id,
      action: 'webhook.create',
      objectType: 'webhook',
      objectId: id,
      after: { url, events, active: input.active ?? true },
      at: now,
    });
    return inserted;
  });
  return { ...toView(row), secret };
}

/** Every subscription (secrets never included). */
export async function listWebhooks(engine: CaseEngine, principal: Principal): Promise<WebhookView[]> {
  authorize(principal, 'webhook.manage');
  const rows = await engine.db
    .selectFrom('case_webhook')
    .selectAll()
    .where('deleted_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toView);
}

export async function getWebhook(engine: CaseEngine, principal: Principal, id: string): Promise<WebhookView> {
  authorize(principal, 'webhook.manage');
  return toView(await findHook(engine.db, id));
}

/** Changes a subscription; `rotateSecret` answers with a new secret (shown once). */
export async function updateWebhook(
  engine: CaseEngine,
  principal: Principal,
  id: string,
  input: Partial<WebhookInput> & { rotateSecret?: boolean },
): Promise<WebhookView & { secret?: string }> {
  authorize(principal, 'webhook.manage');
  const now = engine.clock.now();
  const patch: Record<string, unknown> = { updated_at: now };
  if (input.url !== undefined) patch.url = await checkUrl(engine, input.url);
  if (input.events !== undefined) patch.events = JSON.stringify(checkEvents(input.events));
  if (input.description !== undefined) patch.description = input.description;
  if (input.active !== undefined) patch.active = input.active;
  const secret = input.rotateSecret ? `whsec_${randomBytes(32).toString('base64url')}` : undefined;
  if (secret) patch.secret = secret;
  const row = await engine.db.transaction().execute(async (trx) => {
    const before = await findHook(trx, id, true);
    const updated = await trx
      .updateTable('case_webhook')
      .set(patch)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await engine.deps.appendAudit(trx, {
      actor: principal.id,
      action: 'webhook.update',
      objectType: 'webhook',
      objectId: id,
      before: { url: before.url, events: before.events, active: before.active },
      after: {
        url: updated.url,
        events: updated.events,
        active: updated.active,
        ...(secret ? { secretRotated: true } : {}),
      },
      at: now,
    });
    return updated;
  });
  return { ...toView(row), ...(secret ? { secret } : {}) };
}

/** Deletes a subscription; its pending deliveries are cancelled when their job runs. */
export async function deleteWebhook(engine: CaseEngine, principal: Principal, id: string): Promise<void> {
  authorize(principal, 'webhook.manage');
  const now = engine.clock.now();
  await engine.db.transaction().execute(async (trx) => {
    const before = await findHook(trx, id, true);
    await trx
      .updateTable('case_webhook')
      .set({ deleted_at: now, active: false, updated_at: now })
      .where('id', '=', id)
      .execute();
    await engine.deps.appendAudit(trx, {
      actor: principal.id,
      action: 'webhook.delete',
      objectType: 'webhook',
      objectId: id,
      before: { url: before.url, events: before.events },
      at: now,
    });
  });
}

/** The delivery log of a subscription, newest first. */
export async function listDeliveries(
  engine: CaseEngine,
  principal: Principal,
  id: string,
  options: { limit?: number; status?: DeliveryView['status'] } = {},
): Promise<{ items: DeliveryView[] }> {
  authorize(principal, 'webhook.manage');
  await findHook(engine.db, id);
  let q = engine.db
    .selectFrom('case_webhook_delivery')
    .selectAll()
    .where('webhook_id', '=', id)
    .orderBy('id', 'desc')
    .limit(Math.min(Math.max(options.limit ?? 50, 1), 500));
  if (options.status) q = q.where('status', '=', options.status);
  const rows = await q.execute();
  return {
    items: rows.map((r) => ({
      id: Number(r.id),
      eventId: r.event_id,
      eventType: r.event_type,
      status: r.status,
      attempts: r.attempts,
      responseStatus: r.response_status,
      lastError: r.last_error,
      nextAttemptAt: iso(r.next_attempt_at),
      createdAt: iso(r.created_at)!,
      deliveredAt: iso(r.delivered_at),
      log: r.log,
    })),
  };
}

/**
 * Registers the delivery job. It runs in the scheduler's transaction: it locks the
 * delivery, POSTs once, and records the attempt; a failure does not throw (which would
 * roll the log back) but schedules the next attempt itself.
 */
export function registerWebhookJobs(
  engine: CaseEngine,
  policy: WebhookPolicy = DEFAULT_WEBHOOK_POLICY,
): void {
  engine.scheduler.handle(JOB_WEBHOOK_DELIVER, async (job: Job, trx: Transaction<Database>) => {
    const { deliveryId } = job.payload as { deliveryId: number };
    const d = await trx
      .selectFrom('case_webhook_delivery')
      .selectAll()
      .where('id', '=', deliveryId)
      .forUpdate()
      .executeTakeFirst();
    if (!d || d.status === 'delivered' || d.status === 'failed' || d.status === 'cancelled') return;
    const hook = await trx
      .selectFrom('case_webhook')
      .selectAll()
      .where('id', '=', d.webhook_id)
      .executeTakeFirst();
    const now = engine.clock.now();
    if (!hook?.active || hook.deleted_at) {
      await trx
        .updateTable('case_webhook_delivery')
        .set({ status: 'cancelled', next_attempt_at: null })
        .where('id', '=', deliveryId)
        .execute();
      return;
    }
    const attempt = d.attempts + 1;
    const timestamp = String(Math.floor(now.getTime() / 1000));
    const started = performance.now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      status = await postToPublicAddress({
        url: hook.url,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'OneCity-Webhooks/1',
          'x-onecity-event': d.event_type,
          'x-onecity-delivery': String(deliveryId),
          'x-onecity-timestamp': timestamp,
          'x-onecity-signature': signWebhook(hook.secret, timestamp, d.body),
        },
        body: d.body,
        timeoutMs: policy.timeoutMs,
        allowPrivate: engine.settings.webhookAllowPrivateTargets,
      });
      if (status < 200 || status >= 300) error = `HTTP ${status}`;
    } catch (e) {
      error = String((e as Error)?.message ?? e).slice(0, 500);
    }
    const ms = Math.round(performance.now() - started);
    const entry = { attempt, at: now.toISOString(), status, error, ms };
    const log = JSON.stringify([...(d.log as unknown[]), entry]);
    if (!error) {
      await trx
        .updateTable('case_webhook_delivery')
        .set({
          status: 'delivered',
          attempts: attempt,
          response_status: status,
          last_error: null,
          log,
          delivered_at: now,
          next_attempt_at: null,
        })
        .where('id', '=', deliveryId)
        .execute();
      return;
    }
    const giveUp = attempt >= policy.maxAttempts;
    const next = giveUp ? null : new Date(now.getTime() + webhookBackoffSeconds(attempt, policy) * 1000);
    await trx
      .updateTable('case_webhook_delivery')
      .set({
        status: giveUp ? 'failed' : 'retrying',
        attempts: attempt,
        response_status: status,
        last_error: error,
        log,
        next_attempt_at: next,
      })
      .where('id', '=', deliveryId)
      .execute();
    if (next)
      await engine.scheduler.schedule(
        {
          kind: JOB_WEBHOOK_DELIVER,
          runAt: next,
          key: `webhook:${deliveryId}:${attempt + 1}`,
          payload: { deliveryId },
          maxAttempts: 3,
        },
        trx,
      );
  });
}
