/**
 * The GeoReport v2 documents as OneCity writes them, and how each is sent in JSON or XML
 * (the format comes from the `.json` / `.xml` extension of the path).
 */
import type { FastifyReply } from 'fastify';
import { toXml, type XmlItemNames } from './open311-xml.ts';

export type Open311Format = 'json' | 'xml';

/** One service (a public minor class of a plate catalogue). */
export interface Open311Service {
  service_code: string;
  service_name: string;
  description: string | null;
  metadata: boolean;
  type: 'realtime' | 'batch' | 'blackbox';
  keywords: string | null;
  group: string | null;
}

/**
 * {@link Open311Service} as a response schema, for the OpenAPI document and the web app's
 * types: the Open311 routes send their documents already rendered, so it never filters.
 */
export const open311ServiceSchema = {
  type: 'object',
  properties: {
    service_code: { type: 'string' },
    service_name: { type: 'string' },
    description: { type: ['string', 'null'] },
    metadata: { type: 'boolean' },
    type: { type: 'string', enum: ['realtime', 'batch', 'blackbox'] },
    keywords: { type: ['string', 'null'], description: 'Comma-separated' },
    group: { type: ['string', 'null'] },
  },
} as const;

export interface Open311AttributeValue {
  key: string;
  name: string;
}

export interface Open311Attribute {
  variable: boolean;
  code: string;
  datatype: 'string' | 'number' | 'datetime' | 'text' | 'singlevaluelist' | 'multivaluelist';
  required: boolean;
  datatype_description: string | null;
  order: number | null;
  description: string | null;
  values?: Open311AttributeValue[];
}

export interface Open311ServiceDefinition {
  service_code: string;
  attributes: Open311Attribute[];
}

/** A service request as GET requests answers it, with OneCity's extension fields. */
export interface Open311Request {
  service_request_id: string;
  status: 'open' | 'closed';
  status_notes: string | null;
  service_name: string | null;
  service_code: string;
  description: string | null;
  agency_responsible: string | null;
  service_notice: string | null;
  requested_datetime: string;
  updated_datetime: string | null;
  expected_datetime: string | null;
  address: string | null;
  address_id: string | null;
  zipcode: string | null;
  lat: number | null;
  long: number | null;
  media_url: string | null;
  /** Extension: the detailed OneCity state (reported, filed, dispatched, in_progress…). */
  onecity_state: string;
}

/** The answer to a POST: the request id, or a token when intake is queued. */
export type Open311PostResult =
  | { service_request_id: string; service_notice: string | null; account_id: string | null }
  | { token: string; service_notice: string | null; account_id: string | null };

export interface Open311Token {
  service_request_id: string | null;
  token: string;
}

export interface Open311Discovery {
  changeset: string;
  contact: string;
  key_service: string;
  endpoints: Array<{
    specification: string;
    url: string;
    changeset: string;
    type: 'production' | 'test';
    formats: string[];
  }>;
}

export interface Open311Error {
  code: number;
  description: string;
}

/** Root element and array item names of each document. */
const XML_SHAPES = {
  services: { root: 'services', items: { services: 'service', values: 'value' } },
  service_definition: { root: 'service_definition', items: { attributes: 'attribute', values: 'value' } },
  service_requests: { root: 'service_requests', items: { service_requests: 'request' } },
  discovery: { root: 'discovery', items: { endpoints: 'endpoint', formats: 'format' } },
  errors: { root: 'errors', items: { errors: 'error' } },
} as const satisfies Record<string, { root: string; items: XmlItemNames }>;

export type Open311DocumentKind = keyof typeof XML_SHAPES;

/** Content types: JSON, and `text/xml` as the specification's API description says. */
export const CONTENT_TYPES: Readonly<Record<Open311Format, string>> = {
  json: 'application/json; charset=utf-8',
  xml: 'text/xml; charset=utf-8',
};

/** Serializes a document in a format. */
export function renderOpen311(kind: Open311DocumentKind, format: Open311Format, body: unknown): string {
  if (format === 'json') return JSON.stringify(body);
  const shape = XML_SHAPES[kind];
  return toXml(shape.root, body, shape.items);
}

/** Sends a document with its content type and status. */
export function sendOpen311(
  reply: FastifyReply,
  kind: Open311DocumentKind,
  format: Open311Format,
  body: unknown,
  status = 200,
) {
  return reply
    .status(status)
    .type(CONTENT_TYPES[format])
    .send(renderOpen311(kind, format, body));
}

/** The format of a path by its extension (`…/requests.xml?…` → xml); JSON when none. */
export function formatOfUrl(url: string): Open311Format {
  const path = url.split('?')[0];
  return path.endsWith('.xml') ? 'xml' : 'json';
}
