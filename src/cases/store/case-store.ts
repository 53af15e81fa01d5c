/**
 * Reading and writing case rows: the row shape, the view the API returns, who may see a
 * case (jurisdiction, departments, own reports) and the history log.
 */
import {
  type Expression,
  type ExpressionBuilder,
  type RawBuilder,
  type Selectable,
  type SqlBool,
  sql,
} from 'kysely';
import { authorizeAny, inJurisdiction, maskPersonalData, type Principal } from '../../identity/index.ts';
import { arrayFromJson, type Database, type Db, NotFoundError, rowsFromJson } from '../../kernel/index.ts';
import {
  type CaseState,
  type CaseView,
  ESCALATION_LEVELS,
  type HistoryEntry,
  type LinkageView,
  type Reporter,
} from '../rules/case-model.ts';
import type { CaseLinkageTable, CaseRecordTable, CaseReporterTable, CaseStageTable } from './case-tables.ts';

/** A row of `case_record`. */
export type CaseRow = Selectable<CaseRecordTable>;

/** A row of `case_stage`. */
export type StageRow = Selectable<CaseStageTable>;

/** case_record's timestamp columns, for rows read as JSON (a test holds the list to the table). */
export const CASE_TIMESTAMPS = [
  'handle_deadline',
  'reported_at',
  'filed_at',
  'dispatched_at',
  'accepted_at',
  'handled_at',
  'closed_at',
  'evaluated_at',
  'updated_at',
] as const satisfies ReadonlyArray<keyof CaseRow>;

/** case_stage's timestamp columns, likewise. */
export const STAGE_TIMESTAMPS = [
  'running_since',
  'started_at',
  'yellow_at',
  'deadline',
  'supervised_at',
  'escalated_at',
  'ended_at',
] as const satisfies ReadonlyArray<keyof StageRow>;

/** Cases selected with `wholeRowJson('case_record')` (kernel storage). */
export const casesFromJson = (rows: ReadonlyArray<{ j: string }>): CaseRow[] =>
  rowsFromJson<CaseRow>(rows, CASE_TIMESTAMPS);

/** Stages selected with `wholeRowJson('case_stage')`. */
export const stagesFromJson = (rows: ReadonlyArray<{ j: string }>): StageRow[] =>
  rowsFromJson<StageRow>(rows, STAGE_TIMESTAMPS);

const UUIDISH = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Finds a case by id or case number; `forUpdate` locks the row for a transition. */
export async function findCaseRow(
  db: Db,
  idOrNumber: string,
  forUpdate = false,
): Promise<CaseRow | undefined> {
  let q = db
    .selectFrom('case_record')
    .selectAll()
    .where(UUIDISH.test(idOrNumber) ? 'id' : 'number', '=', idOrNumber);
  if (forUpdate) q = q.forUpdate();
  return await q.executeTakeFirst();
}

/** Departments summoned to a case by whistles. */
export async function summonedDepartments(db: Db, caseId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('case_linkage')
    .select('department')
    .where('case_id', '=', caseId)
    .execute();
  return [...new Set(rows.map((r) => r.department as string))];
}

/**
 * How far a caller sees cases: everything inside its jurisdiction (`case.read`, and any
 * action's permission for the case it acts on), or only the cases it reported (`case.report`
 * without `case.read`: citizens, and API keys scoped to reporting).
 */
export type CaseReach = 'jurisdiction' | 'own';

/**
 * The reach of a caller's case reads (lists, one case, its history and notices, the inbox,
 * the live stream); 401 anonymous, 403 `forbidden` with neither `case.read` nor `case.report`.
 */
export function caseReadReach(principal: Principal): CaseReach {
  return authorizeAny(principal, ['case.read', 'case.report']) === 'case.read' ? 'jurisdiction' : 'own';
}

/**
 * True when the principal may see the case: with reach `jurisdiction`, inside their
 * divisions, sent to (or summoned) one of their departments, or reported by them; with reach
 * `own`, reported by them.
 */
export async function canSeeCase(
  db: Db,
  principal: Principal,
  row: CaseRow,
  reach: CaseReach,
): Promise<boolean> {
  if (principal.kind === 'anonymous') return false;
  if (row.reported_by === principal.id) return true;
  if (reach === 'jurisdiction') {
    if (inJurisdiction(principal, row.grid_code ?? row.district_code)) return true;
    const depts = principal.departmentCodes;
    if (depts.length) {
      if (row.lead_department && depts.includes(row.lead_department)) return true;
      if (row.assist_departments.some((d) => depts.includes(d))) return true;
      if ((await summonedDepartments(db, row.id)).some((d) => depts.includes(d))) return true;
    }
  }
  const reporter = await db
    .selectFrom('case_reporter')
    .select('id')
    .where('case_id', '=', row.id)
    .where('user_id', '=', principal.id)
    .executeTakeFirst();
  return !!reporter;
}

