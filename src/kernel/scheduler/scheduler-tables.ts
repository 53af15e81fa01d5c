/** The scheduler's table (migrations in scheduler.ts), added to the kernel's `Database`. */
import type { Generated } from 'kysely';
import type { DefaultedJson, DefaultedTimestamp, Timestamp } from '../storage/database.ts';

/** `kernel_job`: one timer, pending until it fires, fails or is cancelled. */
export interface KernelJobTable {
  id: Generated<number>;
  kind: string;
  key: string | null;
  run_at: Timestamp;
  payload: DefaultedJson<Record<string, unknown>>;
  status: Generated<'pending' | 'done' | 'failed' | 'cancelled'>;
  attempts: Generated<number>;
  max_attempts: Generated<number>;
  last_error: string | null;
  fired_by: string | null;
  fired_at: Timestamp | null;
  created_at: DefaultedTimestamp;
  finished_at: Timestamp | null;
}

declare module '../storage/database.ts' {
  interface Database {
    kernel_job: KernelJobTable;
  }
}
