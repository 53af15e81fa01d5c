/** The audit chain's table (migration in audit-chain.ts), added to the kernel's `Database`. */
import type { Timestamp } from '../kernel/index.ts';

/** `audit_record`: one link of the hash chain. */
export interface AuditRecordTable {
  seq: number;
  at: Timestamp;
  actor: string;
  action: string;
  object_type: string;
  object_id: string;
  request_id: string | null;
  before_digest: string | null;
  after_digest: string | null;
  prev_hash: string;
  hash: string;
}

declare module '../kernel/index.ts' {
  interface Database {
    audit_record: AuditRecordTable;
  }
}