/** Loads a case the principal can see; out of reach looks exactly like missing (404). */
export async function loadVisibleCase(
  db: Db,
  principal: Principal,
  idOrNumber: string,
  reach: CaseReach,
  forUpdate = false,
): Promise<CaseRow> {
  const row = await findCaseRow(db, idOrNumber, forUpdate);
  if (!row || !(await canSeeCase(db, principal, row, reach)))
    throw new NotFoundError(`Case ${idOrNumber} not found.`, 'case.not_found');
  return row;
}

/** The SQL form of {@link canSeeCase}, for lists. */
export function visibleTo(principal: Principal, reach: CaseReach) {
  return (eb: ExpressionBuilder<Database, 'case_record'>): Expression<SqlBool> => {
    if (principal.kind === 'anonymous') return sql<boolean>`false`;
    if (reach === 'jurisdiction' && inJurisdiction(principal, null)) return sql<boolean>`true`;
    const ors: Expression<SqlBool>[] = [eb('case_record.reported_by', '=', principal.id)];
    const divisions = reach === 'jurisdiction' ? principal.divisionCodes : [];
    const depts = reach === 'jurisdiction' ? principal.departmentCodes : [];
    for (const code of divisions) {
      ors.push(eb('case_record.grid_code', 'like', `${code}%`));
      ors.push(
        eb.and([
          eb('case_record.grid_code', 'is', null),
          eb('case_record.district_code', 'like', `${code}%`),
        ]),
      );
    }
    if (depts.length) {
      ors.push(eb('case_record.lead_department', 'in', depts));
      for (const d of depts)
        ors.push(sql<boolean>`case_record.assist_departments @> ${JSON.stringify([d])}::jsonb`);
      ors.push(
        eb.exists(
          eb
            .selectFrom('case_linkage')
            .select('case_linkage.case_id')
            .whereRef('case_linkage.case_id', '=', 'case_record.id')
            .where('case_linkage.department', 'in', depts),
        ),
      );
    }
    ors.push(
      eb.exists(
        eb
          .selectFrom('case_reporter')
          .select('case_reporter.id')
          .whereRef('case_reporter.case_id', '=', 'case_record.id')
          .where('case_reporter.user_id', '=', principal.id),
      ),
    );
    return eb.or(ors);
  };
}

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

/** The API view of a case row (without reporters, linkage or duplicates unless given). */
export function toCaseView(
  row: CaseRow,
  extra: {
    stage?: StageRow | null;
    duplicates?: CaseView['duplicateCandidates'];
    reporters?: Reporter[];
    linkage?: LinkageView[];
  } = {},
): CaseView {
  const stage = extra.stage;
  return {
    id: row.id,
    number: row.number,
    channel: row.channel,
    clientRequestId: row.client_request_id,
    category: row.category,
    urgency: row.urgency,
    state: row.state,
    resumeState: row.resume_state,
    version: row.version,
    location: { lat: row.lat, lon: row.lon, address: row.address },
    divisions: {
      grid: row.grid_code,
      community: row.community_code,
      street: row.street_code,
      district: row.district_code,
    },
    description: row.description,
    media: row.media,
    leadDepartment: row.lead_department,
    assistDepartments: row.assist_departments,
    responsibility: {
      ruleId: row.responsibility_rule_id,
      listVersion: row.responsibility_list_version,
      override: row.dispatch_override,
    },
    escalationLevel: ESCALATION_LEVELS[Math.min(row.escalation_level, ESCALATION_LEVELS.length - 1)],
    light: row.light,
    stage: stage
      ? {
          stage: stage.stage,
          round: stage.round,
          basis: stage.basis,
          limitMinutes: stage.limit_minutes,
          extensionMinutes: stage.extension_minutes,
          startedAt: iso(stage.started_at)!,
          deadline: iso(stage.deadline),
          paused: !stage.running_since,
          light: stage.light,
          endedAt: iso(stage.ended_at),
        }
      : null,
    deadlines: row.deadlines,
    extension: row.extension_status
      ? {
          status: row.extension_status,
          minutes:
            row.extension_status === 'pending'
              ? (row.extension_requested_minutes ?? 0)
              : row.extension_minutes,
        }
      : null,
    satisfaction: row.satisfaction,
    links: {
      mergedInto: row.merged_into_id,
      duplicateOf: row.duplicate_of_id,
      parentAlertId: row.parent_alert_id,
    },
    duplicateCandidates: extra.duplicates ?? [],
    ...(extra.reporters ? { reporters: extra.reporters } : {}),
    ...(extra.linkage ? { linkage: extra.linkage } : {}),
    reportedAt: iso(row.reported_at)!,
    updatedAt: iso(row.updated_at)!,
    closedAt: iso(row.closed_at),
  };
}

