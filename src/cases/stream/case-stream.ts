/**
 * Live updates: `GET /api/v1/stream` as server-sent events. Each node's hub tails the case
 * event log (`case_event`) for its streams: it reads every event above the last one it read,
 * in `seq` order, whenever the bus (NATS across nodes when configured) says that something
 * was published, and at least every `pollMs` while streams are open. For each event it sends
 * a frame to the connections allowed to see the case (same rule as reading the case:
 * jurisdiction, department, own report). Frames carry the event and a case summary without
 * reporter data; the address is masked for callers without `pii.read`.
 *
 * Order and resumption: an event's `seq` is taken under the commit-order lock (see
 * case-outbox.ts), so seqs follow commit order and "every event above n" never skips one
 * that commits later. A frame's SSE `id` is its seq; a stream sends strictly increasing ids.
 * Reconnecting with `Last-Event-ID: n`, a client first gets every event above n it may see
 * (up to `replayLimit`; beyond that one `stream.gap` frame says what it missed), then the
 * live ones: nothing lost, nothing twice.
 *
 * Auth: `Authorization: Bearer …`, or `?token=` with a ticket from
 * `POST /api/v1/stream/tokens` (EventSource cannot send headers). A ticket lives 60 s and
 * may open (and re-open) streams until then, while the session or API key it was issued
 * under is still valid; the logger redacts `token=` from URLs. A stream ends when its
 * credential does: logout, revoking the session or key, any change to its user
 * (`identity.principal_invalidated` on the bus, from any node).
 *
 * Limits: at most `maxPerPrincipal` streams per caller and `maxPerNode` per node, counted
 * from when a stream is let in until it closes; one more is refused with 429.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { sql } from 'kysely';
import {
  identityEvents,
  inJurisdiction,
  invalidationOf,
  maskPersonalData,
  PRINCIPAL_INVALIDATED,
  type Principal,
  type PrincipalInvalidation,
  principalForApiKeyId,
  principalForSessionId,
} from '../../identity/index.ts';
import { type PlatformEvent, TooManyRequestsError, UnauthenticatedError } from '../../kernel/index.ts';
import type { CaseEngine } from '../case-engine.ts';
import { type CaseReach, caseReadReach } from '../store/case-store.ts';

export interface StreamOptions {
  heartbeatMs: number;
  /** A stream is closed after this long; the client reconnects with fresh credentials. */
  maxStreamMs: number;
  /** Most events a resumed stream catches up on; past that it gets a `stream.gap` frame. */
  replayLimit: number;
  /** How often the hub reads the log while streams are open, besides the bus's wake-ups. */
  pollMs: number;
  ticketSeconds: number;
  /** Most streams one caller (user or service account) may have open on a node. */
  maxPerPrincipal: number;
  /** Most streams a node serves at once. */
  maxPerNode: number;
}

export const DEFAULT_STREAM_OPTIONS: StreamOptions = Object.freeze({
  heartbeatMs: 15_000,
  maxStreamMs: 3_600_000,
  replayLimit: 10_000,
  pollMs: 1000,
  ticketSeconds: 60,
  maxPerPrincipal: 8,
  maxPerNode: 2000,
});

/**
 * The Retry-After of a refused stream. A place frees only when a stream ends, which may
 * take an hour (`maxStreamMs`); half a minute keeps a retrying client from hammering.
 */
const STREAM_RETRY_AFTER_SECONDS = 30;

/** Who opens a stream: the principal and the credential it came with, whose end ends the stream. */
export interface StreamHolder {
  principal: Principal;
  sessionId?: string;
  apiKeyId?: string;
}

/** A place among a node's streams, taken before the response is handed to the hub. */
export interface StreamSlot {
  readonly holder: StreamHolder;
}

/** Events read from the log per statement. */
const PAGE = 500;

interface CaseInfo {
  seq: number;
  case_id: string;
  number: string;
  state: string;
  category: string;
  light: string | null;
  grid_code: string | null;
  district_code: string | null;
  lead_department: string | null;
  assist_departments: string[];
  reported_by: string;
  address: string | null;
  reporter_users: string[] | null;
  summoned: string[] | null;
  event: PlatformEvent;
  /** Its frames built so far, by address form (see `frame`). */
  frames?: Map<string, string>;
}

