import { sql } from 'kysely';
import type { MigrationSet } from '../kernel/index.ts';

/** Tables of citizen participation (0500–0599). */
export const participationMigrations: MigrationSet = {
  '0500-participation-reports': {
    async up(db) {
      // One row per citizen report that came in through Open311 or the citizen API: its
      // follow token, the case it became, what the case engine does not keep (Open311
      // attributes, device and account ids) and the contact for status updates.
      await db.schema
        .createTable('participation_report')
        .addColumn('token', 'text', (c) => c.primaryKey())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('case_id', 'text')
        .addColumn('case_number', 'text')
        .addColumn('service_code', 'text', (c) => c.notNull())
        .addColumn('principal', 'jsonb', (c) => c.notNull())
        .addColumn('device_id', 'text')
        .addColumn('account_id', 'text')
        .addColumn('attributes', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
        .addColumn('contact_email', 'text')
        .addColumn('contact_phone', 'text')
        // The intake waiting in the queue (queued mode); cleared once the case exists.
        .addColumn('intake', 'jsonb')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('error', 'text')
        .addColumn('claimed_at', 'timestamptz')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('filed_at', 'timestamptz')
        .execute();
      await db.schema
        .createIndex('participation_report_case')
        .on('participation_report')
        .column('case_id')
        .execute();
      await db.schema
        .createIndex('participation_report_number')
        .on('participation_report')
        .column('case_number')
        .execute();
      await sql`create index participation_report_queued on participation_report (created_at) where status in ('queued', 'filing')`.execute(
        db,
      );
    },
  },
};