/** The full view of one case for a principal: stage, duplicates, masked reporters, linkage. */
export async function loadCaseDetail(db: Db, principal: Principal, row: CaseRow): Promise<CaseView> {
  return (await loadCaseDetails(db, [{ principal, row }]))[0];
}

/**
 * The full views of many cases at once, each for its own principal, in one statement (what a
 * group-committed batch answers with). An item may bring
 * its current stage (`stage`, null for none) when the caller has just written it; the
 * stages are read only for the others.
 */
export async function loadCaseDetails(
  db: Db,
  items: ReadonlyArray<{ principal: Principal; row: CaseRow; stage?: StageRow | null }>,
): Promise<CaseView[]> {
  if (items.length === 0) return [];
  const ids = [...new Set(items.map((i) => i.row.id))];
  const unknownStages = [...new Set(items.filter((i) => i.stage === undefined).map((i) => i.row.id))];
  // One statement, each list one JSON text: four queries cost PGlite four round trips and a
  // wire parse of every column of every row (docs/benchmarks-log.md). A candidate's number is
  // kept on its candidate row (0459): no lookup in case_record. Candidates at the same
  // distance in number order, as intake chose them (a 14-digit number is past a 13-digit one).
  const { rows } = await sql<{ stages: string; duplicates: string; reporters: string; linkage: string }>`
    select
      (select coalesce(json_agg(s order by s.id), '[]')::text from case_stage s
        where s.case_id = any(${unknownStages}::text[]) and s.ended_at is null) as stages,
      (select coalesce(json_agg(json_build_object(
          'case_id', d.case_id, 'id', d.candidate_id, 'number', d.candidate_number, 'distance_m', d.distance_m)
          order by d.distance_m, length(d.candidate_number), d.candidate_number), '[]')::text
        from case_duplicate d where d.case_id = any(${ids}::text[])) as duplicates,
      (select coalesce(json_agg(r order by r.id), '[]')::text from case_reporter r
        where r.case_id = any(${ids}::text[])) as reporters,
      (select coalesce(json_agg(l order by l.whistle_id, l.department), '[]')::text from case_linkage l
        where l.case_id = any(${ids}::text[])) as linkage`.execute(db);
  const lists = rows[0];
  const stages = arrayFromJson<StageRow>(lists.stages, STAGE_TIMESTAMPS);
  const duplicates = arrayFromJson<{ case_id: string; id: string; number: string; distance_m: number }>(
    lists.duplicates,
  );
  const reporters = arrayFromJson<ReporterRow>(lists.reporters);
  const linkage = arrayFromJson<LinkageRow>(lists.linkage, LINKAGE_TIMESTAMPS);
  const group = <T extends { case_id: string }>(rows: T[]) => {
    const m = new Map<string, T[]>();
    for (const r of rows) {
      const list = m.get(r.case_id);
      if (list) list.push(r);
      else m.set(r.case_id, [r]);
    }
    return m;
  };
  const stageOf = new Map<string, StageRow>();
  for (const s of stages) stageOf.set(s.case_id, s); // ordered by id: the last wins
  const dups = group(duplicates);
  const reps = group(reporters);
  const links = group(linkage);
  return items.map(({ principal, row, stage }) =>
    viewOf(
      principal,
      row,
      stage !== undefined ? stage : (stageOf.get(row.id) ?? null),
      dups.get(row.id) ?? [],
      reps.get(row.id) ?? [],
      links.get(row.id) ?? [],
    ),
  );
}

/** The columns of `case_reporter` a case's view shows. */
type ReporterRow = Pick<
  Selectable<CaseReporterTable>,
  'case_id' | 'source_case_id' | 'user_id' | 'name' | 'phone' | 'email' | 'address' | 'consent'
>;

/** The columns of `case_linkage` a case's view shows, and its timestamps among them. */
type LinkageRow = Pick<
  Selectable<CaseLinkageTable>,
  'case_id' | 'whistle_id' | 'department' | 'deadline' | 'reported_in_at' | 'missed' | 'rating'
>;
const LINKAGE_TIMESTAMPS = ['deadline', 'reported_in_at'] as const satisfies ReadonlyArray<keyof LinkageRow>;

