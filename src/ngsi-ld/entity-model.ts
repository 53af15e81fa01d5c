/**
 * The NGSI-LD information model as this broker stores it: an entity is its id, its
 * (expanded) type and a map of expanded attribute IRIs to attributes in normalized form,
 * with `createdAt`/`modifiedAt` kept on every attribute (a multi-attribute, §4.5.5, as the
 * array of its instances). Input may be normalized or
 * concise (§4.5.2); output is normalized, keyValues (simplified) and/or with sysAttrs,
 * compacted with the request's context.
 */
import { type ActiveContext, compactIri, expandTerm } from './json-ld-context.ts';
import { type BBox, bboxOf, GEOMETRY_TYPES, isGeometry } from './geo.ts';
import { NgsiLdError } from './ngsi-ld-errors.ts';

/** Attribute types and the member carrying their value. */
export const VALUE_KEY = {
  Property: 'value',
  GeoProperty: 'value',
  Relationship: 'object',
  LanguageProperty: 'languageMap',
  ListProperty: 'valueList',
  JsonProperty: 'json',
  VocabProperty: 'vocab',
  ListRelationship: 'objectList',
} as const;
export type AttributeType = keyof typeof VALUE_KEY;

/** Members of an attribute that are not sub-attributes. */
const META_KEYS = new Set([
  'type',
  'value',
  'object',
  'languageMap',
  'valueList',
  'json',
  'vocab',
  'objectList',
  'observedAt',
  'unitCode',
  'datasetId',
  'createdAt',
  'modifiedAt',
  'instanceId',
  'objectType',
  'lang',
]);

/** Entity members that are not attributes. */
const ENTITY_KEYS = new Set(['id', 'type', '@context', 'createdAt', 'modifiedAt', 'deletedAt', 'scope']);

export const LOCATION_IRI = 'https://uri.etsi.org/ngsi-ld/location';

/** An attribute as stored. Sub-attributes are further members keyed by expanded IRI. */
export interface StoredAttribute {
  type: AttributeType;
  createdAt: string;
  modifiedAt: string;
  [member: string]: unknown;
}

/**
 * An attribute as stored under its name: one instance, or, for a multi-attribute (§4.5.5),
 * the array of its instances (two or more, distinct `datasetId`s, at most one without — the
 * default instance). Stored data written before multi-attributes has only single instances,
 * so it reads unchanged.
 */
export type StoredAttr = StoredAttribute | StoredAttribute[];

/** An entity as stored. */
export interface StoredEntity {
  id: string;
  type: string;
  attrs: Record<string, StoredAttr>;
  createdAt: string;
  modifiedAt: string;
}

const URI = /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** True when the string is an absolute URI (entity ids must be, §4.5.1). */
export const isUri = (s: unknown): s is string => typeof s === 'string' && URI.test(s);

function bad(detail: string): never {
  throw new NgsiLdError('BadRequestData', detail);
}

/** Validates an entity id. */
export function assertEntityId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || !id) bad('The entity id is missing.');
  if (!isUri(id)) bad(`The entity id ${id} is not a URI.`);
}

/** Expands an entity type given as a string or a one-element array. */
export function expandType(ctx: ActiveContext, type: unknown): string {
  const t = Array.isArray(type) && type.length === 1 ? type[0] : type;
  if (Array.isArray(type)) bad('Entities with more than one type are not supported by this broker.');
  if (typeof t !== 'string' || !t) bad('The entity type is missing.');
  return expandTerm(ctx, t);
}

/** The instances of a stored attribute (none when absent). */
export const instancesOf = (a: StoredAttr | undefined): StoredAttribute[] =>
  a === undefined ? [] : Array.isArray(a) ? a : [a];

/** The stored form of a list of instances: absent, one instance, or the array. */
export const packInstances = (list: StoredAttribute[]): StoredAttr | undefined =>
  list.length === 0 ? undefined : list.length === 1 ? list[0] : list;

/** The default instance (no datasetId), else the first: what single-valued readers use. */
export const defaultInstance = (a: StoredAttr | undefined): StoredAttribute | undefined => {
  const list = instancesOf(a);
  return list.find((i) => i.datasetId === undefined) ?? list[0];
};

/** True when a raw attribute is an array of attribute instances (a multi-attribute, §4.5.5). */
function isInstanceArray(raw: unknown): raw is Record<string, unknown>[] {
  return (
    Array.isArray(raw) &&
    raw.length > 0 &&
    raw.every(
      (r) =>
        r &&
        typeof r === 'object' &&
        !Array.isArray(r) &&
        ((typeof r.type === 'string' && r.type in VALUE_KEY) || 'datasetId' in r),
    )
  );
}

