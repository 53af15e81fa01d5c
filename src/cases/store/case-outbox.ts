/**
 * What every case change leaves behind in its own transaction (the outbox): the event in
 * `case_event` (replay log of the live stream), one pending delivery plus its scheduler
 * job per matching webhook, a citizen-update job when the reporter cares, and the
 * working-time milestones the indicators average. Nothing here talks to the network: the
 * jobs do, after commit.
 *
 * An event's `seq` follows commit order: it is taken under the kernel's commit-order lock
 * (the audit chain's), held to the end of the transaction. The live stream reads the log
 * by "every seq above the last one" and never misses an event that commits late.
 */
import { sql } from 'kysely';
import {
  type Db,
  type PlatformEvent,
  type ScheduleRequest,
  type Scheduler,
  takeCommitOrderLock,
} from '../../kernel/index.ts';
import type { CaseState } from '../rules/case-model.ts';
import type { CaseRow } from './case-store.ts';
import { elapsedWorkingTime, type WorkingCalendar } from '../rules/sla-clock.ts';

export const JOB_WEBHOOK_DELIVER = 'case.webhook.deliver';
export const JOB_CITIZEN_UPDATE = 'case.citizen.update';

/** States a reporter is told about (docs/design.md#the-closed-loop; the issue names filed, dispatched, handled, closed). */
export const CITIZEN_STATES: readonly CaseState[] = ['filed', 'dispatched', 'handled', 'closed', 'rejected'];

/**
 * What the indicators filter events and milestones by, copied from the case when they are
 * written (none of it changes after intake; migration 0457): the case's place (its grid, or
 * its district when it has no grid), district, category and channel.
 */
const CASE_SCOPE_COLUMNS = sql.raw('place, district_code, category, channel');
/** The values of CASE_SCOPE_COLUMNS from the case joined as `c`. */
const caseScopeValues = sql.raw(
  'coalesce(c.grid_code, c.district_code), c.district_code, c.category, c.channel',
);

/** The same, for rows written from a case row at hand. */
export function caseScopeOf(row: CaseRow): {
  place: string | null;
  district_code: string | null;
  category: string;
  channel: string;
} {
  return {
    place: row.grid_code ?? row.district_code,
    district_code: row.district_code,
    category: row.category,
    channel: row.channel,
  };
}

/** Writes the event, its webhook deliveries and citizen update job in the caller's transaction. */
export async function recordCaseEvent(
  trx: Db,
  scheduler: Scheduler,
  event: PlatformEvent,
  departmentBefore: string | null = null,
): Promise<void> {
  const data = event.data as {
    caseId?: string;
    action?: string;
    from?: string;
    to?: string;
    leadDepartment?: string | null;
  };
  if (!data.caseId) return;
  await takeCommitOrderLock(trx);
  const body = JSON.stringify(event);
  const at = new Date(event.occurredAt);
  // One round trip: the event row, and a delivery for each active webhook whose patterns match.
  const { rows } = await sql<{ id: string }>`
    with e as (
      insert into case_event (event_id, case_id, type, action, to_state, department, body, occurred_at,
                              ${CASE_SCOPE_COLUMNS})
      select ${event.id}::text, ${data.caseId}::text, ${event.type}::text, ${data.action ?? null}::text,
             ${data.to ?? null}::text, ${data.leadDepartment ?? departmentBefore}::text, ${body}::text,
             ${at}::timestamptz, ${caseScopeValues}
      from (select) one left join case_record c on c.id = ${data.caseId}
      returning seq
    )
    insert into case_webhook_delivery (webhook_id, event_id, event_type, body, status, created_at, next_attempt_at)
    select w.id, ${event.id}, ${event.type}, ${body}, 'pending', ${at}, ${at}
    from case_webhook w
    where w.active and w.deleted_at is null and exists (
      select 1 from jsonb_array_elements_text(w.events) p(v)
      where p.v in ('*', ${event.type})
         or (right(p.v, 2) = '.*' and left(${event.type}, length(p.v) - 1) = left(p.v, length(p.v) - 1))
    )
    returning id`.execute(trx);
  for (const r of rows)
    await scheduler.schedule(
      {
        kind: JOB_WEBHOOK_DELIVER,
        runAt: at,
        key: `webhook:${r.id}:1`,
        payload: { deliveryId: Number(r.id) },
        maxAttempts: 3,
      },
      trx,
    );
  if (tellsCitizens(data) && (await casesWithReporters(trx, [data.caseId])).has(data.caseId))
    await scheduler.schedule(
      {
        kind: JOB_CITIZEN_UPDATE,
        runAt: at,
        key: `citizen:${event.id}`,
        payload: { caseId: data.caseId, eventId: event.id, state: data.to },
      },
      trx,
    );
}

