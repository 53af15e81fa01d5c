/**
 * Alerts as people see and handle them (docs/perception.md#api): list and read inside the
 * caller's jurisdiction, acknowledge and resolve by hand. Every change is audited in its
 * transaction and announced after commit.
 */
import type { Selectable } from 'kysely';
import { appendAudit } from '../audit/index.ts';
import { type Actor, authorize, inJurisdiction, isCityWide, type Principal } from '../identity/index.ts';
import { ConflictError, type Db, InvalidInputError, NotFoundError } from '../kernel/index.ts';
import type { AlertState, AlertView } from './alert-model.ts';
import { perceptionEvents } from './perception-events.ts';
import type { PerceptionAlertTable } from './perception-tables.ts';

type AlertRow = Selectable<PerceptionAlertTable>;

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/** The row as the API shows it. */
export function alertView(row: AlertRow): AlertView {
  return {
    id: row.id,
    rule: row.rule_code,
    ruleVersion: row.rule_version,
    moduleId: row.module_id,
    deviceId: row.device_id,
    severity: row.severity,
    state: row.state,
    raisedAt: iso(row.raised_at)!,
    raisedSeenAt: iso(row.raised_seen_at)!,
    since: iso(row.since)!,
    repeats: row.repeats,
    values: row.values,
    evidence: row.evidence,
    location: row.lat === null || row.lon === null ? null : { lat: row.lat, lon: row.lon },
    divisionCode: row.division_code,
    districtCode: row.district_code,
    acknowledgedBy: row.acknowledged_by,
    acknowledgedAt: iso(row.acknowledged_at),
    resolvedAt: iso(row.resolved_at),
    resolvedBy: row.resolved_by,
    resolutionNote: row.resolution_note,
    case: {
      status: row.case_status,
      category: row.case_category,
      id: row.case_id,
      number: row.case_number,
      closedAt: iso(row.case_closed_at),
      error: row.case_error,
    },
  };
}

/** An alert is visible inside the caller's jurisdiction or to its device's owner department. */
function visibleTo(principal: Principal, row: Pick<AlertRow, 'division_code' | 'department_code'>): boolean {
  return (
    inJurisdiction(principal, row.division_code) ||
    (!!row.department_code && principal.departmentCodes.includes(row.department_code))
  );
}

const likePrefix = (code: string) => `${code.replace(/[%_\\]/g, '')}%`;

export interface ListAlertsQuery {
  state?: AlertState;
  severity?: string;
  /** The plate (module id) whose rule raised it. */
  plate?: string;
  /** A division code: alerts at or below it. */
  division?: string;
  device?: string;
  rule?: string;
  /** Raised (observation time) at or after. */
  from?: string;
  /** Raised before. */
  to?: string;
  limit?: number;
  offset?: number;
}

/** Alerts inside the caller's scope, newest first (`alert.read`). */
export async function listAlerts(
  db: Db,
  principal: Principal,
  query: ListAlertsQuery = {},
): Promise<{ items: AlertView[]; total: number }> {
  authorize(principal, 'alert.read');
  let q = db.selectFrom('perception_alert');
  if (query.state) q = q.where('state', '=', query.state);
  if (query.severity) q = q.where('severity', '=', query.severity);
  if (query.plate) q = q.where('module_id', '=', query.plate);
  if (query.device) q = q.where('device_id', '=', query.device);
  if (query.rule) q = q.where('rule_code', '=', query.rule);
  if (query.division) q = q.where('division_code', 'like', likePrefix(query.division));
  if (query.from) q = q.where('raised_at', '>=', new Date(query.from));
  if (query.to) q = q.where('raised_at', '<', new Date(query.to));
  if (!isCityWide(principal)) {
    const prefixes = principal.divisionCodes;
    const departments = principal.departmentCodes;
    q = q.where((eb) =>
      eb.or([
        ...prefixes.map((p) => eb('division_code', 'like', likePrefix(p))),
        ...(departments.length ? [eb('department_code', 'in', departments)] : []),
        eb.lit(false),
      ]),
    );
  }
  const total = Number(
    ((await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst()) as { n: number }).n,
  );
  const rows = await q
    .selectAll()
    .orderBy('raised_at', 'desc')
    .orderBy('id')
    .limit(query.limit ?? 50)
    .offset(query.offset ?? 0)
    .execute();
  return { items: rows.map(alertView), total };
}