interface Connection extends StreamSlot {
  /** What the caller may read (`caseReadReach`): its jurisdiction, or its own reports. */
  reach: CaseReach;
  /** What the per-caller limit counts by. */
  callerKey: string;
  /** Set by `open`; a slot not yet opened has none. */
  res: ServerResponse | null;
  /** The highest seq this stream has passed: sent, or not the caller's to see. */
  cursor: number;
  closed: boolean;
  /** While a resumed stream catches up: the live events read meanwhile, sent after it. */
  pending: CaseInfo[] | null;
  timers: NodeJS.Timeout[];
  /** Its place was given back (the count of its caller and the node's). */
  released: boolean;
}

/** The visibility rule of `canSeeCase`, on a loaded case. */
function canSee(p: Principal, reach: CaseReach, c: CaseInfo): boolean {
  if (p.kind === 'anonymous') return false;
  if (c.reported_by === p.id) return true;
  if (reach === 'own') return (c.reporter_users ?? []).includes(p.id);
  if (inJurisdiction(p, c.grid_code ?? c.district_code)) return true;
  const depts = p.departmentCodes;
  if (depts.length) {
    if (c.lead_department && depts.includes(c.lead_department)) return true;
    if ((c.assist_departments ?? []).some((d) => depts.includes(d))) return true;
    if ((c.summoned ?? []).some((d) => depts.includes(d))) return true;
  }
  return (c.reporter_users ?? []).includes(p.id);
}

/**
 * The frame of an event for a caller. Callers differ only in the address (masked without
 * `pii.read`), so each event's frame is built once per address form and shared: a busy
 * node sends every event to hundreds of streams.
 */
function frame(p: Principal, c: CaseInfo): string {
  const address = maskPersonalData(p, { address: c.address }).address ?? null;
  const key = address === null ? 'none' : `address:${address}`;
  const built = c.frames?.get(key);
  if (built) return built;
  const { event } = c;
  const payload = {
    id: event.id,
    type: event.type,
    occurredAt: event.occurredAt,
    data: event.data,
    case: {
      id: c.case_id,
      number: c.number,
      state: c.state,
      category: c.category,
      light: c.light,
      district: c.district_code,
      leadDepartment: c.lead_department,
      address,
    },
  };
  const text = `id: ${c.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(payload)}\n\n`;
  c.frames ??= new Map();
  c.frames.set(key, text);
  return text;
}

/** The head of every stream's response: SSE headers and the client's reconnection delay. */
function startEventStream(res: ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write('retry: 2000\n\n');
}

/** The streams of one node, and its reader of the event log. */
export class CaseStreamHub {
  readonly #connections = new Set<Connection>();
  /** Every place taken: the open streams and those still opening. */
  readonly #places = new Set<Connection>();
  /** Places taken per caller. */
  readonly #perCaller = new Map<string, number>();
  #unsubscribeRevocations: (() => void) | null = null;
  #unsubscribe: (() => void) | null = null;
  #poll: NodeJS.Timeout | null = null;
  /** The highest seq the hub has read; set from the log's head when a first stream opens. */
  #tail = 0;
  /** Reads, and the start of each stream, run one at a time, in order, on this chain. */
  #chain: Promise<void> = Promise.resolve();
  /** A read waits on the chain: further wake-ups are served by it. */
  #readQueued = false;
  #closed = false;
  constructor(
    private readonly engine: CaseEngine,
    readonly options: StreamOptions = DEFAULT_STREAM_OPTIONS,
  ) {}

