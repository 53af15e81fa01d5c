import { sql } from 'kysely';
import type { MigrationSet } from '../../kernel/index.ts';

/** Tables of the closed loop (0400–0499). */
export const caseMigrations: MigrationSet = {
  '0400-cases-core': {
    async up(db) {
      // One counter row per local day: `insert … on conflict do update … returning` hands out
      // numbers under the row lock, so concurrent intakes never share one.
      await db.schema
        .createTable('case_number_counter')
        .addColumn('day', 'text', (c) => c.primaryKey())
        .addColumn('last', 'integer', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('case_record')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('number', 'text', (c) => c.notNull().unique())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('client_request_id', 'text')
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('urgency', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('resume_state', 'text')
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('lat', 'double precision', (c) => c.notNull())
        .addColumn('lon', 'double precision', (c) => c.notNull())
        .addColumn('address', 'text')
        .addColumn('grid_code', 'text')
        .addColumn('community_code', 'text')
        .addColumn('street_code', 'text')
        .addColumn('district_code', 'text')
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('media', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
        .addColumn('reported_by', 'text', (c) => c.notNull())
        .addColumn('lead_department', 'text')
        .addColumn('assist_departments', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
        .addColumn('responsibility_rule_id', 'text')
        .addColumn('responsibility_list_version', 'text')
        .addColumn('dispatch_override', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('escalation_level', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('stage', 'text')
        .addColumn('light', 'text')
        .addColumn('deadlines', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
        .addColumn('handle_deadline', 'timestamptz')
        .addColumn('extension_status', 'text')
        .addColumn('extension_minutes', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('extension_requested_minutes', 'integer')
        .addColumn('was_deferred', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('satisfaction', 'text')
        .addColumn('merged_into_id', 'text')
        .addColumn('duplicate_of_id', 'text')
        .addColumn('parent_alert_id', 'text')
        .addColumn('handled_by', 'text')
        .addColumn('reported_at', 'timestamptz', (c) => c.notNull())
        .addColumn('filed_at', 'timestamptz')
        .addColumn('dispatched_at', 'timestamptz')
        .addColumn('accepted_at', 'timestamptz')
        .addColumn('handled_at', 'timestamptz')
        .addColumn('closed_at', 'timestamptz')
        .addColumn('evaluated_at', 'timestamptz')
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await sql`create unique index case_record_request on case_record (channel, client_request_id) where client_request_id is not null`.execute(
        db,
      );
      await sql`create index case_record_state on case_record (state, reported_at)`.execute(db);
      await sql`create index case_record_category on case_record (category, state, reported_at)`.execute(db);
      await sql`create index case_record_grid on case_record (grid_code text_pattern_ops)`.execute(db);
      await sql`create index case_record_lead on case_record (lead_department, state)`.execute(db);
      await sql`create index case_record_reported_at on case_record (reported_at desc)`.execute(db);

      await db.schema
        .createTable('case_reporter')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('case_id', 'text', (c) => c.notNull().references('case_record.id'))
        .addColumn('source_case_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text')
        .addColumn('name', 'text')
        .addColumn('phone', 'text')
        .addColumn('email', 'text')
        .addColumn('address', 'text')
        .addColumn('consent', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await sql`create index case_reporter_case on case_reporter (case_id)`.execute(db);
      await sql`create index case_reporter_user on case_reporter (user_id) where user_id is not null`.execute(
        db,
      );

      await db.schema
        .createTable('case_history')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('case_id', 'text', (c) => c.notNull().references('case_record.id'))
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('from_state', 'text')
        .addColumn('to_state', 'text')
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('actor_roles', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
        .addColumn('params', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
        .addColumn('at', 'timestamptz', (c) => c.notNull())
        .execute();
      await sql`create index case_history_case on case_history (case_id, id)`.execute(db);
      await sql`create index case_history_action on case_history (action, at)`.execute(db);

      await db.schema
        .createTable('case_duplicate')
        .addColumn('case_id', 'text', (c) => c.notNull().references('case_record.id'))
        .addColumn('candidate_id', 'text', (c) => c.notNull().references('case_record.id'))
        .addColumn('distance_m', 'double precision', (c) => c.notNull())
        .addPrimaryKeyConstraint('case_duplicate_pk', ['case_id', 'candidate_id'])
        .execute();
    },
  },
  '0401-cases-sla': {
    async up(db) {
      await db.schema
        .createTable('case_stage')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('case_id', 'text', (c) => c.notNull().references('case_record.id'))
        .addColumn('stage', 'text', (c) => c.notNull())
        .addColumn('round', 'integer', (c) => c.notNull())
        .addColumn('basis', 'text', (c) => c.notNull())
        .addColumn('limit_minutes', 'double precision', (c) => c.notNull())
        .addColumn('extension_minutes', 'double precision', (c) => c.notNull().defaultTo(0))
        .addColumn('consumed_minutes', 'double precision', (c) => c.notNull().defaultTo(0))
        .addColumn('running_since', 'timestamptz')
        .addColumn('started_at', 'timestamptz', (c) => c.notNull())
        .addColumn('yellow_at', 'timestamptz')
        .addColumn('deadline', 'timestamptz')
        .addColumn('light', 'text', (c) => c.notNull().defaultTo('green'))
        .addColumn('supervised_at', 'timestamptz')
        .addColumn('escalated_at', 'timestamptz')
        .addColumn('ended_at', 'timestamptz')
        .addUniqueConstraint('case_stage_round', ['case_id', 'stage', 'round'])
        .execute();

      await db.schema
        .createTable('case_notification')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('case_id', 'text', (c) => c.notNull().references('case_record.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('recipient_user', 'text')
        .addColumn('recipient_department', 'text')
        .addColumn('recipient_role', 'text')
        .addColumn('recipient_division', 'text')
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('data', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('read_at', 'timestamptz')
        .execute();
      await sql`create index case_notification_case on case_notification (case_id)`.execute(db);
      await sql`create index case_notification_department on case_notification (recipient_department, created_at)`.execute(
        db,
      );
    },
  },
  '0402-cases-linkage': {
    async up(db) {
      await db.schema
        .createTable('case_whistle')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('case_id', 'text', (c) => c.notNull().references('case_record.id'))
        .addColumn('whistled_by', 'text', (c) => c.notNull())
        .addColumn('note', 'text')
        .addColumn('deadline', 'timestamptz', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('case_linkage')
        .addColumn('whistle_id', 'bigint', (c) => c.notNull().references('case_whistle.id'))
        .addColumn('case_id', 'text', (c) => c.notNull().references('case_record.id'))
        .addColumn('department', 'text', (c) => c.notNull())
        .addColumn('deadline', 'timestamptz', (c) => c.notNull())
        .addColumn('reported_in_at', 'timestamptz')
        .addColumn('reported_in_by', 'text')
        .addColumn('missed', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('rating', 'integer')
        .addColumn('rating_comment', 'text')
        .addColumn('rated_by', 'text')
        .addColumn('rated_at', 'timestamptz')
        .addPrimaryKeyConstraint('case_linkage_pk', ['whistle_id', 'department'])
        .execute();
      await sql`create index case_linkage_case on case_linkage (case_id)`.execute(db);
      await sql`create index case_linkage_department on case_linkage (department)`.execute(db);
    },
  },
};
