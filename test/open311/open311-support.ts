/**
 * Conformance support: the shipped GeoReport v2 JSON Schemas compiled with ajv, an XML
 * parser, and an element-by-element comparison of an XML document with the JSON one.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import { XMLParser } from 'fast-xml-parser';

const root = path.resolve(import.meta.dirname, '../..');
/** The shared standards folder (CI has shared/ beside the checkout). */
export const STANDARDS = [path.resolve(root, '../shared/standards'), '/work/shared/standards'].find((d) => {
  try {
    readFileSync(path.join(d, 'README.md'));
    return true;
  } catch {
    return false;
  }
})!;

const schemaFile = (name: string) =>
  JSON.parse(readFileSync(path.join(STANDARDS, 'open311-georeport-v2', name), 'utf8')) as Record<
    string,
    unknown
  >;

// ajv and ajv-formats are CommonJS: their default export sits under `default` in ESM.
const addFormats = ((addFormatsModule as unknown as { default?: FormatsPlugin }).default ??
  addFormatsModule) as FormatsPlugin;
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
for (const name of [
  'request.json',
  'requests.json',
  'service.json',
  'services.json',
  'service-definition.json',
])
  ajv.addSchema({ ...schemaFile(name), $id: name }, name);
/** Not shipped: the error document as the specification describes it. */
ajv.addSchema(
  {
    $id: 'errors.json',
    type: 'array',
    minItems: 1,
    items: {
      type: 'object',
      required: ['code', 'description'],
      properties: { code: { type: 'integer' }, description: { type: 'string', minLength: 1 } },
    },
  },
  'errors.json',
);
/** Not shipped: the POST answer (`service_request_id` or `token`, `service_notice`, `account_id`). */
ajv.addSchema(
  {
    $id: 'post-response.json',
    type: 'array',
    minItems: 1,
    items: {
      type: 'object',
      oneOf: [{ required: ['service_request_id'] }, { required: ['token'] }],
      properties: {
        service_request_id: { type: 'string' },
        token: { type: 'string' },
        service_notice: { type: ['string', 'null'] },
        account_id: { type: ['string', 'null'] },
      },
    },
  },
  'post-response.json',
);

/** Validates a JSON body against a shipped schema; the failure lists ajv's errors. */
export function assertSchema(schema: string, body: unknown): void {
  const validate = ajv.getSchema(schema)!;
  assert.ok(
    validate(body),
    `${schema}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 500)}`,
  );
}

const ARRAY_ELEMENTS = ['service', 'request', 'attribute', 'value', 'error', 'endpoint', 'format'];
const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  parseTagValue: false,
  trimValues: false,
  isArray: (name) => ARRAY_ELEMENTS.includes(name),
});

/**
 * An XML element as the parser reads it: its text (empty for an empty element), or its child
 * elements by name, those of ARRAY_ELEMENTS as arrays.
 */
export type XmlValue = string | XmlElement | XmlElement[];
export interface XmlElement {
  [name: string]: XmlValue;
}

/**
 * Parses an XML document (after checking the declaration). `T` is the shape the caller reads
 * (by default any element); assertXmlMatches holds a document to its JSON twin.
 */
export function parseXml<T extends object = XmlElement>(text: string): T {
  assert.match(text, /^<\?xml version="1\.0" encoding="utf-8"\?>/);
  return parser.parse(text);
}

/**
 * Asserts that the XML element `name` holds exactly the JSON value: objects field by field
 * (same element names in the same order), arrays as repeated children named by `items`,
 * null as an empty element, numbers and booleans by their text.
 */
export function assertXmlMatches(
  xml: XmlValue | undefined,
  json: unknown,
  items: Record<string, string>,
  name: string,
): void {
  if (json === null || json === undefined) {
    assert.ok(xml === '' || xml === undefined, `<${name}>: expected empty, got ${JSON.stringify(xml)}`);
    return;
  }
  if (Array.isArray(json)) {
    const child = items[name];
    assert.ok(child, `<${name}>: no item name for this array`);
    const children = typeof xml === 'object' && !Array.isArray(xml) ? (xml[child] ?? []) : [];
    assert.ok(Array.isArray(children), `<${name}>: <${child}> elements expected, got ${JSON.stringify(xml)}`);
    assert.equal(children.length, json.length, `<${name}>: ${json.length} <${child}> expected`);
    for (const [i, v] of json.entries()) assertXmlMatches(children[i], v, items, child);
    return;
  }
  if (typeof json === 'object') {
    assert.ok(
      typeof xml === 'object' && !Array.isArray(xml),
      `<${name}>: expected child elements, got ${JSON.stringify(xml)}`,
    );
    assert.deepEqual(Object.keys(xml), Object.keys(json as object), `<${name}>: element names`);
    for (const [k, v] of Object.entries(json as object)) assertXmlMatches(xml[k], v, items, k);
    return;
  }
  assert.equal(xml, String(json), `<${name}>`);
}

/** Item element names of the GeoReport documents. */
export const ITEMS: Record<string, string> = {
  services: 'service',
  attributes: 'attribute',
  values: 'value',
  service_requests: 'request',
  errors: 'error',
  endpoints: 'endpoint',
  formats: 'format',
};

/**
 * Fetches the same path as .json and .xml and checks the XML against the JSON element by
 * element. `T` is the document the JSON should be (the caller checks it against its schema).
 */
export async function fetchBoth<T>(
  urlJson: string,
  root: string,
  init: RequestInit = {},
): Promise<{ status: number; json: T; xml: XmlElement; headers: Headers }> {
  const j = await fetch(urlJson, init);
  const json: T = await j.json();
  const x = await fetch(urlJson.replace(/\.json(\?|$)/, '.xml$1'), init);
  assert.equal(x.status, j.status, `XML status for ${urlJson}`);
  assert.match(x.headers.get('content-type') ?? '', /^text\/xml/);
  assert.match(j.headers.get('content-type') ?? '', /^application\/json/);
  const xml = parseXml(await x.text());
  assert.deepEqual(Object.keys(xml), [root], 'document element');
  assertXmlMatches(xml[root], json, ITEMS, root);
  return { status: j.status, json, xml, headers: j.headers };
}
