/**
 * GeoReport v2 reads: GET requests (by ids, or by service, dates and status inside a
 * window of at most 90 days, at most 1,000 results), one request, and a token's request
 * id. Cases are read through the case engine as the public reader and leave without
 * personal data (location rule: location-privacy.ts).
 */
import {
  type CaseState,
  type CaseView,
  getCase,
  getCaseHistory,
  listCases,
  OPEN_STATES,
} from '../cases/index.ts';
import { InvalidInputError, NotFoundError } from '../kernel/index.ts';
import { CLOSED_STATES, open311Status, stateLabel } from './case-status.ts';
import { isoWithOffset, parseDateTime } from './local-time.ts';
import { coarsenPoint, redactContactDetails } from './location-privacy.ts';
import { isMediaName } from './media-store.ts';
import type { Open311Request, Open311Token } from './open311-documents.ts';
import {
  categoryName,
  departmentName,
  departmentNames,
  isPublicService,
  type Language,
} from './open311-services.ts';
import { PUBLIC_READER, type Participation } from './participation-context.ts';
import { findReport, isToken } from './report-store.ts';

/** How a request is shown: language, exact location (staff keys) or not, and the base of media URLs. */
export interface RequestView {
  lang: Language;
  exact: boolean;
  baseUrl: string;
}

export const MAX_RESULTS = 1000;
export const WINDOW_DAYS = 90;
const DAY_MS = 86_400_000;
const PAGE = 500;

/** An absolute URL for a media reference: uploads by name, or the URL a client gave. */
export function mediaUrlOf(ref: string, baseUrl: string): string | null {
  if (isMediaName(ref)) return `${baseUrl}/api/v1/public/media/${ref}`;
  return /^https?:\/\/\S+$/.test(ref) ? ref : null;
}

/** The Open311 form of a case. */
export function toOpen311Request(
  p: Participation,
  c: CaseView,
  view: RequestView,
  notes?: string,
): Open311Request {
  const tz = p.kernel.config.timeZone;
  const point = view.exact ? c.location : coarsenPoint(c.location.lat, c.location.lon);
  const names = departmentNames(p.kernel.modules, view.lang);
  const media = c.media.map((m) => mediaUrlOf(m, view.baseUrl)).find(Boolean) ?? null;
  const closedAt = CLOSED_STATES.includes(c.state) ? (c.closedAt ?? c.updatedAt) : c.updatedAt;
  return {
    service_request_id: c.number,
    status: open311Status(c.state),
    status_notes: notes ?? stateLabel(c.state, view.lang),
    service_name: categoryName(p.kernel.modules, c.category, view.lang),
    service_code: c.category,
    description: view.exact ? c.description : redactContactDetails(c.description),
    agency_responsible: departmentName(names, c.leadDepartment, view.lang),
    service_notice: null,
    requested_datetime: isoWithOffset(c.reportedAt, tz),
    updated_datetime: isoWithOffset(closedAt, tz),
    expected_datetime: c.deadlines.handle ? isoWithOffset(c.deadlines.handle, tz) : null,
    address: view.exact ? c.location.address : null,
    address_id: null,
    zipcode: null,
    lat: point.lat,
    long: point.lon,
    media_url: media,
    onecity_state: c.state,
  };
}

/** GET requests' parameters; a parameter given more than once arrives as an array. */
export interface RequestQuery {
  service_request_id?: string | string[];
  service_code?: string | string[];
  start_date?: string | string[];
  end_date?: string | string[];
  status?: string | string[];
}

/** A comma-separated list; a parameter repeated adds to it. */
const list = (v: string | string[] | undefined) =>
  [v ?? '']
    .flat()
    .join(',')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function dateParam(field: string, v: string | string[] | undefined): Date | undefined {
  if (Array.isArray(v)) throw new InvalidInputError(`Give ${field} once.`, { field });
  if (v === undefined || v === '') return undefined;
  const d = parseDateTime(v);
  if (!d)
    throw new InvalidInputError(`${field} must be a W3C date-time such as 2026-03-02T09:00:00+08:00.`, {
      field,
    });
  return d;
}

