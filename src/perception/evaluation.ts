/**
 * Evaluation: the rules of docs/perception.md#rule-semantics run on stored observations, once
 * (docs/perception.md#exactly-once). A batch of devices is evaluated in one transaction that
 * locks their state rows, reads their observations after each state's horizon from
 * `datahub_observation` (the table is the truth, not the bus event that woke us), feeds them
 * to the pure evaluator, applies its transitions to `perception_alert`, audits them and
 * writes the states back; the events go out after commit.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { type AuditEntry, appendAuditBatch } from '../audit/index.ts';
import type { Clock, Db, EventBus, Logger } from '../kernel/index.ts';
import type { CaseLinkStatus } from './alert-model.ts';
import { type PerceptionEvent, perceptionEvents } from './perception-events.ts';
import type { CatalogRule, RuleCatalog } from './rule-catalog.ts';
import {
  type AlertTransition,
  type DeviceState,
  DEFAULT_LATE_MINUTES,
  type EvaluatorOptions,
  newDeviceState,
  observe,
  type RuleObservation,
  readsOf,
  tick,
} from './rules/index.ts';

/** Who changes alerts on their own: the audit records' actor. */
export const PERCEPTION_ACTOR = 'system:perception';

/** At most this many devices are evaluated in one transaction. */
export const EVALUATION_BATCH = 100;

/** What an evaluation needs: the app's database, clock, bus and rules. */
export interface EvaluationContext {
  readonly db: Db;
  readonly clock: Clock;
  readonly bus: EventBus;
  readonly logger: Logger;
  readonly catalog: RuleCatalog;
  /** Whether alerts of rules with `createCase` are to open cases (the app has cases). */
  readonly opensCases: boolean;
  readonly options?: EvaluatorOptions;
}

/** What one evaluation did. */
export interface EvaluationReport {
  devices: number;
  observations: number;
  raised: number;
  resolved: number;
  /** Alerts whose case is now to be reported. */
  casesPending: number;
}

interface DeviceRow {
  id: string;
  sensor_type: string;
  lat: number | null;
  lon: number | null;
  division_code: string | null;
  district_code: string | null;
  department_code: string | null;
}

interface OpenAlert {
  id: string;
  state: string;
  case_id: string | null;
  case_number: string | null;
  case_closed_at: Date | null;
}

const MINUTE = 60_000;

/**
 * How far before a new state's `since` its first read looks back: the longest window or
 * absence its rules read, plus the allowed lateness, so a device watched from now is judged
 * on what its rules need of the recent past.
 */
function lookbackMs(rules: readonly CatalogRule[], options: EvaluatorOptions): number {
  let back = 0;
  for (const rule of rules) for (const minutes of readsOf(rule).values()) back = Math.max(back, minutes);
  return (back + (options.lateMinutes ?? DEFAULT_LATE_MINUTES)) * MINUTE;
}

/**
 * Evaluates the devices (at most {@link EVALUATION_BATCH}) in one transaction; with `tickAt`,
 * also tells their evaluators the time (absences, and instants without new observations).
 * Devices without rules, or unknown, are skipped.
 */
