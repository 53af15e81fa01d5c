/**
 * A citizen report becomes a case: the Open311 POST parameters (or the citizen API's
 * fields) are checked against the service definition, the poster is identified (api_key
 * or anonymous), rate limits and spam checks apply, and the case engine takes it —
 * immediately, or through the durable queue when `OPEN311_INTAKE_MODE=queued`.
 */
import { type CaseView, type IntakeInput, reportCase } from '../cases/index.ts';
import { hasPermission, type Principal, principalForApiKey } from '../identity/index.ts';
import { placeAddress } from '../org/index.ts';
import {
  type CategoryAttribute,
  ForbiddenError,
  InvalidInputError,
  type ModuleRegistry,
  type RegisteredCategory,
} from '../kernel/index.ts';
import { parseDateTime } from './local-time.ts';
import { findService } from './open311-services.ts';
import { ANONYMOUS_REPORTER, type Participation } from './participation-context.ts';
import { newToken, type ReportWriter, reportAlongside } from './report-store.ts';
import { assertNotSpam } from './spam-check.ts';

/** A report as both faces deliver it, before checks. */
export interface ReportSubmission {
  source: 'open311' | 'citizen';
  serviceCode: string;
  lat?: number;
  lon?: number;
  addressString?: string;
  addressId?: string;
  attributes: Record<string, string | string[]>;
  description?: string;
  mediaUrls: string[];
  email?: string;
  phone?: string;
  firstName?: string;
  lastName?: string;
  deviceId?: string;
  accountId?: string;
}

/** What the poster is told. */
export interface SubmissionResult {
  token: string;
  /** Present when the case exists already (immediate intake). */
  case: CaseView | null;
  serviceNotice: string | null;
  accountId: string | null;
}

const bad = (field: string, message: string) =>
  new InvalidInputError(message, { field }, 'open311.invalid_field');

const str = (v: unknown): string | undefined => {
  if (Array.isArray(v)) v = v[0];
  if (typeof v === 'number') return String(v);
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
};

/** Refuses a NUL character anywhere in a submission (the database cannot store it in text). */
function assertNoNul(value: unknown, field: string): void {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) throw bad(field, `${field} contains a NUL character.`);
  } else if (Array.isArray(value)) {
    for (const v of value) assertNoNul(v, field);
  } else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) assertNoNul(v, field ? `${field}.${k}` : k);
}

function limited(field: string, v: string | undefined, max: number): string | undefined {
  if (v !== undefined && v.length > max) throw bad(field, `${field} is longer than ${max} characters.`);
  return v;
}

function coordinate(field: 'lat' | 'long', v: unknown): number | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  const n = Number(s);
  const max = field === 'lat' ? 90 : 180;
  if (!Number.isFinite(n) || Math.abs(n) > max)
    throw bad(field, `${field} must be a number from -${max} to ${max}.`);
  return n;
}

/**
 * Collects `attribute[CODE]=v` and `attribute[CODE][]=v` (form), or `attribute: {CODE: v}`
 * (JSON bodies), into a map.
 */
export function collectAttributes(params: Record<string, unknown>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const put = (code: string, value: unknown, multi: boolean) => {
    const values = (Array.isArray(value) ? value : [value]).map((x) =>
      typeof x === 'number' ? String(x) : x,
    );
    if (values.some((x) => typeof x !== 'string'))
      throw bad(`attribute[${code}]`, `attribute[${code}] must be text.`);
    out[code] = multi || values.length > 1 ? (values as string[]) : (values[0] as string);
  };
  for (const [key, value] of Object.entries(params)) {
    const m = /^attribute\[([^\][]+)\](\[\])?$/.exec(key);
    if (m) put(m[1], value, Boolean(m[2]));
  }
  const nested = params.attribute ?? params.attributes;
  if (nested && typeof nested === 'object' && !Array.isArray(nested))
    for (const [code, value] of Object.entries(nested as Record<string, unknown>))
      put(code, value, Array.isArray(value));
  return out;
}

/** Turns Open311 POST parameters into a submission (field checks only). */
export function open311Submission(params: Record<string, unknown>): ReportSubmission {
  const serviceCode = str(params.service_code);
  if (!serviceCode) throw bad('service_code', 'service_code is required.');
  const media = limited('media_url', str(params.media_url), 2000);
  if (media && !/^https?:\/\/\S+$/.test(media)) throw bad('media_url', 'media_url must be an http(s) URL.');
  return {
    source: 'open311',
    serviceCode: limited('service_code', serviceCode, 100)!,
    lat: coordinate('lat', params.lat),
    lon: coordinate('long', params.long),
    addressString: limited('address_string', str(params.address_string), 500),
    addressId: limited('address_id', str(params.address_id), 100),
    attributes: collectAttributes(params),
    description: limited('description', str(params.description), 4000),
    mediaUrls: media ? [media] : [],
    email: limited('email', str(params.email), 320),
    phone: limited('phone', str(params.phone), 50),
    firstName: limited('first_name', str(params.first_name), 100),
    lastName: limited('last_name', str(params.last_name), 100),
    deviceId: limited('device_id', str(params.device_id), 200),
    accountId: limited('account_id', str(params.account_id), 200),
  };
}

