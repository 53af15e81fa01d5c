/** The organization's tables (migrations in org-migrations.ts), added to the kernel's `Database`. */
import type { Generated } from 'kysely';
import type { Json, Timestamp } from '../kernel/index.ts';

/** `org_division`: one administrative division with its boundary (GeoJSON) and bounding box. */
export interface OrgDivisionTable {
  code: string;
  level: string;
  parent_code: string | null;
  name_zh: string;
  name_en: string;
  boundary: Json<unknown>;
  min_lon: number;
  min_lat: number;
  max_lon: number;
  max_lat: number;
  area_m2: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** `org_department`: a functional department or street office, with the divisions it covers. */
export interface OrgDepartmentTable {
  code: string;
  name_zh: string;
  name_en: string;
  kind: string;
  parent_code: string | null;
  division_codes: Json<string[]>;
  source: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** `org_post`: a post in a department and who holds it. */
export interface OrgPostTable {
  code: string;
  department_code: string;
  name_zh: string;
  name_en: string;
  role: string | null;
  holder_ids: Json<string[]>;
  updated_at: Timestamp;
}

/** `org_responsibility_grid`: a grid of responsibility and its workers. */
export interface OrgResponsibilityGridTable {
  code: string;
  name_zh: string;
  name_en: string;
  division_code: string;
  grid_codes: Json<string[]>;
  worker_ids: Json<string[]>;
  updated_at: Timestamp;
}

/** `org_responsibility_rule`: one rule of the responsibility list, valid over a range of versions. */
export interface OrgResponsibilityRuleTable {
  row_id: Generated<number>;
  rule_id: string;
  category: string;
  division_code: string;
  lead: string;
  assist: Json<string[]>;
  note: string;
  from_version: number;
  to_version: number | null;
}

/** `org_responsibility_version`: one published version of the responsibility list. */
export interface OrgResponsibilityVersionTable {
  version: number;
  created_at: Timestamp;
  actor: string;
  note: string;
}

declare module '../kernel/index.ts' {
  interface Database {
    org_division: OrgDivisionTable;
    org_department: OrgDepartmentTable;
    org_post: OrgPostTable;
    org_responsibility_grid: OrgResponsibilityGridTable;
    org_responsibility_rule: OrgResponsibilityRuleTable;
    org_responsibility_version: OrgResponsibilityVersionTable;
  }
}