/** An event that moves its case into a state the reporters are told about. */
const tellsCitizens = (data: { to?: string; from?: string }): boolean =>
  !!data.to && data.to !== data.from && CITIZEN_STATES.includes(data.to as CaseState);

/**
 * A reporter the citizen-update job can tell (citizen-updates.ts): one with an account (in
 * the app), or one who consented and left a phone or an e-mail address.
 */
const TELLABLE_REPORTER = sql.raw(
  '(r.user_id is not null or (r.consent and (r.phone is not null or r.email is not null)))',
);

/**
 * Which of these cases have a reporter to tell. A case without one (a sensor's or a
 * gateway's alert, an anonymous call) gets no citizen-update job: each would be a
 * transaction of the scheduler's for nothing. Reporters join a case only at intake and by a
 * merge, which holds the case's lock, so the answer holds until the caller's transaction ends.
 */
async function casesWithReporters(trx: Db, caseIds: string[]): Promise<Set<string>> {
  if (caseIds.length === 0) return new Set();
  const { rows } = await sql<{ case_id: string }>`
    select distinct r.case_id from case_reporter r
    where r.case_id = any(${caseIds}::text[]) and ${TELLABLE_REPORTER}`.execute(trx);
  return new Set(rows.map((r) => r.case_id));
}

/**
 * The set-based form of {@link recordCaseEvent} for a group-committed batch: every event
 * row, its webhook deliveries and which of its cases have reporters to tell, in one
 * statement. Returns the jobs the events owe (a delivery job per webhook delivery, a
 * citizen update per change a reporter is told about): the caller schedules them with its
 * own timers, in one statement. Each event comes with its case as it was before the change:
 * the scope columns, and the department of an event that names none (the lead it had).
 */
