/**
 * A small XML writer for GeoReport v2 documents. Element names follow the specification;
 * arrays are written as repeated child elements whose name the caller gives (the
 * specification names them: `service`, `request`, `attribute`, `value`, `endpoint`,
 * `format`, `error`). `null` and `undefined` become empty elements, as in the examples.
 */

/** How arrays nested under a field are written: field name → child element name. */
export type XmlItemNames = Readonly<Record<string, string>>;

/** Characters XML 1.0 cannot carry: controls other than tab, newline and carriage return, and non-characters. */
function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    cp >= 0x10000
  );
}

/** Escapes text content (and drops characters XML 1.0 cannot carry). */
export function escapeXml(value: string): string {
  let clean = value;
  for (const ch of value)
    if (!isXmlChar(ch.codePointAt(0)!)) {
      clean = [...value].filter((c) => isXmlChar(c.codePointAt(0)!)).join('');
      break;
    }
  return clean
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const NAME = /^[A-Za-z_][A-Za-z0-9._-]*$/;

function element(name: string, value: unknown, items: XmlItemNames, out: string[]): void {
  if (!NAME.test(name)) throw new Error(`Not an XML element name: ${name}`);
  if (value === null || value === undefined) {
    out.push(`<${name}/>`);
    return;
  }
  if (Array.isArray(value)) {
    const child = items[name] ?? 'item';
    out.push(`<${name}>`);
    for (const v of value) element(child, v, items, out);
    out.push(`</${name}>`);
    return;
  }
  if (typeof value === 'object') {
    out.push(`<${name}>`);
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) element(k, v, items, out);
    out.push(`</${name}>`);
    return;
  }
  out.push(`<${name}>${escapeXml(String(value))}</${name}>`);
}

/** Serializes `value` as the document element `root`, with the XML declaration. */
export function toXml(root: string, value: unknown, items: XmlItemNames = {}): string {
  const out: string[] = ['<?xml version="1.0" encoding="utf-8"?>'];
  element(root, value, items, out);
  return out.join('');
}
