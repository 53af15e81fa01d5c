/**
 * Perception's tables (docs/perception.md#storage): each watched device's evaluator state,
 * and the alerts, with at most one open alert per rule and device.
 */
import { type Kysely, sql } from 'kysely';
import type { MigrationSet } from '../kernel/index.ts';

export const perceptionMigrations: MigrationSet = {
  '0700-perception-state-and-alerts': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('perception_device_state')
        .addColumn('device_id', 'text', (c) => c.primaryKey())
        .addColumn('state', 'jsonb', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('perception_alert')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('rule_code', 'text', (c) => c.notNull())
        .addColumn('rule_version', 'integer', (c) => c.notNull())
        .addColumn('device_id', 'text', (c) => c.notNull())
        .addColumn('module_id', 'text', (c) => c.notNull())
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('raised_at', 'timestamptz', (c) => c.notNull())
        .addColumn('raised_seen_at', 'timestamptz', (c) => c.notNull())
        .addColumn('since', 'timestamptz', (c) => c.notNull())
        .addColumn('repeats', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('values', 'jsonb', (c) => c.notNull())
        .addColumn('evidence', 'jsonb', (c) => c.notNull())
        .addColumn('lat', 'float8')
        .addColumn('lon', 'float8')
        .addColumn('division_code', 'text')
        .addColumn('district_code', 'text')
        .addColumn('department_code', 'text')
        .addColumn('acknowledged_by', 'text')
        .addColumn('acknowledged_at', 'timestamptz')
        .addColumn('resolved_at', 'timestamptz')
        .addColumn('resolved_by', 'text')
        .addColumn('resolution_note', 'text')
        .addColumn('case_status', 'text', (c) => c.notNull())
        .addColumn('case_category', 'text')
        .addColumn('case_urgency', 'text')
        .addColumn('case_attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('case_claimed_at', 'timestamptz')
        .addColumn('case_error', 'text')
        .addColumn('case_id', 'text')
        .addColumn('case_number', 'text')
        .addColumn('case_closed_at', 'timestamptz')
        .addCheckConstraint('perception_alert_state', sql`state in ('raised', 'acknowledged', 'resolved')`)
        .addCheckConstraint(
          'perception_alert_case_status',
          sql`case_status in ('none', 'pending', 'opened', 'failed')`,
        )
        .execute();
      // Never a flood: one open alert per rule and device, whatever races.
      await sql`create unique index perception_alert_open on perception_alert (rule_code, device_id)
        where state in ('raised', 'acknowledged')`.execute(db);
      await sql`create index perception_alert_raised on perception_alert (raised_at desc, id)`.execute(db);
      await sql`create index perception_alert_division on perception_alert (division_code text_pattern_ops)`.execute(
        db,
      );
      await sql`create index perception_alert_device on perception_alert (device_id, raised_at desc)`.execute(
        db,
      );
      await sql`create index perception_alert_case on perception_alert (case_id) where case_id is not null`.execute(
        db,
      );
      await sql`create index perception_alert_case_pending on perception_alert (raised_seen_at)
        where case_status = 'pending'`.execute(db);
    },
  },
};