export async function recordCaseEvents(
  trx: Db,
  events: ReadonlyArray<{ event: PlatformEvent; row: CaseRow }>,
  options: {
    /** The caller's transaction already took the commit-order lock (it appended to the audit chain). */
    commitOrderLockHeld?: boolean;
  } = {},
): Promise<ScheduleRequest[]> {
  const rows = events
    .map(({ event, row }) => ({
      event,
      row,
      data: event.data as {
        caseId?: string;
        action?: string;
        from?: string;
        to?: string;
        leadDepartment?: string | null;
      },
    }))
    .filter((r) => r.data.caseId);
  if (rows.length === 0) return [];
  if (!options.commitOrderLockHeld) await takeCommitOrderLock(trx);
  const values = rows.map(({ event, data, row }) => ({
    ...caseScopeOf(row),
    event_id: event.id,
    case_id: data.caseId,
    type: event.type,
    action: data.action ?? null,
    to_state: data.to ?? null,
    department: data.leadDepartment ?? row.lead_department,
    body: JSON.stringify(event),
    occurred_at: event.occurredAt,
  }));
  // All events as one JSON parameter (cheap on PGlite), their webhook deliveries alongside.
  // The scope columns come from the rows at hand: joined from case_record, PostgreSQL chose
  // a whole-table scan for the batch's few dozen cases while the table's statistics were
  // older than its growth.
  const citizenCases = [...new Set(rows.filter((r) => tellsCitizens(r.data)).map((r) => r.data.caseId!))];
  const { rows: written } = await sql<{
    id: string | null;
    created_at: Date | null;
    reported_case: string | null;
  }>`
    with e as (
      insert into case_event (event_id, case_id, type, action, to_state, department, body, occurred_at,
                              ${CASE_SCOPE_COLUMNS})
      select v.event_id, v.case_id, v.type, v.action, v.to_state, v.department, v.body, v.occurred_at,
             ${CASE_SCOPE_COLUMNS}
      from jsonb_populate_recordset(null::case_event, ${JSON.stringify(values)}::jsonb) v
      returning event_id, type, body, occurred_at
    ),
    d as (
      insert into case_webhook_delivery (webhook_id, event_id, event_type, body, status, created_at, next_attempt_at)
      select w.id, e.event_id, e.type, e.body, 'pending', e.occurred_at, e.occurred_at
      from e join case_webhook w on w.active and w.deleted_at is null and exists (
        select 1 from jsonb_array_elements_text(w.events) p(v)
        where p.v in ('*', e.type)
           or (right(p.v, 2) = '.*' and left(e.type, length(p.v) - 1) = left(p.v, length(p.v) - 1))
      )
      returning id, created_at
    )
    select d.id::text as id, d.created_at, null::text as reported_case from d
    ${
      // Intake's events (to `reported`) tell nobody: the statement then plans without this part.
      citizenCases.length
        ? sql`union all
    select distinct null, null::timestamptz, r.case_id from case_reporter r
    where r.case_id = any(${citizenCases}::text[]) and ${TELLABLE_REPORTER}`
        : sql``
    }`.execute(trx);
  const jobs: ScheduleRequest[] = [];
  const reported = new Set<string>();
  for (const r of written) {
    if (r.reported_case) {
      reported.add(r.reported_case);
      continue;
    }
    jobs.push({
      kind: JOB_WEBHOOK_DELIVER,
      runAt: new Date(r.created_at!),
      key: `webhook:${r.id}:1`,
      payload: { deliveryId: Number(r.id) },
      maxAttempts: 3,
    });
  }
  for (const { event, data } of rows)
    if (tellsCitizens(data) && reported.has(data.caseId!))
      jobs.push({
        kind: JOB_CITIZEN_UPDATE,
        runAt: new Date(event.occurredAt),
        key: `citizen:${event.id}`,
        payload: { caseId: data.caseId, eventId: event.id, state: data.to },
      });
  return jobs;
}

/** The working-time milestones of `case_timing`. */
export type Milestone = 'file' | 'dispatch' | 'accept' | 'handle' | 'close';

/**
 * The `case_timing` rows a transition reaches (first occurrence each: file = reported →
 * filed, dispatch = filed → first dispatch, accept = the accepted dispatch → accept, handle =
 * accept → first handling report, close = reported → closed), with the case's
 * scope and its lead department after the transition (a trigger keeps that equal to the
 * case's when the case later changes hands; migration 0457).
 */
export function timingsOf(
  calendar: WorkingCalendar,
  before: CaseRow,
  action: string,
  to: CaseState,
  now: Date,
  leadAfter: string | null,
): Array<
  {
    case_id: string;
    milestone: string;
    at: Date;
    working_minutes: number;
    lead_department: string | null;
  } & ReturnType<typeof caseScopeOf>
> {
  const from = (m: Milestone): Date | null => {
    switch (m) {
      case 'file':
      case 'close':
        return before.reported_at;
      case 'dispatch':
        return before.filed_at;
      case 'accept':
        return before.dispatched_at;
      case 'handle':
        return before.accepted_at;
    }
  };
  const reached: Milestone[] = [];
  if (action === 'file') reached.push('file');
  if (action === 'dispatch') reached.push('dispatch');
  if (action === 'accept') reached.push('accept');
  if (action === 'handle') reached.push('handle');
  if (to === 'closed' && before.state !== 'closed') reached.push('close');
  return reached
    .map((m) => ({ m, start: from(m) }))
    .filter((x): x is { m: Milestone; start: Date } => !!x.start)
    .map(({ m, start }) => ({
      case_id: before.id,
      milestone: m,
      at: now,
      working_minutes: elapsedWorkingTime(new Date(start), now, calendar),
      ...caseScopeOf(before),
      lead_department: leadAfter,
    }));
}
