/**
 * Live updates: `GET /api/v1/stream` as server-sent events. Each node listens on
 * `kernel.bus` (NATS across nodes when configured), so an event committed on any node
 * reaches every stream. For each event the hub loads the case once and sends it to the
 * connections allowed to see it (same rule as reading the case: jurisdiction, department,
 * own report). Frames carry the event and a case summary without reporter data; the
 * address is masked for callers without `pii.read`.
 *
 * Order: events reach a stream in the order the bus delivers them, after their commits,
 * which is not always the order of their `seq` in `case_event` (taken at insert): on
 * PostgreSQL two transactions (two nodes, a batch and a timer job) commit in either order.
 * A stream never drops a live event for having a lower seq than one it sent.
 *
 * Reconnection: the SSE `id` of a frame is the highest seq the stream has sent so far (the
 * frame's own seq unless a lower one arrived late), so the id a client keeps is always the
 * point after everything it got. Reconnecting with `Last-Event-ID: n`, it first gets the
 * visible events with seq > n (at most `replayLimit`), then live ones above n. Limit: an
 * event with seq ≤ n whose transaction commits after the client left is not sent to it
 * (docs/case-workflow.md).
 *
 * Auth: `Authorization: Bearer …`, or `?token=` with a ticket from
 * `POST /api/v1/stream/tokens` (EventSource cannot send headers). A ticket lives 60 s and
 * may open (and re-open) streams until then; the logger redacts `token=` from URLs.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { sql } from 'kysely';
import { inJurisdiction, maskPersonalData, type Principal } from '../identity/index.ts';
import { type PlatformEvent, UnauthenticatedError } from '../kernel/index.ts';
import type { CaseEngine } from './case-engine.ts';

export interface StreamOptions {
  heartbeatMs: number;
  /** A stream is closed after this long; the client reconnects with fresh credentials. */
  maxStreamMs: number;
  replayLimit: number;
  ticketSeconds: number;
}

export const DEFAULT_STREAM_OPTIONS: StreamOptions = Object.freeze({
  heartbeatMs: 15_000,
  maxStreamMs: 3_600_000,
  replayLimit: 1000,
  ticketSeconds: 60,
});

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
  body: string;
}

interface Connection {
  principal: Principal;
  res: ServerResponse;
  /** The highest seq sent: every frame's `id`. */
  highest: number;
  /** A resumed stream's Last-Event-ID: nothing at or below it is sent again. */
  floor: number;
  replaying: boolean;
  /** While resuming: the seqs the replay sent, skipped among the live events queued meanwhile. */
  replayed: Set<number> | null;
  pending: CaseInfo[];
  timers: NodeJS.Timeout[];
}

/** The visibility rule of `canSeeCase`, on a loaded case. */
function canSee(p: Principal, c: CaseInfo): boolean {
  if (p.kind === 'anonymous') return false;
  if (inJurisdiction(p, c.grid_code ?? c.district_code)) return true;
  if (c.reported_by === p.id) return true;
  const depts = p.departmentCodes;
  if (depts.length) {
    if (c.lead_department && depts.includes(c.lead_department)) return true;
    if ((c.assist_departments ?? []).some((d) => depts.includes(d))) return true;
    if ((c.summoned ?? []).some((d) => depts.includes(d))) return true;
  }
  return (c.reporter_users ?? []).includes(p.id);
}

const INFO = sql`
  e.seq, e.case_id, e.body, c.number, c.state, c.category, c.light, c.grid_code, c.district_code,
  c.lead_department, c.assist_departments, c.reported_by, c.address,
  (select array_agg(r.user_id) from case_reporter r where r.case_id = c.id and r.user_id is not null) as reporter_users,
  (select array_agg(distinct l.department) from case_linkage l where l.case_id = c.id) as summoned`;

function frame(p: Principal, c: CaseInfo, id: number): string {
  const event = JSON.parse(c.body) as PlatformEvent;
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
      address: maskPersonalData(p, { address: c.address }).address,
    },
  };
  return `id: ${id}\nevent: ${event.type}\ndata: ${JSON.stringify(payload)}\n\n`;
}

/** The streams of one node. */
export class CaseStreamHub {
  readonly #connections = new Set<Connection>();
  #unsubscribe: (() => void) | null = null;
  #chain: Promise<void> = Promise.resolve();
  constructor(
    private readonly engine: CaseEngine,
    readonly options: StreamOptions = DEFAULT_STREAM_OPTIONS,
  ) {}

  /** Starts listening on the bus. */
  start(): void {
    this.#unsubscribe ??= this.engine.bus.subscribe('case.*', (e) => this.#onEvent(e));
  }

  get size(): number {
    return this.#connections.size;
  }

