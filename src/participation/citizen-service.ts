/**
 * The citizen API behind the portal: report with photos, follow a report by its case
 * number or follow token, see the history a citizen may see, and rate after closure.
 * A citizen sees states, times and the public reasons of their own report; never internal
 * notes, evidence, staff names, or other people's data.
 */
import {
  applyAction,
  type CaseView,
  getCase,
  getCaseHistory,
  listCases,
  type Satisfaction,
} from '../cases/index.ts';
import { hasPermission, type Principal } from '../identity/index.ts';
import { InvalidInputError, NotFoundError, UnauthenticatedError } from '../kernel/index.ts';
import { CLOSED_STATES, open311Status, PUBLIC_ACTIONS, stateLabel } from './case-status.ts';
import { storePhoto } from './media-store.ts';
import type { UploadedPhoto } from './multipart-upload.ts';
import { isoWithOffset } from './local-time.ts';
import { categoryName, type Language } from './open311-services.ts';
import { PUBLIC_READER, type Participation } from './participation-context.ts';
import {
  type ReportSubmission,
  resolvePoster,
  type SubmissionResult,
  serviceNotice,
  submitReport,
} from './report-intake.ts';
import { findReport, isToken, type ReportRow, type ReportWriter } from './report-store.ts';
import { mediaUrlOf } from './request-queries.ts';

/** The fields of a portal report. */
export interface CitizenReportFields {
  service_code?: string;
  lat?: string | number;
  lon?: string | number;
  address?: string;
  description?: string;
  name?: string;
  phone?: string;
  email?: string;
  [attribute: string]: unknown;
}

export interface CitizenReportResult {
  token: string;
  number: string | null;
  state: string | null;
  notice: string | null;
  photos: string[];
  duplicateOf: string[];
}

/** Files a portal report: photos checked by content and stripped of location metadata, then intake. */
export async function submitCitizenReport(
  p: Participation,
  writer: ReportWriter,
  principal: Principal,
  fields: CitizenReportFields,
  photos: UploadedPhoto[],
  clientAddress: string,
  onQueued: () => void,
): Promise<CitizenReportResult> {
  let poster: Principal;
  if (principal.kind === 'anonymous') {
    if (!p.settings.anonymousPosting) throw new UnauthenticatedError('Sign in to report.');
    poster = await resolvePoster(p, undefined);
  } else {
    if (!hasPermission(principal, 'case.report'))
      throw new InvalidInputError(
        'Your account may not report problems.',
        undefined,
        'citizen.cannot_report',
      );
    poster = principal;
  }
  const stored: string[] = [];
  for (const photo of photos) {
    stored.push((await storePhoto(p.media, photo)).name);
  }
  const num = (v: unknown) => (v === undefined || v === '' ? undefined : Number(v));
  const lat = num(fields.lat);
  const lon = num(fields.lon);
  for (const [field, v, max] of [
    ['lat', lat, 90],
    ['lon', lon, 180],
  ] as const)
    if (v !== undefined && !(Number.isFinite(v) && Math.abs(v) <= max))
      throw new InvalidInputError(`${field} must be a number from -${max} to ${max}.`, { field });
  const attributes: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(fields)) {
    const m = /^attribute\[([^\][]+)\](\[\])?$/.exec(k);
    if (m) attributes[m[1]] = m[2] ? (Array.isArray(v) ? v.map(String) : [String(v)]) : String(v);
  }
  const text = (v: unknown, max: number, field: string) => {
    if (v === undefined || v === null || v === '') return undefined;
    const s = String(v).trim();
    if (s.length > max) throw new InvalidInputError(`${field} is longer than ${max} characters.`, { field });
    return s || undefined;
  };
  const serviceCode = text(fields.service_code, 100, 'service_code');
  if (!serviceCode) throw new InvalidInputError('service_code is required.', { field: 'service_code' });
  const submission: ReportSubmission = {
    source: 'citizen',
    serviceCode,
    lat,
    lon,
    addressString: text(fields.address, 500, 'address'),
    attributes,
    description: text(fields.description, 4000, 'description'),
    mediaUrls: stored,
    lastName: text(fields.name, 100, 'name'),
    phone: text(fields.phone, 50, 'phone'),
    email: text(fields.email, 320, 'email'),
  };
  const r: SubmissionResult = await submitReport(p, writer, poster, submission, clientAddress, onQueued);
  return {
    token: r.token,
    number: r.case?.number ?? null,
    state: r.case?.state ?? null,
    notice: r.case ? serviceNotice(r.case) : r.serviceNotice,
    photos: stored,
    duplicateOf: r.case?.duplicateCandidates.map((d) => d.number) ?? [],
  };
}

/** One step of the history a citizen sees. */
export interface CitizenHistoryStep {
  at: string;
  action: string;
  state: string | null;
  label: string | null;
  details?: Record<string, unknown>;
}

/** A report as its citizen follows it. */
export interface CitizenCaseView {
  number: string;
  status: 'open' | 'closed';
  state: string;
  stateLabel: string;
  serviceCode: string;
  serviceName: string;
  reportedAt: string;
  updatedAt: string;
  expectedAt: string | null;
  satisfaction: Satisfaction | null;
  /** True when the case is closed, not yet rated, and the caller is its reporter. */
  canRate: boolean;
  history: CitizenHistoryStep[];
  /** What the reporter themself sent (only for the reporter). */
  own?: { description: string; address: string | null; photos: string[] };
}

