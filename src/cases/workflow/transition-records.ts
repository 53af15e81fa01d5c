import type { AuditEntry } from '../../audit/index.ts';
import type { Principal } from '../../identity/index.ts';
import { type CaseEvent, type CaseTransitionEventType, caseEvents } from '../rules/case-events.ts';
import type { CaseRow } from '../store/case-store.ts';

/**
 * The audit entry and the platform event of one applied transition (transition-decide.ts).
 */
export function transitionRecords(input: {
  row: CaseRow;
  action: string;
  eventType: CaseTransitionEventType;
  to: string;
  principal: Principal;
  recorded: Record<string, unknown>;
  leadDepartment: string | null;
  now: Date;
}): { audit: AuditEntry; event: CaseEvent } {
  const { row, action, eventType, to, principal, recorded, now } = input;
  return {
    audit: {
      actor: principal.id,
      action: eventType,
      objectType: 'case',
      objectId: row.id,
      before: { state: row.state, version: row.version },
      after: { state: to, version: row.version + 1, ...recorded },
      at: now,
    },
    event: caseEvents.create(
      eventType,
      {
        caseId: row.id,
        number: row.number,
        action,
        from: row.state,
        to,
        version: row.version + 1,
        actor: principal.id,
        category: row.category,
        districtCode: row.district_code,
        leadDepartment: input.leadDepartment,
      },
      now,
      `case:${row.number}`,
    ),
  };
}
