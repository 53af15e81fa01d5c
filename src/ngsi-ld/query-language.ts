/**
 * The NGSI-LD query language (ETSI GS CIM 009 §4.9): `q` parsed into a tree, compiled to
 * SQL over the jsonb attributes (every user value travels as a bound parameter, never in
 * the SQL text) and evaluated in JavaScript for subscriptions.
 *
 * Grammar accepted (AND `;` binds tighter than OR `|`; parentheses group):
 *   term      := "!" path | path | path op value
 *   op        := == | != | > | >= | < | <= | ~= | !~=
 *   path      := attr ("." subAttr)* ("[" key ("." key)* "]")?
 *   value     := atom | atom ".." atom (range, with == and !=) | atom ("," atom)+ (list)
 *   atom      := "quoted string" | number | true | false | dateTime | date | time | URI
 * A dotted path names sub-attributes (Property of Property); the bracket path goes into a
 * compound value. The sub-attribute names `observedAt`, `createdAt`, `modifiedAt` and
 * `unitCode` address those members of the attribute.
 */
import { type RawBuilder, sql } from 'kysely';
import { compileClientPattern, compileStoredPattern } from './client-pattern.ts';
import { type ActiveContext, expandTerm } from './json-ld-context.ts';
import { NgsiLdError } from './ngsi-ld-errors.ts';

export type Atom = string | number | boolean | { dateTime: string };
export type QValue =
  | { kind: 'single'; atom: Atom }
  | { kind: 'range'; from: Atom; to: Atom }
  | { kind: 'list'; atoms: Atom[] };
export type Op = '==' | '!=' | '>' | '>=' | '<' | '<=' | '~=' | '!~=';
export interface AttrPath {
  /** Expanded IRIs: the attribute, then sub-attributes. */
  attrs: string[];
  /** A member of the last attribute (`observedAt`…) instead of its value. */
  member?: string;
  /** Keys into the compound value (not expanded). */
  valuePath: string[];
}
export type QNode =
  | { kind: 'and' | 'or'; items: QNode[] }
  | { kind: 'exists'; path: AttrPath; negated: boolean }
  | { kind: 'cmp'; path: AttrPath; op: Op; value: QValue; regex?: RegExp };

const MEMBERS = new Set(['observedAt', 'createdAt', 'modifiedAt', 'unitCode']);
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z?$/;
const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;
const MAX_LENGTH = 4000;

function bad(detail: string): never {
  throw new NgsiLdError('BadRequestData', `Invalid q: ${detail}`);
}

