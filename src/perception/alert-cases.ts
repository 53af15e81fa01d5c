/**
 * The cases alerts open (docs/perception.md#cases): an alert of a rule with `createCase` is
 * written `pending`; after its commit a claim loop reports its case through the cases
 * capability's face, with the alert's id as the client request id, so a retry on any node
 * after any crash finds the same case; then the alert records the case. When the case
 * closes, the alert notes it.
 */
import { appendAudit } from '../audit/index.ts';
import { type CaseEngine, reportCase } from '../cases/index.ts';
import type { Principal } from '../identity/index.ts';
import { DomainError, type Db, type Logger, type Urgency } from '../kernel/index.ts';
import { PERCEPTION_ACTOR } from './evaluation.ts';
import type { RuleCatalog } from './rule-catalog.ts';
import type { LeafValue } from './rules/index.ts';

/** The platform reporting for its sensors: may report cases, nothing else of note. */
export const PERCEPTION_PRINCIPAL: Principal = Object.freeze({
  kind: 'service',
  id: 'service:perception',
  username: 'perception',
  roles: ['grid_worker'],
  departmentCodes: [],
  divisionCodes: [],
}) as Principal;

/** A claim older than this is taken to be lost (its node died) and claimed again. */
export const CASE_CLAIM_STALE_MS = 60_000;
/** After this many failed attempts (other than a refusal) the alert's case is given up. */
export const CASE_MAX_ATTEMPTS = 10;
const CLAIM_BATCH = 20;

export interface CaseLinkContext {
  readonly db: Db;
  readonly engine: CaseEngine;
  readonly catalog: RuleCatalog;
  readonly logger: Logger;
  readonly now: () => Date;
}

/** The case's description: the rule, the device, what was measured and when. */
export function caseDescription(
  alert: {
    id: string;
    rule_code: string;
    device_id: string;
    values: LeafValue[];
    since: Date;
    raised_at: Date;
  },
  catalog: RuleCatalog,
): string {
  const rule = catalog.rule(alert.rule_code);
  const name = rule ? `${rule.name['zh-CN']} / ${rule.name.en}` : alert.rule_code;
  const values = alert.values.map((v) => `${v.label} = ${v.value ?? 'unknown'}`).join('; ');
  return (
    `Sensor alert ${alert.id}: ${name} (rule ${alert.rule_code}) on device ${alert.device_id}. ` +
    `${values}. Held since ${new Date(alert.since).toISOString()}, raised at ${new Date(alert.raised_at).toISOString()}.`
  );
}

/**
 * Reports the cases of pending alerts, a batch at a time, until none is left to claim;
 * returns how many alerts got their case.
 */
export async function openPendingCases(ctx: CaseLinkContext): Promise<number> {
  let opened = 0;
  for (;;) {
    const now = ctx.now();
    const claimed = await ctx.db
      .updateTable('perception_alert')
      .set((eb) => ({ case_claimed_at: now, case_attempts: eb('case_attempts', '+', 1) }))
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('perception_alert')
          .select('id')
          .where('case_status', '=', 'pending')
          .where((w) =>
            w.or([
              w('case_claimed_at', 'is', null),
              w('case_claimed_at', '<', new Date(now.getTime() - CASE_CLAIM_STALE_MS)),
            ]),
          )
          .orderBy('raised_seen_at')
          .limit(CLAIM_BATCH)
          .forUpdate()
          .skipLocked(),
      )
      .returning([
        'id',
        'rule_code',
        'device_id',
        'values',
        'since',
        'raised_at',
        'lat',
        'lon',
        'case_category',
        'case_urgency',
        'case_attempts',
      ])
      .execute();
    if (claimed.length === 0) return opened;
    await Promise.all(
      claimed.map(async (alert) => {
        try {
          const { case: c } = await reportCase(ctx.engine, PERCEPTION_PRINCIPAL, {
            channel: 'sensor_alert',
            clientRequestId: alert.id,
            parentAlertId: alert.id,
            category: alert.case_category!,
            ...(alert.case_urgency ? { urgency: alert.case_urgency as Urgency } : {}),
            location: { lat: alert.lat!, lon: alert.lon! },
            description: caseDescription(alert, ctx.catalog),
          });
          await ctx.db.transaction().execute(async (trx) => {
            const done = await trx
              .updateTable('perception_alert')
              .set({ case_status: 'opened', case_id: c.id, case_number: c.number, case_error: null })
              .where('id', '=', alert.id)
              .where('case_status', '=', 'pending')
              .executeTakeFirst();
            if (Number(done.numUpdatedRows) === 0) return;
            await appendAudit(trx, {
              actor: PERCEPTION_ACTOR,
              action: 'alert.case_open',
              objectType: 'alert',
              objectId: alert.id,
              after: { caseId: c.id, caseNumber: c.number },
              at: ctx.now(),
            });
          });
          opened++;
        } catch (err) {
          // A refusal (outside the city, an unknown category) will not change by retrying.
          const refused =
            err instanceof DomainError &&
            !['unavailable', 'too_many_requests', 'conflict'].includes(err.kind);
          const giveUp = refused || alert.case_attempts >= CASE_MAX_ATTEMPTS;
          ctx.logger.warn({ err, alertId: alert.id }, 'perception: reporting an alert case failed');
          await ctx.db
            .updateTable('perception_alert')
            .set(
              giveUp
                ? { case_status: 'failed', case_error: (err as Error).message }
                : { case_error: (err as Error).message },
            )
            .where('id', '=', alert.id)
            .where('case_status', '=', 'pending')
            .execute()
            .catch((e) => ctx.logger.error({ err: e }, 'perception: cannot record a case failure'));
        }
      }),
    );
  }
}

/** Notes on the alerts of a closed case when it closed; audited once (the row update decides). */
export async function noteCaseClosed(db: Db, caseId: string, at: Date): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const rows = await trx
      .updateTable('perception_alert')
      .set({ case_closed_at: at })
      .where('case_id', '=', caseId)
      .where('case_closed_at', 'is', null)
      .returning(['id', 'case_number'])
      .execute();
    for (const row of rows)
      await appendAudit(trx, {
        actor: PERCEPTION_ACTOR,
        action: 'alert.case_closed',
        objectType: 'alert',
        objectId: row.id,
        after: { caseId, caseNumber: row.case_number, closedAt: at.toISOString() },
        at,
      });
    return rows.length;
  });
}
