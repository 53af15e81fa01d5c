/**
 * Rows of `participation_report`: one per citizen report, keyed by its follow token.
 * Queued reports go through a group committer so that many concurrent posts share one
 * statement (and one commit) without anyone being answered before their row is stored; a
 * report filed at once is written by the case engine with its case (`reportAlongside`).
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { AlongsideRow } from '../cases/index.ts';
import { type Db, GroupCommit } from '../kernel/index.ts';
import type { Selectable } from 'kysely';
import type { ParticipationReportTable } from './participation-tables.ts';

export type { ReportStatus } from './participation-tables.ts';

/** A row of `participation_report`. */
export type ReportRow = Selectable<ParticipationReportTable>;

export type NewReport = Omit<ReportRow, 'attempts' | 'error' | 'filed_at' | 'claimed_at'> & {
  filed_at?: Date | null;
};

/** A follow token: unguessable, URL-safe, recognizable (`t_` + 22 characters). */
export const newToken = () => `t_${randomBytes(16).toString('base64url')}`;
export const isToken = (s: string) => /^t_[A-Za-z0-9_-]{22}$/.test(s);

/** A row as `jsonb_populate_recordset` reads it (JSON columns stay objects). */
const toJsonRow = (r: NewReport) => ({ ...r, filed_at: r.filed_at ?? null });

/**
 * The report row of a post filed at once, written by the case engine in the transaction
 * that creates its case (`reportCase`'s `alongside`): one commit for both.
 */
export function reportAlongside(row: (created: { id: string; number: string }) => NewReport): AlongsideRow {
  return { table: 'participation_report', row: (created) => toJsonRow(row(created)) };
}

/**
 * Writes queued reports through a group commit: rows arriving while a statement is in flight
 * are written together by the next one, and each caller's promise settles after the
 * statement holding its row commits. One bad row fails alone: the rows of a failed
 * statement are written again one by one.
 */
export class ReportWriter {
  readonly #commit: GroupCommit<NewReport, void>;

  constructor(db: Db, maxBatch = 500) {
    this.#commit = new GroupCommit<NewReport, void>({
      maxBatch,
      runBatch: async (rows) => {
        await writeReports(db, rows);
        return rows.map(() => ({ ok: true, value: undefined }));
      },
    });
  }

  insert(row: NewReport): Promise<void> {
    return this.#commit.submit(row);
  }

  /** Resolves once nothing is waiting or being written (the capability waits on stop). */
  drain(): Promise<void> {
    return this.#commit.drain();
  }
}

/**
 * One statement for many rows, as one JSON parameter: PGlite's cost per statement grows
 * with the number of parameters, not with the size of one JSON value.
 */
async function writeReports(db: Db, rows: NewReport[]): Promise<void> {
  await sql`
    insert into participation_report
      (token, source, status, case_id, case_number, service_code, principal, device_id,
       account_id, attributes, contact_email, contact_phone, intake, created_at, filed_at)
    select token, source, status, case_id, case_number, service_code, principal, device_id,
       account_id, attributes, contact_email, contact_phone, intake, created_at, filed_at
    from jsonb_populate_recordset(null::participation_report, ${JSON.stringify(rows.map(toJsonRow))}::jsonb)`.execute(
    db,
  );
}

export async function findReport(db: Db, token: string): Promise<ReportRow | undefined> {
  return await db
    .selectFrom('participation_report')
    .selectAll()
    .where('token', '=', token)
    .executeTakeFirst();
}

/** The reports behind a case (several after merges or duplicates). */
export async function reportsOfCase(db: Db, caseId: string): Promise<ReportRow[]> {
  return await db.selectFrom('participation_report').selectAll().where('case_id', '=', caseId).execute();
}

/** The first report that became a case number (for its Open311 attributes). */
export async function reportOfCaseNumber(db: Db, number: string): Promise<ReportRow | undefined> {
  return await db
    .selectFrom('participation_report')
    .selectAll()
    .where('case_number', '=', number)
    .orderBy('created_at')
    .limit(1)
    .executeTakeFirst();
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

/** Records the cases reports became and forgets their queued intake (it held personal data). */
export async function markFiled(
  db: Db,
  filed: ReadonlyArray<{ token: string; caseId: string; caseNumber: string }>,
  now: Date,
): Promise<void> {
  if (filed.length === 0) return;
  await sql`
    update participation_report r
    set status = 'filed', case_id = f."caseId", case_number = f."caseNumber", intake = null,
        filed_at = ${now}, error = null
    from jsonb_to_recordset(${JSON.stringify(filed)}::jsonb)
      as f(token text, "caseId" text, "caseNumber" text)
    where r.token = f.token`.execute(db);
}

/** Gives a report back to the queue (or fails it after too many attempts). */
export async function markFailed(db: Db, token: string, error: string, final: boolean): Promise<void> {
  await db
    .updateTable('participation_report')
    .set({ status: final ? 'failed' : 'queued', error: error.slice(0, 500), claimed_at: null })
    .where('token', '=', token)
    .execute();
}
