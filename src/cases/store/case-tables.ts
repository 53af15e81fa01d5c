/** The case engine's tables (migrations in case-migrations*.ts), added to the kernel's `Database`. */
import type { Generated } from 'kysely';
import type { DefaultedJson, Json, Stage, Timestamp, Urgency } from '../../kernel/index.ts';
import type { CaseState, Channel, Satisfaction } from '../rules/case-model.ts';
import type { SlaLight } from '../rules/sla-clock.ts';

/** `case_record`: one case, its state, place, departments and SLA summary. */
export interface CaseRecordTable {
  id: string;
  number: string;
  channel: Channel;
  client_request_id: string | null;
  category: string;
  urgency: Urgency;
  state: CaseState;
  resume_state: CaseState | null;
  version: Generated<number>;
  lat: number;
  lon: number;
  address: string | null;
  grid_code: string | null;
  community_code: string | null;
  street_code: string | null;
  district_code: string | null;
  description: string;
  media: DefaultedJson<string[]>;
  reported_by: string;
  lead_department: string | null;
  assist_departments: DefaultedJson<string[]>;
  responsibility_rule_id: string | null;
  responsibility_list_version: string | null;
  dispatch_override: Generated<boolean>;
  escalation_level: Generated<number>;
  stage: Stage | null;
  light: SlaLight | null;
  deadlines: DefaultedJson<Partial<Record<Stage, string>>>;
  handle_deadline: Timestamp | null;
  extension_status: 'pending' | 'approved' | 'refused' | null;
  extension_minutes: Generated<number>;
  extension_requested_minutes: number | null;
  was_deferred: Generated<boolean>;
  satisfaction: Satisfaction | null;
  merged_into_id: string | null;
  duplicate_of_id: string | null;
  parent_alert_id: string | null;
  handled_by: string | null;
  reported_at: Timestamp;
  filed_at: Timestamp | null;
  dispatched_at: Timestamp | null;
  accepted_at: Timestamp | null;
  handled_at: Timestamp | null;
  closed_at: Timestamp | null;
  evaluated_at: Timestamp | null;
  updated_at: Timestamp;
}

/** `case_stage`: one round of one SLA stage of a case, with its clock. */
export interface CaseStageTable {
  id: Generated<number>;
  case_id: string;
  stage: Stage;
  round: number;
  basis: 'working' | 'calendar';
  limit_minutes: number;
  extension_minutes: Generated<number>;
  consumed_minutes: Generated<number>;
  running_since: Timestamp | null;
  started_at: Timestamp;
  yellow_at: Timestamp | null;
  deadline: Timestamp | null;
  light: Generated<SlaLight>;
  supervised_at: Timestamp | null;
  escalated_at: Timestamp | null;
  ended_at: Timestamp | null;
}

/** `case_history`: one action on a case, with who did it and its parameters. */
export interface CaseHistoryTable {
  id: Generated<number>;
  case_id: string;
  action: string;
  from_state: CaseState | null;
  to_state: CaseState | null;
  actor: string;
  actor_roles: DefaultedJson<string[]>;
  params: DefaultedJson<Record<string, unknown>>;
  at: Timestamp;
}

/** `case_event`: the outbox of case events, in commit order (`seq`). */
export interface CaseEventTable {
  seq: Generated<number>;
  event_id: string;
  case_id: string;
  type: string;
  action: string | null;
  to_state: string | null;
  department: string | null;
  body: string;
  occurred_at: Timestamp;
  place: string | null;
  district_code: string | null;
  category: string | null;
  channel: string | null;
}

/** `case_reporter`: who reported a case (or a duplicate merged into it), with their consent. */
export interface CaseReporterTable {
  id: Generated<number>;
  case_id: string;
  source_case_id: string;
  user_id: string | null;
  name: string | null;
  phone: string | null;
  email: string | null;
  address: string | null;
  consent: Generated<boolean>;
  created_at: Timestamp;
}

/** `case_duplicate`: a likely duplicate found at intake. */
export interface CaseDuplicateTable {
  case_id: string;
  candidate_id: string;
  distance_m: number;
  candidate_number: string;
}

