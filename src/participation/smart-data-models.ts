/**
 * FIWARE Smart Data Models for cases (dataModel.IssueTracking): the same case as an
 * Open311 `service_requests` entity and as an `IssueReporting` entity, in key-values form.
 * Pure functions of a case view, for the NGSI-LD projection. They carry no personal data
 * (no reporter name, phone, e-mail or account).
 */
import type { CaseState, CaseView } from '../cases/index.ts';
import type { ModuleRegistry } from '../kernel/index.ts';
import { open311Status, stateLabel } from './case-status.ts';
import { isoWithOffset } from './local-time.ts';
import type { Language } from './open311-services.ts';

/** What the mapping may know beyond the case; every member is optional. */
export interface EntityContext {
  /** Catalogue, for service and category names. */
  modules?: ModuleRegistry;
  /** The lead department's display name (`agency_responsible`); the code otherwise. */
  agencyName?: string | null;
  jurisdictionId?: string;
  /** Time zone for the date-times' offset (default UTC). */
  timeZone?: string;
  lang?: Language;
  /** Turns a media reference into an absolute URL (uploads are stored by name). */
  mediaUrl?: (ref: string) => string | null;
}

/** The NGSI-LD `@context` of both types (resolved offline by the NGSI-LD face). */
export const ISSUE_TRACKING_CONTEXT = [
  'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld',
  'https://raw.githubusercontent.com/smart-data-models/dataModel.IssueTracking/master/context.jsonld',
] as const;

const time = (iso: string | null, ctx: EntityContext) =>
  iso ? isoWithOffset(iso, ctx.timeZone ?? 'UTC') : undefined;
const firstMedia = (c: CaseView, ctx: EntityContext) => {
  for (const m of c.media) {
    const url = ctx.mediaUrl ? ctx.mediaUrl(m) : /^https?:\/\//.test(m) ? m : null;
    if (url) return url;
  }
  return undefined;
};
const defined = <T extends Record<string, unknown>>(o: T) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as T;

/** `service_requests` (Open311 as an NGSI-LD entity). Id: `urn:ngsi-ld:service_requests:<number>`. */
export function caseToServiceRequestEntity(c: CaseView, ctx: EntityContext = {}): Record<string, unknown> {
  const lang = ctx.lang ?? 'zh-CN';
  const category = ctx.modules?.category(c.category);
  return defined({
    id: `urn:ngsi-ld:service_requests:${c.number}`,
    type: 'service_requests',
    service_request_id: c.number,
    jurisdiction_id: ctx.jurisdictionId,
    service_code: c.category,
    service_name: category?.name[lang],
    description: c.description,
    agency_responsible: ctx.agencyName ?? c.leadDepartment ?? undefined,
    status: open311Status(c.state),
    status_notes: stateLabel(c.state, lang),
    requested_datetime: time(c.reportedAt, ctx),
    updated_datetime: time(c.closedAt ?? c.updatedAt, ctx),
    expected_datetime: time(c.deadlines.handle ?? null, ctx),
    address_string: c.location.address ?? undefined,
    media_url: firstMedia(c, ctx),
    location: { type: 'Point', coordinates: [c.location.lon, c.location.lat] },
    dateCreated: c.reportedAt,
    dateModified: c.updatedAt,
  });
}

const RESOLUTION: Record<CaseState, 'Unassigned' | 'Open' | 'Assigned' | 'InProgress' | 'Closed.'> = {
  reported: 'Unassigned',
  filed: 'Open',
  dispatched: 'Assigned',
  in_progress: 'InProgress',
  handled: 'InProgress',
  rework: 'InProgress',
  extension_pending: 'InProgress',
  deferred: 'InProgress',
  parked: 'InProgress',
  // The schema's enum spells the closed value with a full stop.
  rejected: 'Closed.',
  closed: 'Closed.',
  evaluated: 'Closed.',
  merged: 'Closed.',
};

/** `IssueReporting`. Id: `urn:ngsi-ld:IssueReporting:<number>`. */
export function caseToIssueReporting(c: CaseView, ctx: EntityContext = {}): Record<string, unknown> {
  const lang = ctx.lang ?? 'zh-CN';
  const minor = ctx.modules?.category(c.category);
  const major = minor?.parent ? ctx.modules?.category(minor.parent) : undefined;
  return defined({
    id: `urn:ngsi-ld:IssueReporting:${c.number}`,
    type: 'IssueReporting',
    reportId: c.number,
    category: major?.name[lang],
    categoryCode: major?.code ?? minor?.parent,
    subCategory: minor?.name[lang],
    subCategoryCode: c.category,
    title: minor?.name[lang],
    comments: c.description,
    departmentId: c.leadDepartment ?? undefined,
    wardId: c.divisions.district ?? undefined,
    landmark: c.location.address ?? undefined,
    observationDateTime: time(c.reportedAt, ctx),
    mediaURL: firstMedia(c, ctx),
    resolutionStatus: RESOLUTION[c.state],
    location: { type: 'Point', coordinates: [c.location.lon, c.location.lat] },
    dateCreated: c.reportedAt,
    dateModified: c.updatedAt,
  });
}