/** Parses `q` with the request's context (attribute names are expanded). */
export function parseQuery(q: string, ctx: ActiveContext): QNode {
  if (q.length > MAX_LENGTH) throw new NgsiLdError('TooComplexQuery', 'The q expression is too long.');
  let pos = 0;
  let depth = 0;
  const peek = () => q[pos];

  const parseOr = (): QNode => {
    const items = [parseAnd()];
    while (peek() === '|') {
      pos++;
      items.push(parseAnd());
    }
    return items.length === 1 ? items[0] : { kind: 'or', items };
  };
  const parseAnd = (): QNode => {
    const items = [parseTerm()];
    while (peek() === ';') {
      pos++;
      items.push(parseTerm());
    }
    return items.length === 1 ? items[0] : { kind: 'and', items };
  };
  const parseTerm = (): QNode => {
    if (peek() === '(') {
      if (++depth > 20) throw new NgsiLdError('TooComplexQuery', 'The q expression nests too deeply.');
      pos++;
      const inner = parseOr();
      if (peek() !== ')') bad(`expected ")" at ${pos}`);
      pos++;
      depth--;
      return inner;
    }
    if (peek() === '!' && q[pos + 1] !== '=' && q[pos + 1] !== '~') {
      pos++;
      return { kind: 'exists', path: parsePath(), negated: true };
    }
    const path = parsePath();
    const op = /^(==|!=|>=|<=|>|<|~=|!~=)/.exec(q.slice(pos))?.[1] as Op | undefined;
    if (!op) {
      if (pos < q.length && !';|)'.includes(peek())) bad(`unexpected "${peek()}" at ${pos}`);
      return { kind: 'exists', path, negated: false };
    }
    pos += op.length;
    const raw = readValue();
    if (raw === '') bad(`a value is missing at ${pos}`);
    if (op === '~=' || op === '!~=') {
      const pattern = unquote(raw);
      const regex = compileClientPattern(pattern, `The pattern of ${op} in q`);
      return { kind: 'cmp', path, op, value: { kind: 'single', atom: pattern }, regex };
    }
    return { kind: 'cmp', path, op, value: parseValue(raw, op) };
  };
  const parsePath = (): AttrPath => {
    const start = pos;
    // Full IRIs as attribute names are taken whole (their dots are not sub-attributes).
    const iri = /^(https?:\/\/|urn:)[^=!<>~;|()[\]"]+/.exec(q.slice(pos));
    let names: string[];
    if (iri) {
      pos += iri[0].length;
      names = [iri[0]];
    } else {
      while (pos < q.length && !'=!<>~;|()["'.includes(q[pos])) pos++;
      const text = q.slice(start, pos);
      if (!text) bad(`an attribute name is missing at ${start}`);
      names = text.split('.');
      if (names.some((n) => !/^[A-Za-z0-9_@:#/-]+$/.test(n))) bad(`invalid attribute path ${text}`);
    }
    const valuePath: string[] = [];
    if (peek() === '[') {
      const end = q.indexOf(']', pos);
      if (end < 0) bad('unclosed "["');
      valuePath.push(...q.slice(pos + 1, end).split('.'));
      if (valuePath.some((k) => !k)) bad('empty key in "[…]"');
      pos = end + 1;
    }
    let member: string | undefined;
    if (names.length > 1 && MEMBERS.has(names[names.length - 1])) member = names.pop();
    return { attrs: names.map((n) => expandTerm(ctx, n)), member, valuePath };
  };
  const readValue = (): string => {
    const start = pos;
    let inQuote = false;
    while (pos < q.length) {
      const c = q[pos];
      if (inQuote) {
        if (c === '\\') pos++;
        else if (c === '"') inQuote = false;
      } else if (c === '"') inQuote = true;
      else if (c === ';' || c === '|' || c === ')') break;
      pos++;
    }
    if (inQuote) bad('unterminated string');
    return q.slice(start, pos);
  };

  const tree = parseOr();
  if (pos !== q.length) bad(`unexpected "${q[pos]}" at ${pos}`);
  return tree;
}

function splitOutsideQuotes(raw: string, sep: string): string[] {
  const parts: string[] = [];
  let inQuote = false;
  let start = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (inQuote) {
      if (c === '\\') i++;
      else if (c === '"') inQuote = false;
    } else if (c === '"') inQuote = true;
    else if (raw.startsWith(sep, i)) {
      parts.push(raw.slice(start, i));
      start = i + sep.length;
      i += sep.length - 1;
    }
  }
  parts.push(raw.slice(start));
  return parts;
}

function unquote(raw: string): string {
  if (raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"')) {
    try {
      return JSON.parse(raw) as string;
    } catch {
      bad(`invalid string ${raw}`);
    }
  }
  return raw;
}

function parseAtom(raw: string): Atom {
  if (raw.startsWith('"')) return unquote(raw);
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (NUMBER.test(raw)) return Number(raw);
  if (DATE_TIME.test(raw)) {
    const t = Date.parse(raw);
    if (Number.isNaN(t)) bad(`invalid date-time ${raw}`);
    return { dateTime: new Date(t).toISOString() };
  }
  if (DATE.test(raw) || TIME.test(raw)) return raw;
  if (/^[A-Za-z][A-Za-z0-9+.-]*:[^\s"]+$/.test(raw)) return raw;
  bad(`invalid value ${raw} (quote strings)`);
}

function parseValue(raw: string, op: Op): QValue {
  const list = splitOutsideQuotes(raw, ',');
  if (list.length > 1) {
    if (op !== '==' && op !== '!=') bad('a list of values needs == or !=');
    return { kind: 'list', atoms: list.map(parseAtom) };
  }
  const range = splitOutsideQuotes(raw, '..');
  if (range.length === 2 && !NUMBER.test(raw)) {
    if (op !== '==' && op !== '!=') bad('a range needs == or !=');
    return { kind: 'range', from: parseAtom(range[0]), to: parseAtom(range[1]) };
  }
  return { kind: 'single', atom: parseAtom(raw) };
}

// ---------------------------------------------------------------- SQL compilation

type Sql = RawBuilder<unknown>;

/** `e.attrs -> 'a' -> 'b'`: the innermost attribute object of a path. */
function attrExpr(column: Sql, path: AttrPath): Sql {
  let expr = column;
  for (const a of path.attrs) expr = sql`${expr} -> ${a}::text`;
  return expr;
}

/** The compared value of a path (value or object, `@value` of typed literals, member). */
function valueExpr(column: Sql, path: AttrPath): Sql {
  const attr = attrExpr(column, path);
  if (path.member) return sql`(${attr} -> ${path.member}::text)`;
  let v: Sql = sql`coalesce(${attr} -> 'value', ${attr} -> 'object', ${attr} -> 'vocab')`;
  for (const k of path.valuePath) v = sql`${v} -> ${k}::text`;
  return sql`(${v})`;
}

/** A JSON document that, contained in the attributes, means "path equals atom". */
function containment(path: AttrPath, member: string, atom: unknown): string {
  let inner: unknown = atom;
  for (let i = path.valuePath.length - 1; i >= 0; i--) inner = { [path.valuePath[i]]: inner };
  let doc: unknown = { [member]: inner };
  for (let i = path.attrs.length - 1; i >= 0; i--) doc = { [path.attrs[i]]: doc };
  return JSON.stringify(doc);
}

const isDateTime = (a: Atom): a is { dateTime: string } => typeof a === 'object';

function dateTimeText(v: Sql): Sql {
  return sql`(case when jsonb_typeof(coalesce(${v} -> '@value', ${v})) = 'string' and (coalesce(${v} -> '@value', ${v}) #>> '{}') ~ '^\\d{4}-\\d{2}-\\d{2}T' then (coalesce(${v} -> '@value', ${v}) #>> '{}')::timestamptz end)`;
}

function compare(column: Sql, path: AttrPath, op: '>' | '>=' | '<' | '<=' | '=', atom: Atom): Sql {
  const v = valueExpr(column, path);
  if (isDateTime(atom)) return sql`${dateTimeText(v)} ${sql.raw(op)} ${atom.dateTime}::timestamptz`;
  const jsonType = typeof atom === 'number' ? 'number' : typeof atom === 'boolean' ? 'boolean' : 'string';
  return sql`(jsonb_typeof(${v}) = ${jsonType} and ${v} ${sql.raw(op)} ${JSON.stringify(atom)}::jsonb)`;
}

/**
 * A leaf over every instance of its attribute (a multi-attribute is stored as the array of
 * its instances, §4.5.5): true when any instance satisfies it.
 */
function anyInstance(column: Sql, path: AttrPath, leaf: (attrs: Sql) => Sql): Sql {
  const top = sql`${column} -> ${path.attrs[0]}::text`;
  return sql`(case when jsonb_typeof(${top}) = 'array' then exists (select 1 from jsonb_array_elements(${top}) as inst (v) where ${leaf(sql`jsonb_build_object(${path.attrs[0]}::text, inst.v)`)}) else ${leaf(column)} end)`;
}

/** The containment document of `doc` with the attribute stored as an array of instances. */
function asInstanceArray(path: AttrPath, doc: string): string {
  const top = path.attrs[0];
  const parsed = JSON.parse(doc) as Record<string, unknown>;
  return JSON.stringify({ [top]: [parsed[top]] });
}

function equalsAtom(column: Sql, path: AttrPath, atom: Atom): Sql {
  if (isDateTime(atom)) return anyInstance(column, path, (c) => compare(c, path, '=', atom));
  // Containment is answered by the GIN index; the array form matches an element of an
  // array value (nested containment does not unwrap arrays on its own).
  const members = path.member ? [path.member] : ['value'];
  if (
    !path.member &&
    path.valuePath.length === 0 &&
    typeof atom === 'string' &&
    /^[A-Za-z][A-Za-z0-9+.-]*:/.test(atom)
  )
    members.push('object');
  // Each document also in the multi-attribute shape: any instance equal matches, still by
  // containment (GIN-indexed).
  const docs = members
    .flatMap((m) => [containment(path, m, atom), containment(path, m, [atom])])
    .flatMap((d) => [d, asInstanceArray(path, d)]);
  return sql`(${sql.join(
    docs.map((d) => sql`${column} @> ${d}::jsonb`),
    sql` or `,
  )})`;
}

function positive(column: Sql, path: AttrPath, value: QValue): Sql {
  if (value.kind === 'single') return equalsAtom(column, path, value.atom);
  if (value.kind === 'list')
    return sql`(${sql.join(
      value.atoms.map((a) => equalsAtom(column, path, a)),
      sql` or `,
    )})`;
  return sql`(${compare(column, path, '>=', value.from)} and ${compare(column, path, '<=', value.to)})`;
}

function existsExpr(column: Sql, path: AttrPath): Sql {
  if (path.member || path.valuePath.length) return sql`(${valueExpr(column, path)} is not null)`;
  return sql`(${attrExpr(column, path)} is not null)`;
}

/** Compiles a q tree to a boolean SQL expression over `column` (the attrs jsonb). */
export function compileQuery(node: QNode, column: Sql): Sql {
  switch (node.kind) {
    case 'and':
      return sql`(${sql.join(
        node.items.map((n) => compileQuery(n, column)),
        sql` and `,
      )})`;
    case 'or':
      return sql`(${sql.join(
        node.items.map((n) => compileQuery(n, column)),
        sql` or `,
      )})`;
    case 'exists': {
      const path = node.path;
      const present =
        path.member || path.valuePath.length
          ? anyInstance(column, path, (c) => existsExpr(c, path))
          : existsExpr(column, path);
      return node.negated ? sql`(not coalesce(${present}, false))` : present;
    }
    case 'cmp': {
      const { path, op, value } = node;
      if (op === '==' && value.kind !== 'range') return positive(column, path, value);
      return anyInstance(column, path, (c) => compileLeaf(node, c));
    }
  }
}

/** A comparison over one instance of each attribute. */
function compileLeaf(node: Extract<QNode, { kind: 'cmp' }>, column: Sql): Sql {
  const { path, op, value } = node;
  if (op === '==') return positive(column, path, value);
  if (op === '!=') return sql`(${existsExpr(column, path)} and not ${positive(column, path, value)})`;
  if (op === '~=' || op === '!~=') {
    const v = valueExpr(column, path);
    const m = sql`(jsonb_typeof(${v}) = 'string' and (${v} #>> '{}') ~ ${String((value as { atom: string }).atom)})`;
    return op === '~=' ? m : sql`(${existsExpr(column, path)} and not coalesce(${m}, false))`;
  }
  if (value.kind !== 'single') bad(`${op} needs a single value`);
  return compare(column, path, op, value.atom);
}

// ---------------------------------------------------------------- JavaScript evaluation

function attrAt(attrs: Record<string, unknown>, path: AttrPath): Record<string, unknown> | undefined {
  let cur: unknown = attrs;
  for (const a of path.attrs) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[a];
  }
  return cur && typeof cur === 'object' ? (cur as Record<string, unknown>) : undefined;
}

function valueAt(attrs: Record<string, unknown>, path: AttrPath): unknown {
  const attr = attrAt(attrs, path);
  if (!attr) return undefined;
  if (path.member) return attr[path.member];
  let v: unknown = attr.value ?? attr.object ?? attr.vocab;
  for (const k of path.valuePath) {
    if (!v || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

function cmpAtom(v: unknown, op: '>' | '>=' | '<' | '<=' | '==', atom: Atom): boolean {
  if (Array.isArray(v) && op === '==') return v.some((x) => cmpAtom(x, op, atom));
  let left: number | string | boolean;
  let right: number | string | boolean;
  if (isDateTime(atom)) {
    const raw = v && typeof v === 'object' && '@value' in v ? (v as { '@value': unknown })['@value'] : v;
    if (typeof raw !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(raw)) return false;
    left = Date.parse(raw);
    right = Date.parse(atom.dateTime);
    if (Number.isNaN(left)) return false;
  } else {
    if (typeof v !== typeof atom) return false;
    left = v as number | string | boolean;
    right = atom;
  }
  switch (op) {
    case '==':
      return left === right;
    case '>':
      return left > right;
    case '>=':
      return left >= right;
    case '<':
      return left < right;
    case '<=':
      return left <= right;
  }
}

function positiveJs(v: unknown, value: QValue): boolean {
  if (value.kind === 'single') return cmpAtom(v, '==', value.atom);
  if (value.kind === 'list') return value.atoms.some((a) => cmpAtom(v, '==', a));
  return cmpAtom(v, '>=', value.from) && cmpAtom(v, '<=', value.to);
}

/** The attributes as seen by one instance of the path's attribute each (§4.5.5). */
function instanceViews(attrs: Record<string, unknown>, path: AttrPath): Array<Record<string, unknown>> {
  const top = attrs[path.attrs[0]];
  return Array.isArray(top) ? top.map((i) => ({ ...attrs, [path.attrs[0]]: i })) : [attrs];
}

/** Evaluates a q tree against stored attributes (same semantics as the SQL). */
export function evaluateQuery(node: QNode, attrs: Record<string, unknown>): boolean {
  switch (node.kind) {
    case 'and':
      return node.items.every((n) => evaluateQuery(n, attrs));
    case 'or':
      return node.items.some((n) => evaluateQuery(n, attrs));
    case 'exists': {
      const present = instanceViews(attrs, node.path).some((v) => valueAt(v, node.path) !== undefined);
      return node.negated ? !present : present;
    }
    case 'cmp':
      // A multi-attribute matches when any of its instances does.
      return instanceViews(attrs, node.path).some((v) => evaluateLeaf(node, v));
  }
}

function evaluateLeaf(node: Extract<QNode, { kind: 'cmp' }>, attrs: Record<string, unknown>): boolean {
  switch (node.kind) {
    case 'cmp': {
      const v = valueAt(attrs, node.path);
      if (v === undefined) return false;
      switch (node.op) {
        case '==':
          return positiveJs(v, node.value);
        case '!=':
          return !positiveJs(v, node.value);
        case '~=':
          return typeof v === 'string' && node.regex!.test(v);
        case '!~=':
          return !(typeof v === 'string' && node.regex!.test(v));
        default:
          return node.value.kind === 'single' && cmpAtom(v, node.op, node.value.atom);
      }
    }
  }
}

/** Rebuilds the regular expressions of a tree read back from JSON. */
export function reviveQuery(node: QNode): QNode {
  if (node.kind === 'and' || node.kind === 'or') return { ...node, items: node.items.map(reviveQuery) };
  if (node.kind === 'cmp' && (node.op === '~=' || node.op === '!~='))
    return { ...node, regex: compileStoredPattern(String((node.value as { atom: string }).atom)) };
  return node;
}
