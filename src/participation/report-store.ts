/**
 * Rows of `participation_report`: one per citizen report, keyed by its follow token.
 * Inserts go through a group committer so that many concurrent posts share one statement
 * (and one commit) without anyone being answered before their row is stored.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { IntakeInput } from '../cases/index.ts';
import type { Principal } from '../identity/index.ts';
import type { Db } from '../kernel/index.ts';

export type ReportStatus = 'queued' | 'filing' | 'filed' | 'failed';

export interface ReportRow {
  token: string;
  source: 'open311' | 'citizen';
  status: ReportStatus;
  case_id: string | null;
  case_number: string | null;
  service_code: string;
  principal: Principal;
  device_id: string | null;
  account_id: string | null;
  attributes: Record<string, string | string[]>;
  contact_email: string | null;
  contact_phone: string | null;
  intake: IntakeInput | null;
  attempts: number;
  error: string | null;
  created_at: Date;
  filed_at: Date | null;
}

export type NewReport = Omit<ReportRow, 'attempts' | 'error' | 'filed_at'> & { filed_at?: Date | null };

/** A follow token: unguessable, URL-safe, recognizable (`t_` + 22 characters). */
export const newToken = () => `t_${randomBytes(16).toString('base64url')}`;
export const isToken = (s: string) => /^t_[A-Za-z0-9_-]{22}$/.test(s);

const toValues = (r: NewReport) => ({
  ...r,
  principal: JSON.stringify(r.principal),
  attributes: JSON.stringify(r.attributes),
  intake: r.intake ? JSON.stringify(r.intake) : null,
  filed_at: r.filed_at ?? null,
});

/**
 * Batches inserts: rows arriving while a statement is in flight are written together by
 * the next one. Each caller's promise settles after the statement holding its row commits.
 */
export class ReportWriter {
  #pending: Array<{ row: NewReport; resolve: () => void; reject: (e: unknown) => void }> = [];
  #running = false;

  constructor(
    private readonly db: Db,
    private readonly maxBatch = 500,
  ) {}

  insert(row: NewReport): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ row, resolve, reject });
      if (!this.#running) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#running = true;
    try {
      while (this.#pending.length) {
        const batch = this.#pending.splice(0, this.maxBatch);
        try {
          await this.db
            .insertInto('participation_report')
            .values(batch.map((b) => toValues(b.row)))
            .execute();
          for (const b of batch) b.resolve();
        } catch (e) {
          for (const b of batch) b.reject(e);
        }
      }
    } finally {
      this.#running = false;
    }
  }
}

export async function findReport(db: Db, token: string): Promise<ReportRow | undefined> {
  return (await db
    .selectFrom('participation_report')
    .selectAll()
    .where('token', '=', token)
    .executeTakeFirst()) as ReportRow | undefined;
}

/** The reports behind a case (several after merges or duplicates). */
export async function reportsOfCase(db: Db, caseId: string): Promise<ReportRow[]> {
  return (await db
    .selectFrom('participation_report')
    .selectAll()
    .where('case_id', '=', caseId)
    .execute()) as ReportRow[];
}

/** The first report that became a case number (for its Open311 attributes). */
export async function reportOfCaseNumber(db: Db, number: string): Promise<ReportRow | undefined> {
  return (await db
    .selectFrom('participation_report')
    .selectAll()
    .where('case_number', '=', number)
    .orderBy('created_at')
    .limit(1)
    .executeTakeFirst()) as ReportRow | undefined;
}

/**
 * Claims queued reports for filing, oldest first, skipping rows another node holds. A
 * claim older than `staleBefore` (a node died while filing) is taken over.
 */
export async function claimQueued(db: Db, limit: number, now: Date, staleBefore: Date): Promise<ReportRow[]> {
  const { rows } = await sql<ReportRow>`
    update participation_report set status = 'filing', claimed_at = ${now}, attempts = attempts + 1
    where token in (
      select token from participation_report
      where status = 'queued' or (status = 'filing' and claimed_at < ${staleBefore})
      order by created_at
      limit ${limit}
      for update skip locked)
    returning *`.execute(db);
  return rows;
}

/** Records the case a report became and forgets the queued intake (it held personal data). */
export async function markFiled(
  db: Db,
  token: string,
  c: { id: string; number: string },
  now: Date,
): Promise<void> {
  await db
    .updateTable('participation_report')
    .set({ status: 'filed', case_id: c.id, case_number: c.number, intake: null, filed_at: now, error: null })
    .where('token', '=', token)
    .execute();
}

/** Gives a report back to the queue (or fails it after too many attempts). */
export async function markFailed(db: Db, token: string, error: string, final: boolean): Promise<void> {
  await db
    .updateTable('participation_report')
    .set({ status: final ? 'failed' : 'queued', error: error.slice(0, 500), claimed_at: null })
    .where('token', '=', token)
    .execute();
}
