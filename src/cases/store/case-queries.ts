/**
 * Reading cases: one case (by id or number), its history, and filtered, paged lists
 * restricted to what the caller may see.
 */
import { sql } from 'kysely';
import type { Principal } from '../../identity/index.ts';
import type { Db, Urgency } from '../../kernel/index.ts';
import type { CaseHistory, CaseState, CaseView, Channel } from '../rules/case-model.ts';
import {
  caseHistory,
  caseReadReach,
  loadCaseDetail,
  loadVisibleCase,
  toCaseView,
  visibleTo,
} from './case-store.ts';
import { caseNotifications, type NotificationView } from '../outreach/notifications.ts';
import type { SlaLight } from '../rules/sla-clock.ts';

export interface CaseListFilter {
  state?: CaseState[];
  category?: string;
  urgency?: Urgency;
  channel?: Channel;
  /** Division code at any level (prefix match on the case's grid). */
  division?: string;
  /** Lead department. */
  department?: string;
  light?: SlaLight;
  reportedFrom?: Date;
  reportedTo?: Date;
  /** These cases only (those of them the caller may see). */
  ids?: string[];
  limit?: number;
  offset?: number;
}

export interface CaseList {
  items: CaseView[];
  total: number;
  limit: number;
  offset: number;
}

/** Lists the cases within the caller's reach (`case.read`, or `case.report` for its own), newest first. */
export async function listCases(db: Db, principal: Principal, filter: CaseListFilter): Promise<CaseList> {
  const reach = caseReadReach(principal);
  const limit = Math.min(Math.max(filter.limit ?? 50, 1), 500);
  const offset = Math.max(filter.offset ?? 0, 0);
  let q = db.selectFrom('case_record').where(visibleTo(principal, reach));
  if (filter.state?.length) q = q.where('state', 'in', filter.state);
  if (filter.category)
    q = q.where((eb) =>
      eb.or([eb('category', '=', filter.category!), eb('category', 'like', `${filter.category}.%`)]),
    );
  if (filter.urgency) q = q.where('urgency', '=', filter.urgency);
  if (filter.channel) q = q.where('channel', '=', filter.channel);
  if (filter.division)
    q = q.where((eb) =>
      eb.or([
        eb('grid_code', 'like', `${filter.division}%`),
        eb('district_code', 'like', `${filter.division}%`),
      ]),
    );
  if (filter.department) q = q.where('lead_department', '=', filter.department);
  if (filter.light) q = q.where('light', '=', filter.light);
  if (filter.reportedFrom) q = q.where('reported_at', '>=', filter.reportedFrom);
  if (filter.reportedTo) q = q.where('reported_at', '<', filter.reportedTo);
  if (filter.ids) q = q.where(sql<boolean>`id = any(${filter.ids}::text[])`);
  const [rows, count] = await Promise.all([
    q
      .selectAll()
      .orderBy('reported_at', 'desc')
      .orderBy('number', 'desc')
      .limit(limit)
      .offset(offset)
      .execute(),
    q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst(),
  ]);
  return {
    items: rows.map((r) => toCaseView(r)),
    total: Number(count?.n ?? 0),
    limit,
    offset,
  };
}

/** One case by id or number, with its stage, reporters (masked), duplicates and linkage. */
export async function getCase(db: Db, principal: Principal, idOrNumber: string): Promise<CaseView> {
  const row = await loadVisibleCase(db, principal, idOrNumber, caseReadReach(principal));
  return loadCaseDetail(db, principal, row);
}

/** The full history of a case, oldest first. */
export async function getCaseHistory(db: Db, principal: Principal, idOrNumber: string): Promise<CaseHistory> {
  const row = await loadVisibleCase(db, principal, idOrNumber, caseReadReach(principal));
  return { caseId: row.id, number: row.number, entries: await caseHistory(db, row.id) };
}

/** In-app notifications raised on a case (supervision notices, escalations, summons). */
export async function getCaseNotifications(
  db: Db,
  principal: Principal,
  idOrNumber: string,
): Promise<NotificationView[]> {
  const row = await loadVisibleCase(db, principal, idOrNumber, caseReadReach(principal));
  return caseNotifications(db, row.id);
}