/**
 * Normalizes an attribute given as one instance or an array of instances (a multi-attribute,
 * §4.5.5): each instance keeps the `createdAt` of the stored instance with its datasetId.
 * Two instances with one datasetId (or two defaults) are BadRequestData.
 */
export function normalizeAttr(
  ctx: ActiveContext,
  name: string,
  raw: unknown,
  now: string,
  previous?: StoredAttr,
): StoredAttr {
  const stored = instancesOf(previous);
  const items = isInstanceArray(raw) ? raw : [raw];
  const out: StoredAttribute[] = [];
  const seen = new Set<string | undefined>();
  for (const item of items) {
    const datasetId = (item as Record<string, unknown> | null)?.datasetId as string | undefined;
    const before = stored.find((i) => i.datasetId === datasetId);
    const instance = normalizeAttribute(ctx, name, item, now, before);
    if (seen.has(instance.datasetId as string | undefined))
      bad(
        instance.datasetId === undefined
          ? `Attribute ${name} has more than one default instance (without datasetId).`
          : `Attribute ${name} has more than one instance with datasetId ${instance.datasetId}.`,
      );
    seen.add(instance.datasetId as string | undefined);
    out.push(instance);
  }
  return packInstances(out)!;
}

/**
 * Merges written instances into a stored attribute (§4.5.5): an instance replaces the stored
 * one with its datasetId, others are added. `noOverwrite` keeps stored instances;
 * `existingOnly` writes only instances whose datasetId is stored. Returns the attribute and
 * which instances were written and which were not.
 */
export function mergeInstances(
  previous: StoredAttr | undefined,
  incoming: StoredAttr,
  mode: 'overwrite' | 'noOverwrite' | 'existingOnly' = 'overwrite',
): { attr: StoredAttr | undefined; written: StoredAttribute[]; skipped: StoredAttribute[] } {
  const list = [...instancesOf(previous)];
  const written: StoredAttribute[] = [];
  const skipped: StoredAttribute[] = [];
  for (const inst of instancesOf(incoming)) {
    const at = list.findIndex((i) => i.datasetId === inst.datasetId);
    if ((at >= 0 && mode === 'noOverwrite') || (at < 0 && mode === 'existingOnly')) {
      skipped.push(inst);
      continue;
    }
    const kept = { ...inst, createdAt: at >= 0 ? list[at].createdAt : inst.createdAt };
    if (at >= 0) list[at] = kept;
    else list.push(kept);
    written.push(kept);
  }
  return { attr: packInstances(list), written, skipped };
}

/**
 * Normalizes one attribute instance (normalized or concise form) into its stored form. `previous`
 * keeps `createdAt` when the attribute is replaced.
 */
export function normalizeAttribute(
  ctx: ActiveContext,
  name: string,
  raw: unknown,
  now: string,
  previous?: StoredAttribute,
  depth = 0,
): StoredAttribute {
  if (raw === null || raw === undefined) bad(`Attribute ${name} has no value.`);
  let input: Record<string, unknown>;
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    const obj = raw as Record<string, unknown>;
    if (typeof obj.type === 'string' && obj.type in VALUE_KEY) input = obj;
    else if (isGeometry(obj)) input = { type: 'GeoProperty', value: obj };
    else if (typeof obj.type === 'string' && GEOMETRY_TYPES.includes(obj.type))
      bad(`Attribute ${name} is not a valid GeoJSON ${obj.type}.`);
    else if ('object' in obj) input = { type: 'Relationship', ...obj };
    else if ('languageMap' in obj) input = { type: 'LanguageProperty', ...obj };
    else if ('value' in obj && (obj.type === undefined || typeof obj.type !== 'string'))
      input = { type: 'Property', ...obj };
    else if (typeof obj.type === 'string' && 'value' in obj)
      bad(`Attribute ${name} has an unknown type ${obj.type}.`);
    else input = { type: 'Property', value: obj };
  } else input = { type: 'Property', value: raw };

  const type = input.type as AttributeType;
  const valueKey = VALUE_KEY[type];
  const value = input[valueKey];
  if (value === undefined || value === null) bad(`Attribute ${name} (${type}) needs a ${valueKey}.`);
  if (type === 'GeoProperty' && !isGeometry(value)) bad(`Attribute ${name} is not a valid GeoJSON geometry.`);
  if (type === 'Relationship' && !(isUri(value) || (Array.isArray(value) && value.every(isUri))))
    bad(`Relationship ${name} must point to a URI.`);
  if (type === 'LanguageProperty' && (typeof value !== 'object' || Array.isArray(value)))
    bad(`LanguageProperty ${name} needs a languageMap object.`);
  if ((type === 'ListProperty' || type === 'ListRelationship') && !Array.isArray(value))
    bad(`${type} ${name} needs an array.`);
  const out: StoredAttribute = {
    type,
    [valueKey]: value,
    createdAt: previous?.createdAt ?? now,
    modifiedAt: now,
  };
  if (input.observedAt !== undefined) {
    if (
      typeof input.observedAt !== 'string' ||
      !DATE_TIME.test(input.observedAt) ||
      Number.isNaN(Date.parse(input.observedAt))
    )
      bad(`observedAt of ${name} is not an ISO 8601 date-time.`);
    out.observedAt = new Date(input.observedAt).toISOString();
  }
  if (input.unitCode !== undefined) {
    if (typeof input.unitCode !== 'string') bad(`unitCode of ${name} must be a string.`);
    out.unitCode = input.unitCode;
  }
  if (input.datasetId !== undefined) {
    if (!isUri(input.datasetId)) bad(`datasetId of ${name} must be a URI.`);
    out.datasetId = input.datasetId;
  }
  if (input.objectType !== undefined) out.objectType = input.objectType;
  if (input.lang !== undefined) out.lang = input.lang;
  for (const [key, sub] of Object.entries(input)) {
    if (META_KEYS.has(key) || key === '@context') continue;
    if (depth >= 2) bad(`Sub-attributes of ${name} nest too deeply.`);
    const iri = expandTerm(ctx, key);
    const prevSub = previous?.[iri] as StoredAttribute | undefined;
    out[iri] = normalizeAttribute(ctx, key, sub, now, prevSub, depth + 1);
  }
  return out;
}

