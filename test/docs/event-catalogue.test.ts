/**
 * Every event type published in src/ is in its capability's typed event map and in the
 * catalogue of docs/events.md, and the catalogue names no type the maps lack. Published
 * types are found in the source: the first argument of each typed `create(` (a literal, a
 * constant, or a template whose fixed start it must match), and the transition table's
 * `event:` names; capabilities never call the kernel's untyped `createEvent(`.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { caseEvents } from '../../src/cases/index.ts';
import { datahubEvents } from '../../src/datahub/index.ts';
import { identityEvents } from '../../src/identity/index.ts';
import { orgEvents } from '../../src/org/index.ts';
import { perceptionEvents } from '../../src/perception/index.ts';

const root = path.resolve(import.meta.dirname, '../..');

/** Each capability's event family, by the folder that publishes it. */
const FAMILIES: Record<string, readonly string[]> = {
  identity: identityEvents.types,
  org: orgEvents.types,
  cases: caseEvents.types,
  datahub: datahubEvents.types,
  perception: perceptionEvents.types,
};

const TYPE = /^[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+$/;

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) sourceFiles(p, out);
    else if (p.endsWith('.ts') && !p.endsWith('.test.ts') && !p.includes(`${path.sep}testing`)) out.push(p);
  }
  return out;
}

/** The text after `(` up to its first top-level comma or closing parenthesis. */
function firstArgument(text: string, start: number): string {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') {
      if (depth === 0) return text.slice(start, i).trim();
      depth--;
    } else if (ch === ',' && depth === 0) return text.slice(start, i).trim();
  }
  return text.slice(start).trim();
}

interface Published {
  /** Exact types, with where. */
  exact: Map<string, string>;
  /** Fixed starts of template types (`identity.` of `identity.${action}`), with where. */
  prefixes: Map<string, string>;
  /** Untyped `createEvent(` calls outside the kernel. */
  untyped: string[];
  /** First arguments the scan could not read, with where. */
  unread: string[];
}

/** The event types the source publishes. */
function publishedTypes(): Published {
  const files = sourceFiles(path.join(root, 'src'));
  const texts = new Map(files.map((f) => [path.relative(root, f), readFileSync(f, 'utf8')]));
  const constants = new Map<string, string>();
  for (const text of texts.values())
    for (const m of text.matchAll(/(?:export )?const ([A-Z][A-Z0-9_]*) = '([^']+)'/g))
      if (TYPE.test(m[2])) constants.set(m[1], m[2]);
  const out: Published = { exact: new Map(), prefixes: new Map(), untyped: [], unread: [] };
  for (const [file, text] of texts) {
    if (!file.startsWith(`src${path.sep}kernel${path.sep}`))
      for (const m of text.matchAll(/\bcreateEvent\(/g))
        out.untyped.push(`${file}:${text.slice(0, m.index).split('\n').length}`);
    for (const m of text.matchAll(/\b\w+Events\.create\(/g)) {
      const arg = firstArgument(text, m.index! + m[0].length);
      const where = `${file}:${text.slice(0, m.index).split('\n').length}`;
      const literal = arg.match(/^'([^']+)'$/)?.[1] ?? constants.get(arg);
      const template = arg.match(/^`([a-z0-9_.]+)\$\{/)?.[1];
      if (literal) out.exact.set(literal, where);
      else if (template) out.prefixes.set(template, where);
      // A variable typed by the map (the transition table's event names, read below).
      else if (arg !== 'eventType') out.unread.push(`${where}: ${arg}`);
    }
    for (const m of text.matchAll(/^\s+event: '([^']+)',$/gm))
      out.exact.set(m[1], `${file}:${text.slice(0, m.index).split('\n').length}`);
  }
  return out;
}

/** Types in the catalogue tables of docs/events.md: backticked names in a row's first two cells. */
function documentedTypes(): Map<string, string> {
  const doc = readFileSync(path.join(root, 'docs/events.md'), 'utf8');
  const catalogue = doc.slice(doc.indexOf('\n## Catalogue'), doc.indexOf('\n## Subscribers'));
  const byType = new Map<string, string>();
  let section = '';
  for (const line of catalogue.split('\n')) {
    const heading = line.match(/^### (\S+)/);
    if (heading) section = heading[1];
    if (!line.startsWith('| `')) continue;
    const firstCell = line.split('|')[1];
    for (const m of firstCell.matchAll(/`([^`]+)`/g)) if (TYPE.test(m[1])) byType.set(m[1], section);
  }
  return byType;
}

describe('event catalogue', () => {
  const mapped = new Map(Object.entries(FAMILIES).flatMap(([cap, types]) => types.map((t) => [t, cap])));

  it('capabilities publish only through their typed event families', () => {
    const { untyped, unread } = publishedTypes();
    assert.deepEqual(
      untyped,
      [],
      `untyped createEvent calls (use the capability's family):\n${untyped.join('\n')}`,
    );
    assert.deepEqual(unread, [], `event types the scan cannot read:\n${unread.join('\n')}`);
  });

  it('puts every published event type in a typed map, and publishes every mapped type', () => {
    const { exact, prefixes } = publishedTypes();
    assert.ok(exact.size > 20, `found only ${exact.size} published types: is the scan broken?`);
    const unmapped = [...exact].filter(([t]) => !mapped.has(t)).map(([t, w]) => `${t} (${w})`);
    assert.deepEqual(unmapped, [], `published types missing from the event maps:\n${unmapped.join('\n')}`);
    for (const [prefix, where] of prefixes)
      assert.ok(
        [...mapped.keys()].some((t) => t.startsWith(prefix)),
        `no mapped type starts with ${prefix} (${where})`,
      );
    const unpublished = [...mapped.keys()].filter(
      (t) => !exact.has(t) && ![...prefixes.keys()].some((p) => t.startsWith(p)),
    );
    assert.deepEqual(unpublished, [], `mapped types nothing publishes:\n${unpublished.join('\n')}`);
  });

  it('documents every mapped type in docs/events.md under its capability, and no other', () => {
    const documented = documentedTypes();
    const missing = [...mapped].filter(([t]) => !documented.has(t)).map(([t, c]) => `${t} (${c})`);
    assert.deepEqual(missing, [], `event types missing from docs/events.md:\n${missing.join('\n')}`);
    const misplaced = [...mapped]
      .filter(([t, c]) => documented.has(t) && documented.get(t) !== c)
      .map(([t, c]) => `${t}: under ${documented.get(t)}, published by ${c}`);
    assert.deepEqual(misplaced, [], misplaced.join('\n'));
    const stale = [...documented.keys()].filter((t) => !mapped.has(t));
    assert.deepEqual(stale, [], `docs/events.md lists types no map has:\n${stale.join('\n')}`);
  });
});
