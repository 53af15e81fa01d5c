/** Shapes of the server's answers, as far as the web app reads them. */

export const ROLES = [
  'citizen',
  'grid_worker',
  'supervision_operator',
  'dispatcher',
  'department_handler',
  'department_leader',
  'street_officer',
  'city_leader',
  'auditor',
  'admin',
] as const;
export type Role = (typeof ROLES)[number];

export interface Me {
  kind: 'user' | 'service';
  id: string;
  username: string;
  roles: Role[];
  departmentCodes: string[];
  divisionCodes: string[];
  permissions: string[];
}

export interface LocalizedText {
  'zh-CN': string;
  en: string;
}

export const CASE_STATES = [
  'reported',
  'filed',
  'rejected',
  'dispatched',
  'in_progress',
  'handled',
  'rework',
  'closed',
  'evaluated',
  'merged',
  'extension_pending',
  'deferred',
  'parked',
] as const;
export type CaseState = (typeof CASE_STATES)[number];

export const URGENCIES = ['normal', 'urgent', 'emergency'] as const;
export type Urgency = (typeof URGENCIES)[number];

export const CHANNELS = [
  'hotline',
  'web',
  'app',
  'open311',
  'grid_patrol',
  'sensor_alert',
  'video_alert',
  'higher_assignment',
  'media',
] as const;
export type Channel = (typeof CHANNELS)[number];

export type SlaLight = 'green' | 'yellow' | 'red';
export const SATISFACTION = ['satisfied', 'basically_satisfied', 'unsatisfied'] as const;
export type Satisfaction = (typeof SATISFACTION)[number];

export interface CaseView {
  id: string;
  number: string;
  channel: Channel;
  category: string;
  module?: string;
  urgency: Urgency;
  state: CaseState;
  version: number;
  location: { lat: number; lon: number; address: string | null };
  divisions: {
    grid: string | null;
    community: string | null;
    street: string | null;
    district: string | null;
  };
  description: string;
  media: string[];
  leadDepartment: string | null;
  assistDepartments: string[];
  responsibility?: { ruleId: string | null; listVersion: number | string | null; override: boolean };
  light: SlaLight | null;
  stage?: { stage: string; deadline: string | null; light: SlaLight } | null;
  deadlines?: Record<string, string>;
  satisfaction?: Satisfaction | null;
  duplicateCandidates?: Array<{ id: string; number: string; distanceMeters: number }>;
  linkage?: Array<{
    whistleId: number;
    department: string;
    deadline: string;
    reportedInAt: string | null;
    missed: boolean;
    rating: number | null;
  }>;
  allowedActions?: string[];
  reportedAt: string;
  updatedAt: string;
  closedAt?: string | null;
}

export interface HistoryEntry {
  seq: number;
  action: string;
  fromState: CaseState | null;
  toState: CaseState | null;
  actor: string;
  actorRoles?: string[];
  at: string;
  params: Record<string, unknown>;
}

export interface Page<T> {
  items: T[];
  total?: number;
  nextCursor?: string | null;
}

export interface Division {
  code: string;
  level: 'city' | 'district' | 'street' | 'community' | 'grid';
  name: LocalizedText;
  parentCode: string | null;
  bbox: [number, number, number, number];
  boundary?: GeoJSON.Polygon | GeoJSON.MultiPolygon;
}

export interface Department {
  code: string;
  name: LocalizedText;
  kind?: string;
  parentCode?: string | null;
  /** Divisions served; empty means the whole city. */
  divisionCodes?: string[];
  /** `core`, `admin`, or the plate that declared it. */
  source?: string;
}

/** The kinds of department the org API accepts. */
export const DEPARTMENT_KINDS = [
  'bureau',
  'district_government',
  'street_office',
  'utility',
  'enterprise',
  'center',
] as const;
export type DepartmentKind = (typeof DEPARTMENT_KINDS)[number];

/** One whistle (街乡吹哨) with its case and the report-ins of the summoned departments. */
export interface WhistleView {
  whistleId: number;
  caseId: string;
  caseNumber: string;
  caseState: CaseState;
  category: string;
  location: { lat: number; lon: number; address: string | null };
  divisions: { grid: string | null; street: string | null; district: string | null };
  whistledBy: string;
  note: string | null;
  whistledAt: string;
  deadline: string;
  departments: Array<{
    department: string;
    reportedInAt: string | null;
    reportedInBy: string | null;
    missed: boolean;
    rating: number | null;
  }>;
  pending: number;
  missed: number;
}

/** An Open311 service: a reportable category of the module catalogues. */
export interface Service {
  service_code: string;
  service_name: string;
  group: string | null;
}

export interface Device {
  id: string;
  name: string;
  sensorType: string;
  location: { lat: number; lon: number } | null;
  offline?: boolean;
}

export interface Datastream {
  id: string;
  name: LocalizedText;
  unit: string | null;
  latest: { time: string; value: number; quality: string } | null;
}

export interface UserView {
  id: string;
  username: string;
  displayName: string;
  kind: 'user' | 'service';
  roles: Role[];
  departmentCodes: string[];
  divisionCodes: string[];
  disabled: boolean;
}

export interface ApiKeyView {
  id: string;
  username: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
  revokedAt: string | null;
  key?: string;
}

export interface AuditRecord {
  seq: number;
  at: string;
  actor: string;
  action: string;
  objectType: string;
  objectId: string;
  hash: string;
}