function checkAttribute(a: CategoryAttribute, value: string | string[]): string | string[] {
  const field = `attribute[${a.code}]`;
  const values = Array.isArray(value) ? value : [value];
  const keys = new Set((a.values ?? []).map((v) => v.key));
  switch (a.datatype) {
    case 'multivaluelist':
      for (const v of values)
        if (!keys.has(v)) throw bad(field, `${field}: "${v}" is not one of its values.`);
      return [...new Set(values)];
    case 'singlevaluelist':
      if (values.length !== 1 || !keys.has(values[0]))
        throw bad(field, `${field} must be one of its values' keys.`);
      return values[0];
    case 'number':
      if (values.length !== 1 || !Number.isFinite(Number(values[0])) || values[0].trim() === '')
        throw bad(field, `${field} must be a number.`);
      return values[0];
    case 'datetime':
      if (values.length !== 1 || !parseDateTime(values[0]))
        throw bad(field, `${field} must be an ISO 8601 date-time.`);
      return values[0];
    default:
      if (values.length !== 1) throw bad(field, `${field} takes one value.`);
      return limited(field, values[0], a.datatype === 'text' ? 4000 : 500)!;
  }
}

/** Checks the answers against the service definition; unknown codes and missing required ones are refused. */
export function checkAttributes(
  category: RegisteredCategory,
  given: Record<string, string | string[]>,
): Record<string, string | string[]> {
  const defs = new Map((category.attributes ?? []).map((a) => [a.code, a]));
  const out: Record<string, string | string[]> = {};
  for (const [code, value] of Object.entries(given)) {
    const def = defs.get(code);
    if (!def) throw bad(`attribute[${code}]`, `Service ${category.code} has no attribute ${code}.`);
    if (def.variable === false) continue;
    out[code] = checkAttribute(def, value);
  }
  for (const def of defs.values())
    if (def.required && def.variable !== false && out[def.code] === undefined)
      throw bad(`attribute[${def.code}]`, `attribute[${def.code}] is required for service ${category.code}.`);
  return out;
}

