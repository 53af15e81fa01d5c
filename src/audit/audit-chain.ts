import { createHash } from 'node:crypto';
import { type Selectable, sql } from 'kysely';
import { type Db, type MigrationSet, takeCommitOrderLock } from '../kernel/index.ts';
import type { AuditRecordTable } from './audit-tables.ts';

/** One state change, as a capability reports it (inside the transaction of the change). */
export interface AuditEntry {
  actor: string;
  action: string;
  objectType: string;
  objectId: string;
  requestId?: string;
  /** The object before the change; only its digest is kept. */
  before?: unknown;
  /** The object after the change; only its digest is kept. */
  after?: unknown;
  at: Date;
}

/** A stored audit record. */
export interface AuditRecord {
  seq: number;
  at: Date;
  actor: string;
  action: string;
  objectType: string;
  objectId: string;
  requestId: string | null;
  beforeDigest: string | null;
  afterDigest: string | null;
  prevHash: string;
  hash: string;
}

/** The `prev_hash` of the first record. */
export const GENESIS_HASH = '0'.repeat(64);

export const auditMigrations: MigrationSet = {
  '0300-audit-records': {
    async up(db) {
      await db.schema
        .createTable('audit_record')
        // Assigned by appendAudit under the chain lock, not by a sequence: a sequence leaves
        // gaps when a transaction rolls back, and verification treats a gap as a deleted row.
        .addColumn('seq', 'bigint', (c) => c.primaryKey())
        .addColumn('at', 'timestamptz', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('object_type', 'text', (c) => c.notNull())
        .addColumn('object_id', 'text', (c) => c.notNull())
        .addColumn('request_id', 'text')
        .addColumn('before_digest', 'text')
        .addColumn('after_digest', 'text')
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .execute();
      await sql`create index audit_record_object on audit_record (object_type, object_id, seq)`.execute(db);
      await sql`create index audit_record_actor on audit_record (actor, seq)`.execute(db);
      await sql`create index audit_record_at on audit_record (at)`.execute(db);
      // Append-only inside the database as well: the application never updates or deletes.
      // Someone with owner rights can still disable this; the hash chain is what catches that.
      await sql`
        create function audit_record_refuse_change() returns trigger language plpgsql as $$
        begin
          raise exception 'audit_record is append-only';
        end $$`.execute(db);
      await sql`
        create trigger audit_record_append_only before update or delete on audit_record
        for each row execute function audit_record_refuse_change()`.execute(db);
      await sql`
        create trigger audit_record_no_truncate before truncate on audit_record
        for each statement execute function audit_record_refuse_change()`.execute(db);
    },
  },
};

/** A stable JSON serialization: object keys sorted, Dates as ISO strings, undefined dropped. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(normalize(value));
}

function normalize(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : normalize(v)));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = normalize(v);
    }
    return out;
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** SHA-256 of the canonical serialization of a value; null when there is no value. */
export function digestOf(value: unknown): string | null {
  return value === undefined ? null : sha256(canonicalJson(value));
}

/** The hash of a record: every field, its sequence number and the previous hash. */
export function hashRecord(r: Omit<AuditRecord, 'hash'>): string {
  return sha256(
    canonicalJson([
      'onecity.audit.v1',
      r.seq,
      r.at.toISOString(),
      r.actor,
      r.action,
      r.objectType,
      r.objectId,
      r.requestId,
      r.beforeDigest,
      r.afterDigest,
      r.prevHash,
    ]),
  );
}

/** A row of `audit_record`. */
type AuditRow = Selectable<AuditRecordTable>;

export const toRecord = (r: AuditRow): AuditRecord => ({
  seq: Number(r.seq),
  at: new Date(r.at),
  actor: r.actor,
  action: r.action,
  objectType: r.object_type,
  objectId: r.object_id,
  requestId: r.request_id,
  beforeDigest: r.before_digest,
  afterDigest: r.after_digest,
  prevHash: r.prev_hash,
  hash: r.hash,
});

/**
 * Appends a record to the chain. Call it with the transaction of the change so the record
 * commits (or rolls back) with it. Appends from concurrent transactions are serialized by the
 * kernel's commit-order lock, and the head is read inside that lock, so the chain never
 * forks.
 */
export async function appendAudit(db: Db, entry: AuditEntry): Promise<AuditRecord> {
  if (!db.isTransaction) return db.transaction().execute((trx) => appendAudit(trx, entry));
  return (await appendAuditBatch(db, [entry]))[0];
}

function checkEntry(entry: AuditEntry): void {
  for (const [field, value] of Object.entries({
    actor: entry.actor,
    action: entry.action,
    objectType: entry.objectType,
    objectId: entry.objectId,
  }))
    if (typeof value !== 'string' || value === '')
      throw new TypeError(`appendAudit: ${field} must be a non-empty string`);
  if (!(entry.at instanceof Date) || Number.isNaN(entry.at.getTime()))
    throw new TypeError('appendAudit: at must be a valid Date');
}

/**
 * Appends several records, in order, under one lock and one head read, with one insert:
 * what group-committed case intake and transitions use. The records chain exactly as the
 * same entries appended one by one would.
 */
export async function appendAuditBatch(db: Db, entries: readonly AuditEntry[]): Promise<AuditRecord[]> {
  if (!db.isTransaction) return db.transaction().execute((trx) => appendAuditBatch(trx, entries));
  if (entries.length === 0) return [];
  for (const entry of entries) checkEntry(entry);
  await takeCommitOrderLock(db);
  const head = await db
    .selectFrom('audit_record')
    .select(['seq', 'hash'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  let seq = head ? Number(head.seq) : 0;
  let prevHash = head?.hash ?? GENESIS_HASH;
  const records: AuditRecord[] = entries.map((entry) => {
    const unhashed: Omit<AuditRecord, 'hash'> = {
      seq: ++seq,
      // Postgres keeps microseconds, JS milliseconds: the stored value round-trips exactly.
      at: new Date(entry.at.getTime()),
      actor: entry.actor,
      action: entry.action,
      objectType: entry.objectType,
      objectId: String(entry.objectId),
      requestId: entry.requestId ?? null,
      beforeDigest: digestOf(entry.before),
      afterDigest: digestOf(entry.after),
      prevHash,
    };
    const record: AuditRecord = { ...unhashed, hash: hashRecord(unhashed) };
    prevHash = record.hash;
    return record;
  });
  const rows = records.map((record) => ({
    seq: record.seq,
    at: record.at,
    actor: record.actor,
    action: record.action,
    object_type: record.objectType,
    object_id: record.objectId,
    request_id: record.requestId,
    before_digest: record.beforeDigest,
    after_digest: record.afterDigest,
    prev_hash: record.prevHash,
    hash: record.hash,
  }));
  // The rows travel as one JSON parameter: far cheaper per row than bind parameters on PGlite.
  await sql`
    insert into audit_record (seq, at, actor, action, object_type, object_id, request_id,
                              before_digest, after_digest, prev_hash, hash)
    select seq, at, actor, action, object_type, object_id, request_id,
           before_digest, after_digest, prev_hash, hash
    from jsonb_populate_recordset(null::audit_record, ${JSON.stringify(rows)}::jsonb)`.execute(db);
  return records;
}

/** The result of verifying the chain. */
export type AuditVerification =
  | { ok: true; count: number; head: { seq: number; hash: string } | null }
  | { ok: false; firstBadSeq: number; reason: string; count: number };

/** An externally anchored head: the chain must still contain exactly this record. */
export interface AuditAnchor {
  seq: number;
  hash: string;
}

/**
 * Walks the whole chain in order and reports the first record that does not hold:
 * a sequence gap (a deleted or renumbered row), a hash that does not match the record's
 * content (an edited, swapped or forged row), or a broken link to the previous record.
 * Passing an anchor also catches a chain rewritten or truncated after the anchor was taken.
 */
export async function verifyAuditChain(
  db: Db,
  options: { anchor?: AuditAnchor; batchSize?: number } = {},
): Promise<AuditVerification> {
  const batchSize = options.batchSize ?? 2000;
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let last: { seq: number; hash: string } | null = null;
  let count = 0;
  let anchorSeen = false;
  const fail = (firstBadSeq: number, reason: string): AuditVerification => ({
    ok: false,
    firstBadSeq,
    reason,
    count,
  });
  for (;;) {
    let q = db.selectFrom('audit_record').selectAll().orderBy('seq').limit(batchSize);
    if (last) q = q.where('seq', '>', last.seq);
    const rows = await q.execute();
    for (const row of rows) {
      const r = toRecord(row);
      if (r.seq !== expectedSeq)
        return r.seq > expectedSeq
          ? fail(expectedSeq, `record ${expectedSeq} is missing (next record is ${r.seq})`)
          : fail(r.seq, `record ${r.seq} is out of sequence (expected ${expectedSeq})`);
      const { hash, ...rest } = r;
      if (hashRecord(rest) !== hash)
        return fail(r.seq, `record ${r.seq} does not match its hash (edited, moved or forged)`);
      if (r.prevHash !== prevHash)
        return fail(r.seq, `record ${r.seq} does not link to record ${r.seq - 1} (inserted or reordered)`);
      if (options.anchor && r.seq === options.anchor.seq) {
        anchorSeen = true;
        if (r.hash !== options.anchor.hash)
          return fail(r.seq, `record ${r.seq} differs from the anchored head hash`);
      }
      count++;
      expectedSeq++;
      prevHash = r.hash;
      last = { seq: r.seq, hash: r.hash };
    }
    if (rows.length < batchSize) break;
  }
  if (options.anchor && !anchorSeen)
    return fail(options.anchor.seq, `anchored record ${options.anchor.seq} is missing (chain truncated)`);
  return { ok: true, count, head: last };
}

/** The newest record's sequence number and hash, for external anchoring. */
export async function auditHead(db: Db): Promise<{ seq: number; hash: string; at: Date } | null> {
  const row = await db
    .selectFrom('audit_record')
    .select(['seq', 'hash', 'at'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? { seq: Number(row.seq), hash: row.hash, at: new Date(row.at) } : null;
}
