import { sql } from 'kysely';
import type { MigrationSet } from '../kernel/index.ts';

export const identityMigrations: MigrationSet = {
  '0200-identity-users': {
    async up(db) {
      await db.schema
        .createTable('identity_user')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.notNull().unique())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('user', 'service')`))
        .addColumn('password_hash', 'text')
        .addColumn('roles', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
        .addColumn('department_codes', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
        .addColumn('division_codes', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
        .addColumn('phone', 'text')
        .addColumn('email', 'text')
        .addColumn('disabled_at', 'timestamptz')
        .addColumn('password_changed_at', 'timestamptz')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
        .execute();
    },
  },
  '0201-identity-sessions': {
    async up(db) {
      await db.schema
        .createTable('identity_session')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('identity_user.id'))
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
        .addColumn('revoked_at', 'timestamptz')
        .addColumn('address', 'text')
        .execute();
      await sql`create index identity_session_user on identity_session (user_id)`.execute(db);
    },
  },
  '0202-identity-api-keys': {
    async up(db) {
      await db.schema
        .createTable('identity_api_key')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('identity_user.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('key_hash', 'text', (c) => c.notNull().unique())
        .addColumn('scopes', sql`text[]`, (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'timestamptz')
        .addColumn('revoked_at', 'timestamptz')
        .addColumn('last_used_at', 'timestamptz')
        .execute();
    },
  },
  '0203-identity-login-throttle': {
    async up(db) {
      await db.schema
        .createTable('identity_login_throttle')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('failures', 'integer', (c) => c.notNull())
        .addColumn('window_start', 'timestamptz', (c) => c.notNull())
        .addColumn('locked_until', 'timestamptz')
        .execute();
    },
  },
  '0204-identity-login-throttle-window-index': {
    async up(db) {
      // The pruning job's oldest-first scan (login-throttle.ts, pruneThrottleRows).
      await db.schema
        .createIndex('identity_login_throttle_window_start')
        .on('identity_login_throttle')
        .column('window_start')
        .execute();
    },
  },
};