function viewOf(
  principal: Principal,
  row: CaseRow,
  stage: StageRow | null,
  duplicates: Array<{ id: string; number: string; distance_m: number }>,
  reporters: ReporterRow[],
  linkage: LinkageRow[],
): CaseView {
  return toCaseView(row, {
    stage,
    duplicates: duplicates.map((d) => ({
      id: d.id,
      number: d.number,
      distanceMeters: Math.round(d.distance_m),
    })),
    reporters: reporters.map((r) => {
      const data = { name: r.name, phone: r.phone, email: r.email, address: r.address };
      const shown = r.user_id && r.user_id === principal.id ? data : maskPersonalData(principal, data);
      return { ...shown, consent: r.consent, sourceCaseId: r.source_case_id } as Reporter;
    }),
    linkage: linkage.map((l) => ({
      whistleId: Number(l.whistle_id),
      department: l.department,
      deadline: iso(l.deadline)!,
      reportedInAt: iso(l.reported_in_at),
      missed: l.missed,
      rating: l.rating,
    })),
  });
}

/** The open stage of a case, if any. */
export async function currentStage(db: Db, caseId: string): Promise<StageRow | null> {
  const row = await db
    .selectFrom('case_stage')
    .selectAll()
    .where('case_id', '=', caseId)
    .where('ended_at', 'is', null)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ?? null;
}

/**
 * Inserts many rows in one statement whose only parameter is the rows as JSON
 * (`jsonb_populate_recordset`): on PGlite this is cheaper per row than a multi-row
 * VALUES list, whose every value is a separate bind parameter. Columns are the first row's
 * keys; JSON columns take plain objects, timestamps ISO strings (or Dates).
 */
export async function insertRows<R = Record<string, unknown>>(
  db: Db,
  table: string,
  rows: ReadonlyArray<Record<string, unknown>>,
  options: { returning?: readonly string[]; onConflict?: RawBuilder<unknown> } = {},
): Promise<R[]> {
  return insertRowsTogether<R>(db, [{ table, rows, onConflict: options.onConflict }], {
    returning: options.returning,
  });
}

/** Rows for one table, as {@link insertRows} takes them. */
export interface TableRows {
  table: string;
  rows: ReadonlyArray<object>;
  onConflict?: RawBuilder<unknown>;
}

/**
 * Writes rows into several tables in ONE statement: each table's insert is a data-modifying
 * CTE of the last one (PostgreSQL runs every one of them exactly once), and the last may
 * return columns. One round trip instead of one per table. The inserts run in no set order
 * and cannot read each other's rows, so none may depend on another's (a trigger or a
 * conflict check that reads a sibling's table would not see its rows).
 */
export async function insertRowsTogether<R = Record<string, unknown>>(
  db: Db,
  parts: readonly TableRows[],
  options: { returning?: readonly string[] } = {},
): Promise<R[]> {
  const nonEmpty = parts.filter((p) => p.rows.length > 0);
  const last = nonEmpty.at(-1);
  if (!last) return [];
  const insertOf = (p: TableRows) => {
    const columns = sql.join(Object.keys(p.rows[0]).map((c) => sql.ref(c)));
    return sql`insert into ${sql.table(p.table)} (${columns})
      select ${columns} from jsonb_populate_recordset(null::${sql.table(p.table)}, ${JSON.stringify(p.rows)}::jsonb)
      ${p.onConflict ?? sql``}`;
  };
  const ctes = nonEmpty.slice(0, -1).map((p, i) => sql`${sql.raw(`w${i}`)} as (${insertOf(p)})`);
  // Only the last part returns rows; when it has none, there is nothing to return.
  const returns = options.returning !== undefined && last === parts.at(-1);
  const { rows } = await sql<R>`
    ${ctes.length ? sql`with ${sql.join(ctes)}` : sql``}
    ${insertOf(last)}
    ${returns ? sql`returning ${sql.join(options.returning!.map((c) => (c === '*' ? sql`*` : sql.ref(c))))}` : sql``}`.execute(
    db,
  );
  return returns ? rows : [];
}

/** Appends a history row. */
export async function appendHistory(
  db: Db,
  entry: {
    caseId: string;
    action: string;
    from: CaseState | null;
    to: CaseState | null;
    actor: string;
    roles: readonly string[];
    params: Record<string, unknown>;
    at: Date;
  },
): Promise<void> {
  await db
    .insertInto('case_history')
    .values({
      case_id: entry.caseId,
      action: entry.action,
      from_state: entry.from,
      to_state: entry.to,
      actor: entry.actor,
      actor_roles: JSON.stringify(entry.roles),
      params: JSON.stringify(entry.params),
      at: entry.at,
    })
    .execute();
}

/** The history of a case, oldest first. */
export async function caseHistory(db: Db, caseId: string): Promise<HistoryEntry[]> {
  const rows = await db
    .selectFrom('case_history')
    .selectAll()
    .where('case_id', '=', caseId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    seq: Number(r.id),
    action: r.action,
    fromState: r.from_state,
    toState: r.to_state,
    actor: r.actor,
    actorRoles: r.actor_roles,
    at: iso(r.at)!,
    params: r.params,
  }));
}
