/**
 * The in-app inbox of a user: the case notifications addressed to them — to the user, to
 * one of their roles in one of their departments, or to one of their roles in a division
 * inside their jurisdiction — with a read mark per user (a notice to a department's
 * leaders is read by each leader separately).
 *
 * Escalations address two levels that are not roles: `district_government` reaches the
 * members of the district government department (`district-gov-<district>`), and
 * `city_command_center` reaches dispatchers and city leaders whose jurisdiction covers it.
 *
 * The inbox is read like cases (`caseReadReach`): with `case.read` everything above; with
 * `case.report` only (citizens, keys scoped to reporting) the notices addressed to the user.
 */
import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import { isCityWide, type Principal } from '../../identity/index.ts';
import { type Database, NotFoundError } from '../../kernel/index.ts';
import type { CaseEngine } from '../case-engine.ts';
import { type CaseReach, caseReadReach } from '../store/case-store.ts';

export interface InboxItem {
  id: number;
  caseId: string;
  caseNumber: string | null;
  kind: string;
  message: string;
  data: Record<string, unknown>;
  createdAt: string;
  read: boolean;
  readAt: string | null;
}

export interface Inbox {
  items: InboxItem[];
  unread: number;
  total: number;
}

/** The notifications as the inbox's queries name them: `case_notification as n`. */
type AliasedNotifications = { n: Database['case_notification'] };

/** The SQL condition "this notification is addressed to the principal" (within its reach). */
function addressedTo(p: Principal, reach: CaseReach) {
  return (eb: ExpressionBuilder<AliasedNotifications, 'n'>): Expression<SqlBool> => {
    const ors: Expression<SqlBool>[] = [eb('n.recipient_user', '=', p.id)];
    if (reach === 'own') return eb.or(ors);
    const roles: string[] = [...p.roles];
    if (p.roles.includes('dispatcher') || p.roles.includes('city_leader')) roles.push('city_command_center');
    const inScope = (): Expression<SqlBool> => {
      if (isCityWide(p)) return sql<boolean>`true`;
      if (p.divisionCodes.length === 0) return sql<boolean>`false`;
      return eb.or(p.divisionCodes.map((code) => eb('n.recipient_division', 'like', `${code}%`)));
    };
    if (p.departmentCodes.length) {
      ors.push(
        eb.and([
          eb('n.recipient_department', 'in', p.departmentCodes),
          eb.or([eb('n.recipient_role', 'is', null), eb('n.recipient_role', 'in', roles)]),
        ]),
      );
      const govs = p.departmentCodes.filter((d) => d.startsWith('district-gov-'));
      if (govs.length)
        ors.push(
          eb.and([
            eb('n.recipient_role', '=', 'district_government'),
            eb(sql`'district-gov-' || n.recipient_division`, 'in', govs),
          ]),
        );
    }
    ors.push(
      eb.and([
        eb('n.recipient_department', 'is', null),
        eb('n.recipient_user', 'is', null),
        eb('n.recipient_role', 'in', roles),
        eb.or([eb('n.recipient_division', 'is', null), inScope()]),
      ]),
    );
    return eb.or(ors);
  };
}

/** The principal's notifications, newest first. */
export async function listInbox(
  engine: CaseEngine,
  principal: Principal,
  options: { unreadOnly?: boolean; limit?: number; offset?: number } = {},
): Promise<Inbox> {
  const reach = caseReadReach(principal);
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 200);
  const offset = Math.max(options.offset ?? 0, 0);
  const base = engine.db
    .selectFrom('case_notification as n')
    .leftJoin('case_notification_read as r', (j) =>
      j.onRef('r.notification_id', '=', 'n.id').on('r.user_id', '=', principal.id),
    )
    .where(addressedTo(principal, reach));
  const filtered = options.unreadOnly ? base.where('r.read_at', 'is', null) : base;
  const [rows, counts] = await Promise.all([
    filtered
      .leftJoin('case_record as c', 'c.id', 'n.case_id')
      .select(['n.id', 'n.case_id', 'c.number', 'n.kind', 'n.message', 'n.data', 'n.created_at', 'r.read_at'])
      .orderBy('n.id', 'desc')
      .limit(limit)
      .offset(offset)
      .execute(),
    base
      .select((eb) => [
        eb.fn.countAll().as('total'),
        sql<number>`count(*) filter (where r.read_at is null)`.as('unread'),
      ])
      .executeTakeFirst(),
  ]);
  return {
    items: rows.map((r) => ({
      id: Number(r.id),
      caseId: r.case_id,
      caseNumber: r.number ?? null,
      kind: r.kind,
      message: r.message,
      data: r.data,
      createdAt: new Date(r.created_at).toISOString(),
      read: !!r.read_at,
      readAt: r.read_at ? new Date(r.read_at).toISOString() : null,
    })),
    unread: Number(counts?.unread ?? 0),
    total: Number(counts?.total ?? 0),
  };
}

/** Marks one notification read for the principal (idempotent); 404 when not theirs. */
export async function markNotificationRead(
  engine: CaseEngine,
  principal: Principal,
  id: number,
): Promise<{ id: number; read: true }> {
  const reach = caseReadReach(principal);
  const mine = await engine.db
    .selectFrom('case_notification as n')
    .select('n.id')
    .where('n.id', '=', id)
    .where(addressedTo(principal, reach))
    .executeTakeFirst();
  if (!mine) throw new NotFoundError(`Notification ${id} not found.`, 'notification.not_found');
  await engine.db
    .insertInto('case_notification_read')
    .values({ notification_id: id, user_id: principal.id, read_at: engine.clock.now() })
    .onConflict((oc) => oc.columns(['notification_id', 'user_id']).doNothing())
    .execute();
  return { id, read: true };
}

/** Marks every notification of the principal read; returns how many were unread. */
export async function markAllNotificationsRead(
  engine: CaseEngine,
  principal: Principal,
): Promise<{ marked: number }> {
  const reach = caseReadReach(principal);
  const now = engine.clock.now();
  const unread = await engine.db
    .selectFrom('case_notification as n')
    .leftJoin('case_notification_read as r', (j) =>
      j.onRef('r.notification_id', '=', 'n.id').on('r.user_id', '=', principal.id),
    )
    .select('n.id')
    .where(addressedTo(principal, reach))
    .where('r.read_at', 'is', null)
    .execute();
  if (unread.length)
    await engine.db
      .insertInto('case_notification_read')
      .values(unread.map((u) => ({ notification_id: u.id, user_id: principal.id, read_at: now })))
      .onConflict((oc) => oc.columns(['notification_id', 'user_id']).doNothing())
      .execute();
  return { marked: unread.length };
}
