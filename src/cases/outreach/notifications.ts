/**
 * In-app notifications of the case engine (supervision notices, escalations, whistle
 * summons, missed report-ins, merges). A notification is addressed to a user, or to a role
 * within a department and/or division, and is written in the transaction of its cause.
 */
import type { Db } from '../../kernel/index.ts';

export interface NotificationInput {
  caseId: string;
  kind:
    | 'supervision_notice'
    | 'escalation'
    | 'linkage_summons'
    | 'report_in_missed'
    | 'merged'
    | 'dispatched';
  user?: string | null;
  department?: string | null;
  role?: string | null;
  division?: string | null;
  message: string;
  data?: Record<string, unknown>;
  at: Date;
}

/** The `case_notification` row of a notification (`data` as a value: JSON for jsonb). */
export function notificationRow(n: NotificationInput) {
  return {
    case_id: n.caseId,
    kind: n.kind,
    recipient_user: n.user ?? null,
    recipient_department: n.department ?? null,
    recipient_role: n.role ?? null,
    recipient_division: n.division ?? null,
    message: n.message,
    data: n.data ?? {},
    created_at: n.at,
  };
}

/** Writes one notification. */
export async function notify(db: Db, n: NotificationInput): Promise<void> {
  const row = notificationRow(n);
  await db
    .insertInto('case_notification')
    .values({ ...row, data: JSON.stringify(row.data) })
    .execute();
}

/** A notification as the API returns it. */
export interface NotificationView {
  id: number;
  caseId: string;
  kind: string;
  recipient: { user: string | null; department: string | null; role: string | null; division: string | null };
  message: string;
  data: Record<string, unknown>;
  createdAt: string;
}

/** Notifications of a case, oldest first. */
export async function caseNotifications(db: Db, caseId: string): Promise<NotificationView[]> {
  const rows = await db
    .selectFrom('case_notification')
    .selectAll()
    .where('case_id', '=', caseId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    caseId: r.case_id,
    kind: r.kind,
    recipient: {
      user: r.recipient_user,
      department: r.recipient_department,
      role: r.recipient_role,
      division: r.recipient_division,
    },
    message: r.message,
    data: r.data,
    createdAt: new Date(r.created_at).toISOString(),
  }));
}
