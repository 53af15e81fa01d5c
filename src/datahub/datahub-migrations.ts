/**
 * The data hub's tables (docs/datahub.md describes each column). Observations are one
 * table partitioned by month on both engines (PGlite is PostgreSQL too); a default
 * partition catches rows outside the prepared months, and the maintenance job creates the
 * upcoming months ahead of time.
 */
import { type Kysely, sql } from 'kysely';
import type { MigrationSet } from '../kernel/index.ts';
import { ensureMonthlyPartitions } from './partitions.ts';

export const datahubMigrations: MigrationSet = {
  '0600-datahub-devices': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('datahub_device')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('sensor_type', 'text', (c) => c.notNull())
        .addColumn('module_id', 'text', (c) => c.notNull())
        .addColumn('lat', 'float8')
        .addColumn('lon', 'float8')
        .addColumn('division_code', 'text')
        .addColumn('district_code', 'text')
        .addColumn('department_code', 'text')
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
        .addColumn('offline', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('last_seen_at', 'timestamptz')
        .addColumn('key_hash', 'text', (c) => c.notNull().unique())
        .addColumn('key_prefix', 'text', (c) => c.notNull())
        .addColumn('key_rotated_at', 'timestamptz', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await sql`create index datahub_device_sensor_type on datahub_device (sensor_type)`.execute(db);
      await sql`create index datahub_device_division on datahub_device (division_code text_pattern_ops)`.execute(
        db,
      );
      await sql`create index datahub_device_liveness on datahub_device (last_seen_at) where not offline`.execute(
        db,
      );

      await db.schema
        .createTable('datahub_datastream')
        .addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
        .addColumn('device_id', 'text', (c) =>
          c.notNull().references('datahub_device.id').onDelete('cascade'),
        )
        .addColumn('property', 'text', (c) => c.notNull())
        .addColumn('name_zh', 'text', (c) => c.notNull())
        .addColumn('name_en', 'text', (c) => c.notNull())
        .addColumn('unit', 'text', (c) => c.notNull())
        .addColumn('min', 'float8')
        .addColumn('max', 'float8')
        .addColumn('derived', 'boolean', (c) => c.notNull().defaultTo(false))
        .addUniqueConstraint('datahub_datastream_device_property', ['device_id', 'property'])
        .execute();

      await db.schema
        .createTable('datahub_latest')
        .addColumn('datastream_id', 'bigint', (c) =>
          c.primaryKey().references('datahub_datastream.id').onDelete('cascade'),
        )
        .addColumn('time', 'timestamptz', (c) => c.notNull())
        .addColumn('value', 'float8', (c) => c.notNull())
        .addColumn('quality', 'text', (c) => c.notNull())
        .execute();
    },
  },
  '0601-datahub-observations': {
    async up(db: Kysely<unknown>) {
      // No foreign key to the datastream: deleting a device removes its observations in
      // the same transaction, and a key check per row would halve the ingestion rate.
      await sql`create table datahub_observation (
        datastream_id bigint not null,
        time timestamptz not null,
        value float8 not null,
        quality text not null default 'good',
        primary key (datastream_id, time)
      ) partition by range (time)`.execute(db);
      await sql`create table datahub_observation_default partition of datahub_observation default`.execute(
        db,
      );
      const { rows } = await sql<{ now: Date }>`select now() as now`.execute(db);
      await ensureMonthlyPartitions(db, new Date(rows[0].now), 1, 3);

      await db.schema
        .createTable('datahub_observation_hourly')
        .addColumn('datastream_id', 'bigint', (c) => c.notNull())
        .addColumn('hour', 'timestamptz', (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addColumn('min', 'float8', (c) => c.notNull())
        .addColumn('max', 'float8', (c) => c.notNull())
        .addColumn('sum', 'float8', (c) => c.notNull())
        .addPrimaryKeyConstraint('datahub_observation_hourly_pk', ['datastream_id', 'hour'])
        .execute();
      await db.schema
        .createTable('datahub_rollup_state')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('rolled_until', 'timestamptz', (c) => c.notNull())
        .execute();
    },
  },
  '0602-datahub-dead-letters': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('datahub_dead_letter')
        .addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
        .addColumn('received_at', 'timestamptz', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('topic', 'text')
        .addColumn('device_id', 'text')
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .execute();
      await sql`create index datahub_dead_letter_received on datahub_dead_letter (received_at)`.execute(db);
    },
  },
};