export async function evaluateDevices(
  ctx: EvaluationContext,
  deviceIds: readonly string[],
  tickAt?: Date,
): Promise<EvaluationReport> {
  const report: EvaluationReport = { devices: 0, observations: 0, raised: 0, resolved: 0, casesPending: 0 };
  const ids = [...new Set(deviceIds)].sort();
  if (ids.length === 0) return report;
  const options = ctx.options ?? {};
  const events: PerceptionEvent[] = [];
  await ctx.db.transaction().execute(async (trx) => {
    events.length = 0;
    Object.assign(report, { devices: 0, observations: 0, raised: 0, resolved: 0, casesPending: 0 });
    const now = ctx.clock.now();
    const devices = (await trx
      .selectFrom('datahub_device')
      .select(['id', 'sensor_type', 'lat', 'lon', 'division_code', 'district_code', 'department_code'])
      .where('id', 'in', ids)
      .execute()) as DeviceRow[];
    const watched = devices
      .filter((d) => ctx.catalog.ofSensorType(d.sensor_type).length > 0)
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    if (watched.length === 0) return;
    // A state for every watched device, then every state locked, in id order (no deadlock
    // between two nodes' batches).
    await trx
      .insertInto('perception_device_state')
      .values(
        watched.map((d) => ({
          device_id: d.id,
          state: JSON.stringify(newDeviceState(d.id, now.getTime())),
          updated_at: now,
        })),
      )
      .onConflict((oc) => oc.column('device_id').doNothing())
      .execute();
    const stateRows = await trx
      .selectFrom('perception_device_state')
      .select(['device_id', 'state'])
      .where(
        'device_id',
        'in',
        watched.map((d) => d.id),
      )
      .orderBy('device_id')
      .forUpdate()
      .execute();
    const states = new Map(stateRows.map((r) => [r.device_id, r.state as DeviceState]));

    // Everything after each horizon (a new state: after since − the rules' look-back).
    const after = watched.map((d) => {
      const s = states.get(d.id)!;
      const from = s.horizon ?? s.since - lookbackMs(ctx.catalog.ofSensorType(d.sensor_type), options);
      return { device_id: d.id, after: new Date(from).toISOString() };
    });
    const observed = await sql<{ device_id: string; property: string; time: Date; value: number }>`
      select s.device_id, s.property, o.time, o.value
      from jsonb_to_recordset(${JSON.stringify(after)}::jsonb) as b(device_id text, after timestamptz)
      join datahub_datastream s on s.device_id = b.device_id
      join datahub_observation o on o.datastream_id = s.id and o.time > b.after
      where o.quality <> 'bad'
      order by o.time, s.device_id, s.property`.execute(trx);
    const byDevice = new Map<string, RuleObservation[]>();
    for (const o of observed.rows) {
      const list = byDevice.get(o.device_id) ?? [];
      const at = new Date(o.time).getTime();
      list.push({
        property: o.property,
        at,
        value: o.value,
        id: `${o.device_id}.${o.property}@${new Date(at).toISOString()}`,
      });
      byDevice.set(o.device_id, list);
    }
    report.observations = observed.rows.length;

    const transitions: { device: DeviceRow; tr: AlertTransition }[] = [];
    for (const d of watched) {
      const rules = ctx.catalog.ofSensorType(d.sensor_type);
      const state = states.get(d.id)!;
      const step = observe(rules, state, byDevice.get(d.id) ?? [], options);
      for (const tr of step.transitions) transitions.push({ device: d, tr });
      if (tickAt)
        for (const tr of tick(rules, state, tickAt.getTime(), options).transitions)
          transitions.push({ device: d, tr });
    }
    report.devices = watched.length;

    const open = new Map<string, OpenAlert>();
    if (transitions.length > 0) {
      const rows = await trx
        .selectFrom('perception_alert')
        .select(['id', 'rule_code', 'device_id', 'state', 'case_id', 'case_number', 'case_closed_at'])
        .where('device_id', 'in', [...new Set(transitions.map((t) => t.device.id))])
        .where('state', 'in', ['raised', 'acknowledged'])
        .orderBy('id')
        .forUpdate()
        .execute();
      for (const r of rows) open.set(`${r.rule_code}\u0000${r.device_id}`, r);
    }
    const audit: AuditEntry[] = [];
    for (const { device, tr } of transitions) {
      const key = `${tr.rule}\u0000${tr.device}`;
      const current = open.get(key);
      if (tr.kind === 'raise') {
        // A manual resolution leaves the evaluator's run open; an open alert is never doubled.
        if (current) continue;
        const rule = ctx.catalog.rule(tr.rule);
        if (!rule) continue;
        const id = `alert-${randomUUID()}`;
        let caseStatus: CaseLinkStatus = 'none';
        let caseError: string | null = null;
        if (rule.createCase && ctx.opensCases) {
          if (device.lat === null || device.lon === null) {
            caseStatus = 'failed';
            caseError = 'The device has no location, so no case can be reported.';
          } else caseStatus = 'pending';
        }
        const row = {
          id,
          rule_code: rule.code,
          rule_version: tr.version,
          device_id: device.id,
          module_id: rule.moduleId,
          severity: rule.severity,
          state: 'raised' as const,
          raised_at: new Date(tr.at),
          raised_seen_at: now,
          since: new Date(tr.since),
          values: JSON.stringify(tr.values),
          evidence: JSON.stringify(tr.evidence),
          lat: device.lat,
          lon: device.lon,
          division_code: device.division_code,
          district_code: device.district_code,
          department_code: device.department_code,
          case_status: caseStatus,
          case_category: rule.createCase?.category ?? null,
          case_urgency: rule.createCase?.urgency ?? null,
          case_error: caseError,
        };
        await trx.insertInto('perception_alert').values(row).execute();
        open.set(key, { id, state: 'raised', case_id: null, case_number: null, case_closed_at: null });
        report.raised++;
        if (caseStatus === 'pending') report.casesPending++;
        audit.push({
          actor: PERCEPTION_ACTOR,
          action: 'alert.raise',
          objectType: 'alert',
          objectId: id,
          after: { ...row, values: tr.values, evidence: tr.evidence },
          at: now,
        });
        events.push(
          perceptionEvents.create(
            'alert.raised',
            {
              alertId: id,
              rule: rule.code,
              deviceId: device.id,
              severity: rule.severity,
              raisedAt: new Date(tr.at).toISOString(),
              values: [...tr.values],
              divisionCode: device.division_code,
              districtCode: device.district_code,
            },
            now,
            `alert:${id}`,
          ),
        );
      } else if (tr.kind === 'repeat') {
        if (!current) continue;
        await trx
          .updateTable('perception_alert')
          .set({ repeats: tr.count })
          .where('id', '=', current.id)
          .execute();
      } else {
        if (!current) continue;
        const note =
          tr.reason !== 'condition'
            ? `Resolved because the rule ${tr.reason === 'rule-changed' ? 'changed' : 'was removed'}.`
            : current.case_id && !current.case_closed_at
              ? `The condition cleared while case ${current.case_number} was still open.`
              : null;
        const resolvedAt = new Date(tr.at);
        await trx
          .updateTable('perception_alert')
          .set({
            state: 'resolved',
            resolved_at: resolvedAt,
            resolved_by: null,
            resolution_note: note,
            repeats: tr.repeats,
          })
          .where('id', '=', current.id)
          .execute();
        open.delete(key);
        report.resolved++;
        audit.push({
          actor: PERCEPTION_ACTOR,
          action: 'alert.resolve',
          objectType: 'alert',
          objectId: current.id,
          before: { state: current.state },
          after: { state: 'resolved', resolvedAt: resolvedAt.toISOString(), reason: tr.reason, note },
          at: now,
        });
        events.push(
          perceptionEvents.create(
            'alert.resolved',
            {
              alertId: current.id,
              rule: tr.rule,
              deviceId: tr.device,
              actor: null,
              resolvedAt: resolvedAt.toISOString(),
            },
            now,
            `alert:${current.id}`,
          ),
        );
      }
    }
    if (audit.length > 0) await appendAuditBatch(trx, audit);
    const written = watched.map((d) => ({ device_id: d.id, state: states.get(d.id)! }));
    await sql`
      update perception_device_state p set state = w.state, updated_at = ${now}
      from jsonb_to_recordset(${JSON.stringify(written)}::jsonb) as w(device_id text, state jsonb)
      where p.device_id = w.device_id`.execute(trx);
  });
  for (const event of events) await ctx.bus.publish(event);
  return report;
}