/** Normalizes the attributes of an entity fragment (entity body or attrs body). */
export function normalizeAttributes(
  ctx: ActiveContext,
  body: Record<string, unknown>,
  now: string,
  previous: Record<string, StoredAttr> = {},
): Record<string, StoredAttr> {
  const attrs: Record<string, StoredAttr> = {};
  for (const [key, raw] of Object.entries(body)) {
    if (ENTITY_KEYS.has(key)) continue;
    const iri = expandTerm(ctx, key);
    attrs[iri] = normalizeAttr(ctx, key, raw, now, previous[iri]);
  }
  return attrs;
}

/** Validates and normalizes a whole entity for creation. */
export function normalizeEntity(ctx: ActiveContext, body: unknown, now: string): StoredEntity {
  if (!body || typeof body !== 'object' || Array.isArray(body)) bad('An entity must be a JSON object.');
  const b = body as Record<string, unknown>;
  assertEntityId(b.id);
  const type = expandType(ctx, b.type);
  return { id: b.id, type, attrs: normalizeAttributes(ctx, b, now), createdAt: now, modifiedAt: now };
}

/** The bounding box of the entity's `location`, for the geo prefilter columns. */
export function locationBox(attrs: Record<string, StoredAttr>): BBox | null {
  const loc = defaultInstance(attrs[LOCATION_IRI]);
  if (loc?.type !== 'GeoProperty' || !isGeometry(loc.value)) return null;
  return bboxOf(loc.value);
}

export interface RenderOptions {
  keyValues?: boolean;
  sysAttrs?: boolean;
  /** Expanded attribute IRIs to include (all when absent). */
  attrs?: ReadonlySet<string> | null;
}

/** The simplified (keyValues) value of an attribute. */
export function simplifiedValue(a: StoredAttribute): unknown {
  return a[VALUE_KEY[a.type] ?? 'value'];
}

function renderAttribute(ctx: ActiveContext, a: StoredAttribute, sysAttrs: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(a)) {
    if ((key === 'createdAt' || key === 'modifiedAt') && !sysAttrs) continue;
    if (META_KEYS.has(key)) out[key] = v;
    else out[compactIri(ctx, key)] = renderAttribute(ctx, v as StoredAttribute, sysAttrs);
  }
  return out;
}

/** Renders a stored entity for a response or notification (compacted, without @context). */
export function renderEntity(
  ctx: ActiveContext,
  e: StoredEntity,
  options: RenderOptions = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = { id: e.id, type: compactIri(ctx, e.type) };
  if (options.sysAttrs) {
    out.createdAt = e.createdAt;
    out.modifiedAt = e.modifiedAt;
  }
  for (const [iri, a] of Object.entries(e.attrs)) {
    if (options.attrs && !options.attrs.has(iri)) continue;
    const name = compactIri(ctx, iri);
    // A multi-attribute renders as the array of its instances (§4.5.5); simplified, as the
    // array of their values.
    out[name] = Array.isArray(a)
      ? a.map((i) => (options.keyValues ? simplifiedValue(i) : renderAttribute(ctx, i, !!options.sysAttrs)))
      : options.keyValues
        ? simplifiedValue(a)
        : renderAttribute(ctx, a, !!options.sysAttrs);
  }
  return out;
}

/** Converts a database timestamp to ISO 8601. */
export const iso = (d: Date | string) => (d instanceof Date ? d.toISOString() : new Date(d).toISOString());