  /**
   * Starts listening on the bus: any case event published anywhere wakes the reader; a
   * credential revoked anywhere ends its streams here.
   */
  start(): void {
    this.#unsubscribe ??= this.engine.bus.subscribe('case.*', () => this.#wake());
    this.#unsubscribeRevocations ??= identityEvents.subscribe(
      this.engine.bus,
      PRINCIPAL_INVALIDATED,
      (event) => {
        this.endStreamsOf(invalidationOf(event));
      },
    );
  }

  get size(): number {
    return this.#connections.size;
  }

  /**
   * Takes a place for a stream, or refuses with 429 when the caller already has
   * `maxPerPrincipal` streams or the node `maxPerNode`. Call it before hijacking the reply
   * (so that a refusal is an ordinary problem+json answer), then `open` with the slot.
   */
  reserve(holder: StreamHolder): StreamSlot {
    const reach = authorizeCaseStream(holder.principal);
    const callerKey = `${holder.principal.kind}:${holder.principal.id}`;
    const mine = this.#perCaller.get(callerKey) ?? 0;
    if (mine >= this.options.maxPerPrincipal)
      throw new TooManyRequestsError(
        `You already have ${mine} live streams open, the most one caller may; close one first.`,
        STREAM_RETRY_AFTER_SECONDS,
        'stream.too_many_for_caller',
      );
    if (this.#places.size >= this.options.maxPerNode)
      throw new TooManyRequestsError(
        'This node serves as many live streams as it may; try again later.',
        STREAM_RETRY_AFTER_SECONDS,
        'stream.node_full',
      );
    const conn: Connection = {
      holder,
      reach,
      callerKey,
      res: null,
      cursor: 0,
      closed: false,
      pending: null,
      timers: [],
      released: false,
    };
    this.#perCaller.set(callerKey, mine + 1);
    this.#places.add(conn);
    return conn;
  }

  /**
   * Ends the streams (open or opening) of a revoked credential: a user's, sessions', API
   * keys'. Their clients reconnect and are refused.
   */
  endStreamsOf(what: PrincipalInvalidation): number {
    const sessions = new Set(what.sessionIds ?? []);
    const keys = new Set(what.apiKeyIds ?? []);
    let ended = 0;
    for (const conn of [...this.#places]) {
      const { principal, sessionId, apiKeyId } = conn.holder;
      if (
        (what.userId !== undefined && principal.id === what.userId) ||
        (sessionId !== undefined && sessions.has(sessionId)) ||
        (apiKeyId !== undefined && keys.has(apiKeyId))
      ) {
        this.#close(conn);
        if (conn.res) this.#endEarly(conn.res);
        ended++;
      }
    }
    return ended;
  }

  /**
   * Queues one read of the log. Never makes the publisher wait: an event may be published
   * from inside a scheduler transaction (the outbox job), and on PGlite's single connection
   * a query here would wait for that transaction, which waits for us.
   */
  #wake(): void {
    if (this.#connections.size === 0 || this.#readQueued) return;
    this.#readQueued = true;
    void this.#enqueue(() => {
      this.#readQueued = false;
      return this.#readNew();
    }).catch(() => {
      // A failed read (the database gone at shutdown) is retried by the next wake-up.
    });
  }

  #enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.#chain.then(task);
    this.#chain = run.catch(() => {});
    return run;
  }

  /** Every event above the tail, in seq order, to every open stream. */
  async #readNew(): Promise<void> {
    for (;;) {
      if (this.#connections.size === 0) return;
      const rows = await this.#page(this.#tail);
      for (const info of rows) {
        this.#tail = info.seq;
        for (const conn of this.#connections) this.#send(conn, info);
      }
      if (rows.length < PAGE) return;
    }
  }

  /** The events after `seq`, in seq order, with what a frame and the visibility rule need. */
  async #page(after: number, size = PAGE): Promise<CaseInfo[]> {
    const { rows } = await sql<Omit<CaseInfo, 'event'> & { body: string }>`
      select e.seq, e.case_id, e.body, c.number, c.state, c.category, c.light, c.grid_code,
        c.district_code, c.lead_department, c.assist_departments, c.reported_by, c.address,
        (select array_agg(r.user_id) from case_reporter r
          where r.case_id = c.id and r.user_id is not null) as reporter_users,
        (select array_agg(distinct l.department) from case_linkage l where l.case_id = c.id) as summoned
      from case_event e join case_record c on c.id = e.case_id
      where e.seq > ${after} order by e.seq limit ${size}`.execute(this.engine.db);
    return rows.map(({ body, ...r }) => ({
      ...r,
      seq: Number(r.seq),
      event: JSON.parse(body) as PlatformEvent,
    }));
  }

  async #head(): Promise<number> {
    const { rows } = await sql<{ seq: string }>`select coalesce(max(seq), 0) as seq from case_event`.execute(
      this.engine.db,
    );
    return Number(rows[0].seq);
  }

  /** A live event for a stream: held while it catches up, else sent. */
  #send(conn: Connection, info: CaseInfo): void {
    if (conn.pending) conn.pending.push(info);
    else this.#write(conn, info);
  }

  #write(conn: Connection, info: CaseInfo): void {
    if (info.seq <= conn.cursor || conn.closed) return;
    conn.cursor = info.seq;
    if (canSee(conn.holder.principal, conn.reach, info)) conn.res?.write(frame(conn.holder.principal, info));
  }

  /** One `stream.gap` frame: the events after the stream's cursor up to `head` are skipped. */
  #gap(conn: Connection, after: number, head: number, why: string): void {
    const gap = { after, resumedAt: head, message: `${why} Re-read your cases.` };
    conn.res?.write(`id: ${head}\nevent: stream.gap\ndata: ${JSON.stringify(gap)}\n\n`);
    conn.cursor = head;
  }

  /**
   * A resumed stream's catching up, beside the live reads (which hold their events for it
   * meanwhile): every event after its cursor, page by page, until the log has no more; past
   * `replayLimit` events read (visible to the caller or not) one `stream.gap` frame (id: the
   * log's head) tells the client to re-read its cases. Then the held live events, those above
   * what the replay reached.
   */
  async #catchUp(conn: Connection, after: number): Promise<void> {
    try {
      let read = 0;
      for (;;) {
        if (conn.closed) return;
        const size = Math.min(PAGE, this.options.replayLimit - read);
        if (size <= 0) {
          const head = await this.#head();
          if (head > conn.cursor && !conn.closed)
            this.#gap(
              conn,
              after,
              head,
              `More than ${this.options.replayLimit} events since ${after}: those after ${conn.cursor} up to ${head} are not replayed.`,
            );
          break;
        }
        const rows = await this.#page(conn.cursor, size);
        for (const info of rows) this.#write(conn, info);
        read += rows.length;
        if (rows.length < size) break;
      }
    } finally {
      const held = conn.pending ?? [];
      conn.pending = null;
      for (const info of held) this.#write(conn, info);
    }
  }

  /**
   * Serves one stream, in a place taken by `reserve`, on a hijacked response until the client
   * leaves, its credential is revoked or the hub closes. The place is given back then.
   */
  async open(slot: StreamSlot, res: ServerResponse, lastEventId: number | null): Promise<void> {
    const conn = slot as Connection;
    if (!this.#places.has(conn) || conn.res) {
      // Revoked while the request was on its way here (or a slot used twice).
      this.#close(conn);
      return this.#endEarly(res);
    }
    conn.res = res;
    conn.pending = lastEventId === null ? null : [];
    res.on('close', () => this.#close(conn));
    // The client may have left while it was authenticated ('close' came before the listener).
    if (res.destroyed) {
      this.#close(conn);
      return void res.end();
    }
    if (this.#closed) {
      this.#close(conn);
      return this.#endEarly(res);
    }
    let head = 0;
    try {
      // On the chain, so that no read runs between fixing where the stream starts and adding
      // it: the reads after it carry on from exactly there.
      await this.#enqueue(async () => {
        if (this.#closed || conn.closed) return;
        // A first stream (again) starts at the log's head, not where reading last stopped.
        if (this.#connections.size === 0 || lastEventId !== null) head = await this.#head();
        if (this.#connections.size === 0) this.#tail = head;
        if (this.#closed || conn.closed) return;
        conn.cursor = lastEventId === null ? this.#tail : Math.min(lastEventId, head);
        // The response starts only now, and before any read can write to it: whatever
        // commits after the client has it is above the stream's starting point, so it comes.
        startEventStream(res);
        res.write(': connected\n\n');
        this.#connections.add(conn);
        this.#poll ??= setInterval(() => this.#wake(), this.options.pollMs);
        this.#poll.unref?.();
      });
    } catch {
      // The database failed (shutting down).
      this.#close(conn);
      return this.#endEarly(res);
    }
    if (!this.#connections.has(conn)) {
      this.#close(conn);
      return this.#endEarly(res);
    }
    conn.timers.push(setInterval(() => res.write(': heartbeat\n\n'), this.options.heartbeatMs));
    conn.timers.push(setTimeout(() => res.end(), this.options.maxStreamMs));
    if (lastEventId === null) return;
    if (lastEventId > head)
      this.#gap(
        conn,
        lastEventId,
        head,
        `Last-Event-ID ${lastEventId} is beyond the event log's last event ${head}.`,
      );
    await this.#catchUp(conn, lastEventId).catch(() => res.end());
  }

  /**
   * Ends a stream that could not start (the node shutting down, the database gone) as an
   * event stream all the same, so that an EventSource reconnects after `retry` with its id
   * instead of giving up on a response that is not one.
   */
  #endEarly(res: ServerResponse): void {
    if (!res.headersSent && !res.destroyed) startEventStream(res);
    res.end();
  }

  /** Stops a stream's work and gives its place back; idempotent. */
  #close(conn: Connection): void {
    conn.closed = true;
    for (const t of conn.timers) clearTimeout(t);
    this.#connections.delete(conn);
    if (!conn.released) {
      conn.released = true;
      this.#places.delete(conn);
      const left = (this.#perCaller.get(conn.callerKey) ?? 1) - 1;
      if (left > 0) this.#perCaller.set(conn.callerKey, left);
      else this.#perCaller.delete(conn.callerKey);
    }
    if (this.#connections.size === 0 && this.#poll) {
      clearInterval(this.#poll);
      this.#poll = null;
    }
  }

  /** Ends every stream and stops listening (node shutdown); streams opening meanwhile end too. */
  close(): void {
    this.#closed = true;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#unsubscribeRevocations?.();
    this.#unsubscribeRevocations = null;
    for (const conn of [...this.#places]) {
      this.#close(conn);
      conn.res?.end();
    }
  }
}

const hash = (t: string) => createHash('sha256').update(t, 'utf8').digest('hex');

/**
 * Who may open a stream: whoever may read cases (`case.read`, or `case.report` for its own
 * reports); 401 anonymous, 403 otherwise. Returns the reach the stream's frames keep to.
 */
export function authorizeCaseStream(principal: Principal): CaseReach {
  return caseReadReach(principal);
}

/**
 * Issues a short-lived stream ticket for `?token=` to a caller who may stream; only its hash
 * is stored, with the session or API key it was issued under (the holder's credential), not
 * the principal.
 */
export async function issueStreamTicket(
  engine: CaseEngine,
  holder: StreamHolder,
  seconds = DEFAULT_STREAM_OPTIONS.ticketSeconds,
): Promise<{ token: string; expiresAt: string }> {
  authorizeCaseStream(holder.principal);
  const credential = holder.sessionId
    ? { session_id: holder.sessionId, api_key_id: null }
    : holder.apiKeyId
      ? { session_id: null, api_key_id: holder.apiKeyId }
      : null;
  // Every authenticated request comes with one or the other; anything else is a caller's bug.
  if (!credential) throw new Error('A stream ticket needs the session or API key of the request.');
  const now = engine.clock.now();
  const token = `ost_${randomBytes(24).toString('base64url')}`;
  const expiresAt = new Date(now.getTime() + seconds * 1000);
  await engine.db.deleteFrom('case_stream_ticket').where('expires_at', '<=', now).execute();
  await engine.db
    .insertInto('case_stream_ticket')
    .values({ ticket_hash: hash(token), ...credential, expires_at: expiresAt })
    .execute();
  return { token, expiresAt: expiresAt.toISOString() };
}

/**
 * Who a ticket opens a stream for: its credential, read again, so a ticket stops working
 * when its session or key is revoked or expires or its user is disabled (401 with identity's
 * code), and carries the user's current roles and scope.
 */
export async function holderOfStreamTicket(engine: CaseEngine, token: string): Promise<StreamHolder> {
  const now = engine.clock.now();
  const row = await engine.db
    .selectFrom('case_stream_ticket')
    .select(['session_id', 'api_key_id'])
    .where('ticket_hash', '=', hash(token))
    .where('expires_at', '>', now)
    .executeTakeFirst();
  if (!row)
    throw new UnauthenticatedError('The stream token is not valid or has expired.', 'stream.token_invalid');
  if (row.session_id) {
    const { sessionId, ...principal } = await principalForSessionId(engine.db, row.session_id, now);
    return { principal, sessionId };
  }
  // A ticket is issued for a session or for an API key: without a session, the key is set.
  const apiKeyId = row.api_key_id!;
  return { principal: await principalForApiKeyId(engine.db, apiKeyId, now), apiKeyId };
}