/** GET requests. */
export async function findRequests(
  p: Participation,
  q: RequestQuery,
  view: RequestView,
): Promise<Open311Request[]> {
  const ids = list(q.service_request_id);
  if (ids.length) {
    if (ids.length > 100)
      throw new InvalidInputError('Ask for at most 100 service_request_id values at once.', {
        field: 'service_request_id',
      });
    const found: Open311Request[] = [];
    for (const id of [...new Set(ids)]) {
      const c = await publicCase(p, id).catch(() => null);
      if (c) found.push(toOpen311Request(p, c, view));
    }
    return found;
  }
  const statuses = list(q.status);
  for (const s of statuses)
    if (s !== 'open' && s !== 'closed')
      throw new InvalidInputError('status is open or closed.', { field: 'status' });
  const states: CaseState[] = [];
  if (statuses.includes('open')) states.push(...OPEN_STATES);
  if (statuses.includes('closed')) states.push(...CLOSED_STATES);
  const now = p.kernel.clock.now();
  const start = dateParam('start_date', q.start_date);
  const end = dateParam('end_date', q.end_date);
  const to = end ?? (start ? new Date(start.getTime() + WINDOW_DAYS * DAY_MS) : now);
  const from = start ?? new Date(to.getTime() - WINDOW_DAYS * DAY_MS);
  if (from > to) throw new InvalidInputError('start_date is after end_date.', { field: 'start_date' });
  if (to.getTime() - from.getTime() > WINDOW_DAYS * DAY_MS)
    throw new InvalidInputError(`start_date and end_date may be at most ${WINDOW_DAYS} days apart.`, {
      field: 'end_date',
    });
  const codes = list(q.service_code);
  const out: CaseView[] = [];
  for (const code of codes.length ? codes : [undefined]) {
    for (let offset = 0; out.length < MAX_RESULTS; offset += PAGE) {
      const page = await listCases(p.kernel.db, PUBLIC_READER, {
        state: states.length ? states : undefined,
        category: code,
        reportedFrom: from,
        // end_date is inclusive.
        reportedTo: new Date(to.getTime() + 1),
        limit: PAGE,
        offset,
      });
      for (const c of page.items) {
        if (code && c.category !== code) continue;
        const cat = p.kernel.modules.category(c.category);
        if (cat && isPublicService(cat)) out.push(c);
      }
      if (page.items.length < PAGE) break;
    }
  }
  out.sort((a, b) => (a.reportedAt < b.reportedAt ? 1 : a.reportedAt > b.reportedAt ? -1 : 0));
  return out.slice(0, MAX_RESULTS).map((c) => toOpen311Request(p, c, view));
}

/** A case of a public service by number; NotFound otherwise. */
async function publicCase(p: Participation, number: string): Promise<CaseView> {
  if (!/^\d{8,20}$/.test(number))
    throw new NotFoundError(`Service request not found with id ${number}`, 'open311.request_not_found');
  const c = await getCase(p.kernel.db, PUBLIC_READER, number).catch(() => null);
  const cat = c ? p.kernel.modules.category(c.category) : undefined;
  if (!c || !cat || !isPublicService(cat))
    throw new NotFoundError(`Service request not found with id ${number}`, 'open311.request_not_found');
  return c;
}

/** The public notes of a case: its state, and for a rejection the reason, for a merge the case it joined. */
export async function publicNotes(p: Participation, c: CaseView, lang: Language): Promise<string> {
  const label = stateLabel(c.state, lang);
  if (c.state === 'rejected') {
    const { entries } = await getCaseHistory(p.kernel.db, PUBLIC_READER, c.id);
    const reason = [...entries].reverse().find((e) => e.action === 'reject')?.params.reason;
    return typeof reason === 'string' ? `${label}: ${redactContactDetails(reason)}` : label;
  }
  if (c.state === 'merged' && c.links.mergedInto) {
    const into = await getCase(p.kernel.db, PUBLIC_READER, c.links.mergedInto).catch(() => null);
    return into ? `${label}: ${into.number}` : label;
  }
  return label;
}

/** GET requests/{id}. */
export async function findRequest(p: Participation, id: string, view: RequestView): Promise<Open311Request> {
  const c = await publicCase(p, id);
  return toOpen311Request(p, c, view, await publicNotes(p, c, view.lang));
}

/** GET tokens/{token}: the request id once the queued report is a case (null until then). */
export async function findToken(p: Participation, token: string): Promise<Open311Token> {
  const row = isToken(token) ? await findReport(p.kernel.db, token) : undefined;
  if (!row || row.status === 'failed')
    throw new NotFoundError(`Service request not found with id or token ${token}`, 'open311.token_not_found');
  return { service_request_id: row.case_number, token };
}
