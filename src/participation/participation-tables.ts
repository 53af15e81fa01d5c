/** Participation's table (migration in participation-migrations.ts), added to the kernel's `Database`. */
import type { Generated } from 'kysely';
import type { IntakeInput } from '../cases/index.ts';
import type { Principal } from '../identity/index.ts';
import type { DefaultedJson, Json, Timestamp } from '../kernel/index.ts';

/** Where a citizen report stands on its way to a case. */
export type ReportStatus = 'queued' | 'filing' | 'filed' | 'failed';

/** `participation_report`: a citizen's or an Open311 client's report, queued until filed as a case. */
export interface ParticipationReportTable {
  token: string;
  source: 'open311' | 'citizen';
  status: ReportStatus;
  case_id: string | null;
  case_number: string | null;
  service_code: string;
  principal: Json<Principal>;
  device_id: string | null;
  account_id: string | null;
  attributes: DefaultedJson<Record<string, string | string[]>>;
  contact_email: string | null;
  contact_phone: string | null;
  intake: Json<IntakeInput> | null;
  attempts: Generated<number>;
  error: string | null;
  claimed_at: Timestamp | null;
  created_at: Timestamp;
  filed_at: Timestamp | null;
}

declare module '../kernel/index.ts' {
  interface Database {
    participation_report: ParticipationReportTable;
  }
}