  /**
   * Never makes the publisher wait: an event may be published from inside a scheduler
   * transaction (the outbox job), and on PGlite's single connection a query here would
   * wait for that transaction, which waits for us. Events are handled in order on a chain.
   */
  #onEvent(event: PlatformEvent): void {
    if (this.#connections.size === 0) return;
    // A failed lookup (database gone at shutdown) drops that event; the chain goes on.
    this.#chain = this.#chain.then(() => this.#deliver(event)).catch(() => {});
  }

  async #deliver(event: PlatformEvent): Promise<void> {
    if (this.#connections.size === 0) return;
    const { rows } = await sql<CaseInfo>`
      select ${INFO} from case_event e join case_record c on c.id = e.case_id
      where e.event_id = ${event.id}`.execute(this.engine.db);
    const info = rows[0];
    if (!info) return;
    info.seq = Number(info.seq);
    for (const conn of this.#connections) {
      if (conn.replaying) conn.pending.push(info);
      else this.#send(conn, info);
    }
  }

  #send(conn: Connection, info: CaseInfo): void {
    if (info.seq <= conn.floor || conn.replayed?.has(info.seq) || !canSee(conn.principal, info)) return;
    conn.highest = Math.max(conn.highest, info.seq);
    conn.res.write(frame(conn.principal, info, conn.highest));
  }

  /** Serves one stream on a hijacked response until the client leaves or the hub closes. */
  async open(principal: Principal, res: ServerResponse, lastEventId: string | undefined): Promise<void> {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(`retry: 2000\n: connected\n\n`);
    const last = lastEventId && /^\d+$/.test(lastEventId) ? Number(lastEventId) : null;
    const conn: Connection = {
      principal,
      res,
      highest: last ?? 0,
      floor: last ?? 0,
      replaying: last !== null,
      replayed: last !== null ? new Set() : null,
      pending: [],
      timers: [],
    };
    this.#connections.add(conn);
    const end = () => this.#close(conn);
    res.on('close', end);
    conn.timers.push(setInterval(() => res.write(': heartbeat\n\n'), this.options.heartbeatMs));
    conn.timers.push(setTimeout(() => res.end(), this.options.maxStreamMs));
    // A fresh stream replays nothing: it gets the events published from now on (one that
    // committed just before may still be on its way through the hub and come too).
    if (last === null) return;
    try {
      const { rows } = await sql<CaseInfo>`
        select ${INFO} from case_event e join case_record c on c.id = e.case_id
        where e.seq > ${last} order by e.seq limit ${this.options.replayLimit}`.execute(this.engine.db);
      for (const r of rows) {
        const info = { ...r, seq: Number(r.seq) };
        this.#send(conn, info);
        conn.replayed?.add(info.seq);
      }
    } finally {
      conn.replaying = false;
      for (const info of conn.pending.splice(0)) this.#send(conn, info);
      conn.replayed = null;
    }
  }

  #close(conn: Connection): void {
    for (const t of conn.timers) clearTimeout(t);
    this.#connections.delete(conn);
  }

  /** Ends every stream and stops listening (node shutdown). */
  close(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    for (const conn of [...this.#connections]) {
      this.#close(conn);
      conn.res.end();
    }
  }
}

const hash = (t: string) => createHash('sha256').update(t, 'utf8').digest('hex');

/** Issues a short-lived stream ticket for `?token=`; only its hash is stored. */
export async function issueStreamTicket(
  engine: CaseEngine,
  principal: Principal,
  seconds = DEFAULT_STREAM_OPTIONS.ticketSeconds,
): Promise<{ token: string; expiresAt: string }> {
  if (principal.kind === 'anonymous') throw new UnauthenticatedError();
  const now = engine.clock.now();
  const token = `ost_${randomBytes(24).toString('base64url')}`;
  const expiresAt = new Date(now.getTime() + seconds * 1000);
  await engine.db.deleteFrom('case_stream_ticket').where('expires_at', '<=', now).execute();
  await engine.db
    .insertInto('case_stream_ticket')
    .values({ ticket_hash: hash(token), principal: JSON.stringify(principal), expires_at: expiresAt })
    .execute();
  return { token, expiresAt: expiresAt.toISOString() };
}

/** The principal a ticket was issued to, or Unauthenticated. */
export async function principalForStreamTicket(engine: CaseEngine, token: string): Promise<Principal> {
  const row = await engine.db
    .selectFrom('case_stream_ticket')
    .select('principal')
    .where('ticket_hash', '=', hash(token))
    .where('expires_at', '>', engine.clock.now())
    .executeTakeFirst();
  if (!row)
    throw new UnauthenticatedError('The stream token is not valid or has expired.', 'stream.token_invalid');
  return row.principal as Principal;
}