interface Follower {
  case: CaseView;
  /** The principal who reported it, when the caller proved to be them (token or session). */
  reporter: Principal | null;
}

async function follow(p: Participation, principal: Principal, ref: string): Promise<Follower> {
  if (isToken(ref)) {
    const row: ReportRow | undefined = await findReport(p.kernel.db, ref);
    if (!row) throw new NotFoundError(`No report with token ${ref}.`, 'citizen.report_not_found');
    if (!row.case_number)
      throw new NotFoundError(
        'The report is still being registered; try again in a moment.',
        'citizen.report_pending',
      );
    return { case: await getCase(p.kernel.db, PUBLIC_READER, row.case_number), reporter: row.principal };
  }
  if (!/^\d{8,20}$/.test(ref)) throw new NotFoundError(`Case ${ref} not found.`, 'case.not_found');
  if (principal.kind === 'user') {
    // A citizen sees their own reports through the engine's visibility rule.
    const own = await getCase(p.kernel.db, principal, ref).catch(() => null);
    if (own && principal.roles.includes('citizen')) return { case: own, reporter: principal };
  }
  return { case: await getCase(p.kernel.db, PUBLIC_READER, ref), reporter: null };
}

/** Follows a report by token or case number. */
export async function followReport(
  p: Participation,
  principal: Principal,
  ref: string,
  lang: Language,
  baseUrl: string,
): Promise<CitizenCaseView> {
  const { case: c, reporter } = await follow(p, principal, ref);
  const { entries } = await getCaseHistory(p.kernel.db, PUBLIC_READER, c.id);
  const tz = p.kernel.config.timeZone;
  const history: CitizenHistoryStep[] = entries
    .filter((e) => e.action in PUBLIC_ACTIONS)
    .map((e) => {
      const shown = PUBLIC_ACTIONS[e.action].filter((k) => e.params[k] !== undefined);
      return {
        at: isoWithOffset(e.at, tz),
        action: e.action,
        state: e.toState,
        label: e.toState ? stateLabel(e.toState, lang) : null,
        ...(shown.length ? { details: Object.fromEntries(shown.map((k) => [k, e.params[k]])) } : {}),
      };
    });
  return {
    number: c.number,
    status: open311Status(c.state),
    state: c.state,
    stateLabel: stateLabel(c.state, lang),
    serviceCode: c.category,
    serviceName: categoryName(p.kernel.modules, c.category, lang),
    reportedAt: isoWithOffset(c.reportedAt, tz),
    updatedAt: isoWithOffset(c.updatedAt, tz),
    expectedAt: c.deadlines.handle ? isoWithOffset(c.deadlines.handle, tz) : null,
    satisfaction: c.satisfaction,
    // Rating runs as the reporter: offered only when the reporter (a key's scopes included) may.
    canRate:
      !!reporter && hasPermission(reporter, 'case.evaluate') && c.state === 'closed' && !c.satisfaction,
    history,
    ...(reporter
      ? {
          own: {
            description: c.description,
            address: c.location.address,
            photos: c.media.map((m) => mediaUrlOf(m, baseUrl)).filter((u): u is string => Boolean(u)),
          },
        }
      : {}),
  };
}

/** Rates a closed report (the case engine's `evaluate` action, as its reporter). */
export async function rateReport(
  p: Participation,
  principal: Principal,
  ref: string,
  rating: { satisfaction: Satisfaction; comment?: string },
  lang: Language,
  baseUrl: string,
): Promise<CitizenCaseView> {
  const { case: c, reporter } = await follow(p, principal, ref);
  if (!reporter) {
    if (principal.kind === 'anonymous')
      throw new UnauthenticatedError('Sign in, or rate with your report token.');
    throw new NotFoundError(`Case ${ref} not found among your reports.`, 'case.not_found');
  }
  if (!CLOSED_STATES.includes(c.state) || c.state !== 'closed')
    throw new InvalidInputError(
      c.state === 'evaluated'
        ? 'This report has been rated already.'
        : 'A report can be rated once it is closed.',
      { state: c.state },
      'citizen.not_ratable',
    );
  await applyAction(p.engine(), reporter, c.number, 'evaluate', {
    version: c.version,
    satisfaction: rating.satisfaction,
    ...(rating.comment ? { comment: rating.comment } : {}),
  });
  return followReport(p, reporter, ref, lang, baseUrl);
}

/** The signed-in citizen's own reports, newest first. */
export async function myReports(p: Participation, principal: Principal, lang: Language) {
  if (principal.kind === 'anonymous') throw new UnauthenticatedError();
  const page = await listCases(p.kernel.db, principal, { limit: 100 });
  const tz = p.kernel.config.timeZone;
  return page.items.map((c) => ({
    number: c.number,
    status: open311Status(c.state),
    state: c.state,
    stateLabel: stateLabel(c.state, lang),
    serviceCode: c.category,
    serviceName: categoryName(p.kernel.modules, c.category, lang),
    reportedAt: isoWithOffset(c.reportedAt, tz),
    satisfaction: c.satisfaction,
  }));
}