/** The case description: the citizen's words, or the service name and answers when they gave none. */
function caseDescription(
  category: RegisteredCategory,
  s: ReportSubmission,
  attrs: Record<string, string | string[]>,
) {
  if (s.description) return s.description;
  const answers = Object.entries(attrs).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : v}`);
  return [category.name['zh-CN'], ...answers].join('；');
}

/** The IntakeInput the case engine gets for a checked submission. */
export function toIntake(
  modules: ModuleRegistry,
  s: ReportSubmission,
  token: string,
): { intake: IntakeInput; attributes: Record<string, string | string[]> } {
  let category: RegisteredCategory;
  try {
    category = findService(modules, s.serviceCode);
  } catch {
    // On a POST an unknown code is a bad field (400), not a missing resource.
    throw bad('service_code', `service_code ${s.serviceCode} is not a service of this jurisdiction.`);
  }
  if (s.lat === undefined || s.lon === undefined) {
    if (s.lat !== undefined || s.lon !== undefined)
      throw bad(s.lat === undefined ? 'lat' : 'long', 'Give both lat and long.');
    throw bad('lat', 'A location is required: lat and long, address_string or address_id.');
  }
  if (s.description !== undefined) assertNotSpam(s.description);
  const attributes = checkAttributes(category, s.attributes);
  const name = [s.lastName, s.firstName].filter(Boolean).join('');
  return {
    attributes,
    intake: {
      channel: s.source === 'open311' ? 'open311' : 'app',
      clientRequestId: token,
      category: category.code,
      location: { lat: s.lat, lon: s.lon },
      address: s.addressString,
      description: caseDescription(category, s, attributes),
      media: s.mediaUrls,
      reporter: {
        name: name || undefined,
        phone: s.phone,
        email: s.email,
        consent: Boolean(s.phone || s.email),
      },
    },
  };
}

const KEY_CACHE_MS = 30_000;

/** Forgets the app's cached api keys (on revocation events). */
export function forgetApiKeys(p: Participation): void {
  p.apiKeys.clear();
}

/** The service account of an api_key (cached 30 s; revocation events clear the cache); 403 when bad. */
export async function principalOfApiKey(p: Participation, apiKey: string): Promise<Principal> {
  const keyCache = p.apiKeys;
  const hit = keyCache.get(apiKey);
  if (hit && hit.until > Date.now()) return hit.principal;
  let principal: Principal;
  try {
    principal = await principalForApiKey(p.kernel.db, apiKey, p.kernel.clock.now());
  } catch {
    throw new ForbiddenError('The api_key is not valid.', 'open311.api_key_invalid');
  }
  if (keyCache.size > 10_000) keyCache.clear();
  keyCache.set(apiKey, { principal, until: Date.now() + KEY_CACHE_MS });
  return principal;
}

/**
 * Who posts: the service account of an api_key that may report, or the anonymous reporter
 * when anonymous posting is on. Open311 says 403 for a missing or bad key.
 */
export async function resolvePoster(p: Participation, apiKey: string | undefined): Promise<Principal> {
  if (!apiKey) {
    if (!p.settings.anonymousPosting)
      throw new ForbiddenError(
        'An api_key is required to post service requests.',
        'open311.api_key_required',
      );
    return ANONYMOUS_REPORTER;
  }
  const principal = await principalOfApiKey(p, apiKey);
  if (!hasPermission(principal, 'case.report'))
    throw new ForbiddenError('This api_key may not post service requests.', 'open311.api_key_not_allowed');
  return principal;
}

/** Takes a checked submission in: a case now (immediate), or a durable queued report (queued). */
export async function submitReport(
  p: Participation,
  writer: ReportWriter,
  poster: Principal,
  s: ReportSubmission,
  clientAddress: string,
  onQueued: () => void,
): Promise<SubmissionResult> {
  assertNoNul(s, '');
  p.limits.check(
    {
      key: poster === ANONYMOUS_REPORTER ? null : poster.id,
      device: s.deviceId ?? null,
      address: clientAddress,
    },
    p.kernel.clock.now().getTime(),
  );
  const token = newToken();
  if ((s.lat === undefined || s.lon === undefined) && (s.addressString || s.addressId)) {
    if (s.lat !== undefined || s.lon !== undefined)
      throw bad(s.lat === undefined ? 'lat' : 'long', 'Give both lat and long.');
    // No coordinates: place the address through the city's gazetteer (division codes and names).
    const placed = await placeAddress(p.kernel.db, p.divisions(), {
      addressId: s.addressId,
      addressString: s.addressString,
    });
    if (!placed)
      throw bad(
        s.addressId && !s.addressString ? 'address_id' : 'address_string',
        'The address could not be placed in the city: give lat and long, an address_id (a division code), or an address_string naming a district, street or community.',
      );
    s = { ...s, lat: placed.lat, lon: placed.lon, addressString: s.addressString ?? placed.matched };
  }
  const { intake, attributes } = toIntake(p.kernel.modules, s, token);
  const engine = p.engine();
  // Checked before queueing so that a queued report cannot fail later for its place.
  if (!engine.deps.locate(intake.location.lat, intake.location.lon))
    throw new InvalidInputError(
      `The location ${intake.location.lat},${intake.location.lon} is outside the city.`,
      { field: 'lat' },
      'case.location_outside_city',
    );
  const now = p.kernel.clock.now();
  const base = {
    token,
    source: s.source,
    service_code: intake.category,
    principal: poster,
    device_id: s.deviceId ?? null,
    account_id: s.accountId ?? null,
    attributes,
    contact_email: s.email ?? null,
    contact_phone: s.phone ?? null,
    created_at: now,
  };
  const mode = p.settings.intakeMode;
  const load = p.intakeLoad;
  load.lastPostAt = performance.now();
  if (
    mode === 'queued' ||
    (mode === 'auto' && (load.backlog || load.immediateInFlight >= p.settings.autoQueueAbove))
  ) {
    load.backlog = true;
    await writer.insert({ ...base, status: 'queued', case_id: null, case_number: null, intake });
    onQueued();
    return {
      token,
      case: null,
      serviceNotice:
        '已收到，正在登记；用 token 查询案件编号。Received; look the request id up by its token.',
      accountId: s.accountId ?? null,
    };
  }
  // A fresh token cannot have a case yet: skip the engine's idempotency lookup. The report
  // row is written with the case, in the intake batch's transaction.
  p.intakeLoad.immediateInFlight++;
  let c: CaseView;
  try {
    c = (
      await reportCase(
        engine,
        poster,
        { ...intake, clientRequestId: undefined },
        {
          alongside: reportAlongside((created) => ({
            ...base,
            status: 'filed',
            case_id: created.id,
            case_number: created.number,
            intake: null,
            filed_at: now,
          })),
        },
      )
    ).case;
  } finally {
    p.intakeLoad.immediateInFlight--;
  }
  return { token, case: c, serviceNotice: serviceNotice(c), accountId: s.accountId ?? null };
}

/** What the city says will happen, and the open cases this report was linked to as a likely duplicate. */
export function serviceNotice(c: CaseView): string {
  const dup = c.duplicateCandidates.map((d) => d.number);
  const base = `案件 ${c.number} 已受理，将在立案后派遣至责任部门处置。Case ${c.number} received.`;
  return dup.length
    ? `${base} 附近已有同类未结案件 ${dup.join('、')}，本报告已关联。Linked to open case(s) nearby: ${dup.join(', ')}.`
    : base;
}