/** `case_number_counter`: the last case number of a day. */
export interface CaseNumberCounterTable {
  day: string;
  last: number;
}

/** `case_timing`: when a case reached a milestone, for the indicators. */
export interface CaseTimingTable {
  case_id: string;
  milestone: string;
  at: Timestamp;
  working_minutes: number;
  place: string | null;
  district_code: string | null;
  category: string | null;
  channel: string | null;
  lead_department: string | null;
}

/** `case_notification`: a message to a user, a department, a role or a division. */
export interface CaseNotificationTable {
  id: Generated<number>;
  case_id: string;
  kind: string;
  recipient_user: string | null;
  recipient_department: string | null;
  recipient_role: string | null;
  recipient_division: string | null;
  message: string;
  data: DefaultedJson<Record<string, unknown>>;
  created_at: Timestamp;
  read_at: Timestamp | null;
}

/** `case_notification_read`: who has read a shared notification. */
export interface CaseNotificationReadTable {
  notification_id: number;
  user_id: string;
  read_at: Timestamp;
}

/** `case_whistle`: a whistle blown on a case, calling departments in. */
export interface CaseWhistleTable {
  id: Generated<number>;
  case_id: string;
  whistled_by: string;
  note: string | null;
  deadline: Timestamp;
  created_at: Timestamp;
}

/** `case_linkage`: a department called in by a whistle, its report-in and its rating. */
export interface CaseLinkageTable {
  whistle_id: number;
  case_id: string;
  department: string;
  deadline: Timestamp;
  reported_in_at: Timestamp | null;
  reported_in_by: string | null;
  missed: Generated<boolean>;
  rating: number | null;
  rating_comment: string | null;
  rated_by: string | null;
  rated_at: Timestamp | null;
}

/** `case_citizen_message`: an update sent to a reporter about their case. */
export interface CaseCitizenMessageTable {
  reporter_id: number;
  event_id: string;
  case_id: string;
  state: string;
  adapter: string;
  sent_at: Timestamp;
}

/** `case_stream_ticket`: a short-lived ticket for the case event stream. */
export interface CaseStreamTicketTable {
  ticket_hash: string;
  expires_at: Timestamp;
  session_id: string | null;
  api_key_id: string | null;
}

/** `case_webhook`: a subscriber's endpoint for case events. */
export interface CaseWebhookTable {
  id: string;
  url: string;
  events: Json<string[]>;
  description: string | null;
  secret: string;
  active: Generated<boolean>;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  deleted_at: Timestamp | null;
}

/** `case_webhook_delivery`: one event to deliver to one webhook, and its attempts. */
export interface CaseWebhookDeliveryTable {
  id: Generated<number>;
  webhook_id: string;
  event_id: string;
  event_type: string;
  body: string;
  status: DeliveryStatus;
  attempts: Generated<number>;
  response_status: number | null;
  last_error: string | null;
  log: DefaultedJson<DeliveryAttempt[]>;
  next_attempt_at: Timestamp | null;
  created_at: Timestamp;
  delivered_at: Timestamp | null;
}

/** Where a webhook delivery stands. */
export type DeliveryStatus = 'pending' | 'retrying' | 'delivered' | 'failed' | 'cancelled';

/** One attempt of a webhook delivery, as its log keeps it. */
export interface DeliveryAttempt {
  attempt: number;
  at: string;
  status: number | null;
  error: string | null;
  ms: number;
}

declare module '../../kernel/index.ts' {
  interface Database {
    case_record: CaseRecordTable;
    case_stage: CaseStageTable;
    case_history: CaseHistoryTable;
    case_event: CaseEventTable;
    case_reporter: CaseReporterTable;
    case_duplicate: CaseDuplicateTable;
    case_number_counter: CaseNumberCounterTable;
    case_timing: CaseTimingTable;
    case_notification: CaseNotificationTable;
    case_notification_read: CaseNotificationReadTable;
    case_whistle: CaseWhistleTable;
    case_linkage: CaseLinkageTable;
    case_citizen_message: CaseCitizenMessageTable;
    case_stream_ticket: CaseStreamTicketTable;
    case_webhook: CaseWebhookTable;
    case_webhook_delivery: CaseWebhookDeliveryTable;
  }
}