async function visibleRow(db: Db, principal: Principal, id: string, lock = false): Promise<AlertRow> {
  let q = db.selectFrom('perception_alert').selectAll().where('id', '=', id);
  if (lock) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  // Out of scope looks exactly like missing.
  if (!row || !visibleTo(principal, row))
    throw new NotFoundError('Alert not found.', 'alert.not_found', { id });
  return row;
}

/** One alert inside the caller's scope (`alert.read`). */
export async function getAlert(db: Db, principal: Principal, id: string): Promise<AlertView> {
  authorize(principal, 'alert.read');
  return alertView(await visibleRow(db, principal, id));
}

/** Takes a raised alert in hand (`alert.manage`); acknowledging it again changes nothing. */
export async function acknowledgeAlert(db: Db, id: string, actor: Actor): Promise<AlertView> {
  authorize(actor.principal, 'alert.manage');
  const result = await db.transaction().execute(async (trx) => {
    const row = await visibleRow(trx, actor.principal, id, true);
    if (row.state === 'acknowledged') return { row, changed: false };
    if (row.state !== 'raised')
      throw new ConflictError(`Alert ${id} is ${row.state}.`, 'alert.not_open', { id, state: row.state });
    const after = await trx
      .updateTable('perception_alert')
      .set({ state: 'acknowledged', acknowledged_by: actor.principal.id, acknowledged_at: actor.now })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAudit(trx, {
      actor: actor.principal.id,
      action: 'alert.acknowledge',
      objectType: 'alert',
      objectId: id,
      requestId: actor.requestId,
      before: { state: row.state },
      after: { state: after.state, acknowledgedBy: after.acknowledged_by },
      at: actor.now,
    });
    return { row: after, changed: true };
  });
  if (result.changed)
    await actor.bus?.publish(
      perceptionEvents.create(
        'alert.acknowledged',
        {
          alertId: id,
          rule: result.row.rule_code,
          deviceId: result.row.device_id,
          actor: actor.principal.id,
        },
        actor.now,
        `alert:${id}`,
      ),
    );
  return alertView(result.row);
}

/**
 * Ends an open alert by hand, with a note (`alert.manage`). The rule's evaluator keeps its
 * own state: while the condition goes on holding no new alert is raised; once it has cleared,
 * a new run raises a new alert.
 */
export async function resolveAlert(db: Db, id: string, note: string, actor: Actor): Promise<AlertView> {
  authorize(actor.principal, 'alert.manage');
  if (typeof note !== 'string' || note.trim() === '')
    throw new InvalidInputError(
      'A note is required to resolve an alert.',
      { field: 'note' },
      'alert.note_required',
    );
  const result = await db.transaction().execute(async (trx) => {
    const row = await visibleRow(trx, actor.principal, id, true);
    if (row.state === 'resolved')
      throw new ConflictError(`Alert ${id} is already resolved.`, 'alert.not_open', { id, state: row.state });
    const after = await trx
      .updateTable('perception_alert')
      .set({
        state: 'resolved',
        resolved_at: actor.now,
        resolved_by: actor.principal.id,
        resolution_note: note.trim(),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAudit(trx, {
      actor: actor.principal.id,
      action: 'alert.resolve',
      objectType: 'alert',
      objectId: id,
      requestId: actor.requestId,
      before: { state: row.state },
      after: { state: 'resolved', resolvedBy: actor.principal.id, note: note.trim() },
      at: actor.now,
    });
    return after;
  });
  await actor.bus?.publish(
    perceptionEvents.create(
      'alert.resolved',
      {
        alertId: id,
        rule: result.rule_code,
        deviceId: result.device_id,
        actor: actor.principal.id,
        resolvedAt: actor.now.toISOString(),
      },
      actor.now,
      `alert:${id}`,
    ),
  );
  return alertView(result);
}
