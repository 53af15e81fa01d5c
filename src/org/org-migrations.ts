import { sql } from 'kysely';
import type { MigrationSet } from '../kernel/index.ts';

/** Tables of the organization: divisions, responsibility grids, departments, posts, the responsibility list. */
export const orgMigrations: MigrationSet = {
  '0100-org-divisions': {
    async up(db) {
      await db.schema
        .createTable('org_division')
        .addColumn('code', 'text', (c) => c.primaryKey())
        .addColumn('level', 'text', (c) => c.notNull())
        .addColumn('parent_code', 'text')
        .addColumn('name_zh', 'text', (c) => c.notNull())
        .addColumn('name_en', 'text', (c) => c.notNull())
        // GeoJSON Polygon or MultiPolygon; the bbox columns serve window queries without PostGIS.
        .addColumn('boundary', 'jsonb', (c) => c.notNull())
        .addColumn('min_lon', 'double precision', (c) => c.notNull())
        .addColumn('min_lat', 'double precision', (c) => c.notNull())
        .addColumn('max_lon', 'double precision', (c) => c.notNull())
        .addColumn('max_lat', 'double precision', (c) => c.notNull())
        .addColumn('area_m2', 'double precision', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await sql`create index org_division_parent on org_division (parent_code)`.execute(db);
      await sql`create index org_division_level on org_division (level, code)`.execute(db);

      await db.schema
        .createTable('org_responsibility_grid')
        .addColumn('code', 'text', (c) => c.primaryKey())
        .addColumn('name_zh', 'text', (c) => c.notNull())
        .addColumn('name_en', 'text', (c) => c.notNull())
        // The community (or any division) the responsibility grid lies in.
        .addColumn('division_code', 'text', (c) => c.notNull())
        .addColumn('grid_codes', 'jsonb', (c) => c.notNull())
        .addColumn('worker_ids', 'jsonb', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await sql`create index org_responsibility_grid_division on org_responsibility_grid (division_code)`.execute(
        db,
      );
    },
  },
  '0101-org-departments': {
    async up(db) {
      await db.schema
        .createTable('org_department')
        .addColumn('code', 'text', (c) => c.primaryKey())
        .addColumn('name_zh', 'text', (c) => c.notNull())
        .addColumn('name_en', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('parent_code', 'text')
        // Division codes the department serves (a prefix covers the subtree).
        .addColumn('division_codes', 'jsonb', (c) => c.notNull())
        // `core`, `admin`, or the id of the plate that declared it.
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await sql`create index org_department_parent on org_department (parent_code)`.execute(db);

      await db.schema
        .createTable('org_post')
        .addColumn('code', 'text', (c) => c.primaryKey())
        .addColumn('department_code', 'text', (c) => c.notNull())
        .addColumn('name_zh', 'text', (c) => c.notNull())
        .addColumn('name_en', 'text', (c) => c.notNull())
        .addColumn('role', 'text')
        .addColumn('holder_ids', 'jsonb', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await sql`create index org_post_department on org_post (department_code)`.execute(db);
    },
  },
  '0102-org-responsibility-list': {
    async up(db) {
      await db.schema
        .createTable('org_responsibility_version')
        .addColumn('version', 'integer', (c) => c.primaryKey())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('note', 'text', (c) => c.notNull())
        .execute();
      // A rule row is valid from `from_version` up to (not including) `to_version`; editing a
      // rule closes its row and opens a new one, so every version stays queryable.
      await db.schema
        .createTable('org_responsibility_rule')
        .addColumn('row_id', 'serial', (c) => c.primaryKey())
        .addColumn('rule_id', 'text', (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('division_code', 'text', (c) => c.notNull())
        .addColumn('lead', 'text', (c) => c.notNull())
        .addColumn('assist', 'jsonb', (c) => c.notNull())
        .addColumn('note', 'text', (c) => c.notNull())
        .addColumn('from_version', 'integer', (c) => c.notNull())
        .addColumn('to_version', 'integer')
        .execute();
      await sql`create index org_responsibility_rule_current on org_responsibility_rule (division_code) where to_version is null`.execute(
        db,
      );
      await sql`create index org_responsibility_rule_versions on org_responsibility_rule (from_version, to_version)`.execute(
        db,
      );
      await sql`create index org_responsibility_rule_id on org_responsibility_rule (rule_id)`.execute(db);
    },
  },
};
