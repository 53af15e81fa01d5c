/** An alert's states and its view as the API shows it (docs/perception.md#alert-lifecycle). */
import type { Evidence, LeafValue } from './rules/index.ts';

/** raised → acknowledged → resolved; raised → resolved. */
export const ALERT_STATES = ['raised', 'acknowledged', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/** The open states: at most one alert of a rule and device is in one of them. */
export const OPEN_ALERT_STATES: readonly AlertState[] = ['raised', 'acknowledged'];

/**
 * The alert's case: `none` (its rule opens none, or the app has no cases), `pending` (to be
 * reported), `opened`, or `failed` (the report was refused: a device without a location or
 * outside the city; `caseError` says why).
 */
export const CASE_LINK_STATUSES = ['none', 'pending', 'opened', 'failed'] as const;
export type CaseLinkStatus = (typeof CASE_LINK_STATUSES)[number];

/** An alert as the API shows it. */
export interface AlertView {
  id: string;
  rule: string;
  ruleVersion: number;
  moduleId: string;
  deviceId: string;
  severity: string;
  state: AlertState;
  /** Observation time at which the condition had held long enough. */
  raisedAt: string;
  /** When the platform raised it (arrival). */
  raisedSeenAt: string;
  /** Start of the run that raised it (observation time). */
  since: string;
  repeats: number;
  values: LeafValue[];
  evidence: Evidence[];
  location: { lat: number; lon: number } | null;
  divisionCode: string | null;
  districtCode: string | null;
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  /** Null when it cleared automatically. */
  resolvedBy: string | null;
  resolutionNote: string | null;
  case: {
    status: CaseLinkStatus;
    category: string | null;
    id: string | null;
    number: string | null;
    closedAt: string | null;
    error: string | null;
  };
}
