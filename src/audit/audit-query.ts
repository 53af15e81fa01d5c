import type { Db } from '../kernel/index.ts';
import { type AuditRecord, toRecord } from './audit-chain.ts';

export interface AuditQuery {
  objectType?: string;
  objectId?: string;
  actor?: string;
  action?: string;
  /** ISO date-time, inclusive. */
  from?: string;
  /** ISO date-time, exclusive. */
  to?: string;
  limit?: number;
  /** Return records older than this sequence number (the previous page's `nextCursor`). */
  cursor?: string;
}

/** Audit records, newest first, keyset-paginated by sequence number. */
export async function listAudit(
  db: Db,
  query: AuditQuery,
): Promise<{ items: AuditRecord[]; nextCursor: string | null }> {
  const limit = query.limit ?? 50;
  let q = db
    .selectFrom('audit_record')
    .selectAll()
    .orderBy('seq', 'desc')
    .limit(limit + 1);
  if (query.objectType) q = q.where('object_type', '=', query.objectType);
  if (query.objectId) q = q.where('object_id', '=', query.objectId);
  if (query.actor) q = q.where('actor', '=', query.actor);
  if (query.action) q = q.where('action', '=', query.action);
  if (query.from) q = q.where('at', '>=', new Date(query.from));
  if (query.to) q = q.where('at', '<', new Date(query.to));
  if (query.cursor) q = q.where('seq', '<', Number(query.cursor));
  const rows = await q.execute();
  const items = rows.slice(0, limit).map(toRecord);
  return { items, nextCursor: rows.length > limit ? String(items[items.length - 1].seq) : null };
}
