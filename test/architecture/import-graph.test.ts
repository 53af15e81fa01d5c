/**
 * The import graph of src/, modules/ and web/src, held to the rules of docs/architecture.md
 * ("Rules of the house" and "Layers"): one public face per capability, plates that see only
 * `#sdk`, a kernel that sees no capability, capabilities that import only the layers below
 * them, and no cycles between capabilities or, beyond a shrinking allow-list, between files.
 *
 * Every import counts: static `import … from`, `export … from`, dynamic `import()` with a
 * literal specifier, and type-only imports (a type import still couples the two sides: a
 * change of the type breaks the importer, and the face is what other folders may rely on).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The layers, bottom first: each may import only the ones before it. The order is the one
 * docs/architecture.md gives ("Layers"); the audit chain sits below identity because identity
 * audits its own changes, and the auditors' API, which needs identity's permission guard,
 * takes it from the composition root (`app`, i.e. src/app.ts).
 */
const LAYERS = [
  'kernel',
  'audit',
  'identity',
  'org',
  'cases',
  'participation',
  'datahub',
  'ngsi-ld',
  'perception',
  'operations',
  'simulator',
  'web',
  'app',
  'cli',
] as const;

/** An import as written in a file, resolved to a repository path when it is relative or `#sdk`. */
interface Edge {
  from: string;
  specifier: string;
  /** Repository-relative path (POSIX), or null for a package or `node:` import. */
  to: string | null;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (abs: string) => {
    for (const entry of readdirSync(abs).sort()) {
      if (entry === 'node_modules' || entry.startsWith('.')) continue;
      const full = path.join(abs, entry);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.tsx?$/.test(entry) && !entry.endsWith('.d.ts')) out.push(full);
    }
  };
  walk(path.join(ROOT, dir));
  return out.map((f) => path.relative(ROOT, f).split(path.sep).join('/'));
}

/** Every import of a file: static, re-export, dynamic with a literal, type-only. */
function importsOf(file: string): Edge[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles.map(({ fileName: specifier }) => {
    let to: string | null = null;
    if (specifier === '#sdk') to = 'src/kernel/sdk.ts';
    else if (specifier.startsWith('.'))
      to = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
    return { from: file, specifier, to };
  });
}

/** The capability (top folder under src/, or `app`) a path belongs to; null outside src/. */
function capabilityOf(file: string): string | null {
  const parts = file.split('/');
  if (parts[0] !== 'src') return null;
  if (parts.length === 2) return parts[1] === 'app.ts' ? 'app' : parts[1];
  return parts[1];
}

/** The plate a path belongs to (modules/<id>/…); null outside modules/. */
function plateOf(file: string): string | null {
  const parts = file.split('/');
  return parts[0] === 'modules' && parts.length > 2 ? parts[1] : null;
}

/** Tests and their support: `*.test.ts`, a capability's `testing.ts`, anything under test/. */
function isTestCode(file: string): boolean {
  return /\.test\.tsx?$/.test(file) || file.endsWith('/testing.ts') || file.startsWith('test/');
}

/** What tests may import besides the faces: test/support and capabilities' `testing.ts`. */
function isTestSupport(file: string): boolean {
  return file.startsWith('test/support/') || (file.startsWith('src/') && file.endsWith('/testing.ts'));
}

/** Strongly connected components with more than one node (or a node importing itself). */
function cycles(nodes: Iterable<string>, next: (n: string) => Iterable<string>): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    indexOf.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of next(v)) {
      if (!indexOf.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indexOf.get(w)!));
    }
    if (low.get(v) === indexOf.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || [...next(v)].includes(v)) found.push(component.sort());
    }
  };
  for (const n of nodes) if (!indexOf.has(n)) visit(n);
  return found;
}

const files = [...sourceFiles('src'), ...sourceFiles('modules'), ...sourceFiles('web/src')];
const edges = files.flatMap(importsOf);
const layerOf = new Map<string, number>(LAYERS.map((name, i) => [name, i]));
const show = (e: Edge) => `${e.from} imports '${e.specifier}'`;

describe('the import graph (docs/architecture.md, Rules of the house and Layers)', () => {
  test('finds the imports it checks', () => {
    assert.ok(files.length > 100, `only ${files.length} files found`);
    assert.ok(
      edges.some((e) => e.to === 'src/kernel/sdk.ts'),
      'plates import #sdk',
    );
    assert.ok(edges.some((e) => e.from === 'src/app.ts' && e.to === 'src/audit/index.ts'));
    // A dynamic import() is read too (the CLI loads its commands lazily).
    const dynamic = files.filter((f) => /\bimport\(\s*['"]\./.test(readFileSync(path.join(ROOT, f), 'utf8')));
    assert.ok(dynamic.length > 0 && dynamic.every((f) => edges.some((e) => e.from === f)));
  });

  test('every relative import names a file that exists', () => {
    const missing = edges.filter((e) => e.to !== null && !existsSync(path.join(ROOT, e.to))).map(show);
    assert.deepEqual(missing, []);
  });

  test('every folder under src/ has a layer', () => {
    const unplaced = [...new Set(files.map(capabilityOf))].filter((c) => c !== null && !layerOf.has(c));
    assert.deepEqual(unplaced, [], 'add the new capability to LAYERS and to docs/architecture.md');
  });

  test('a folder under src/ imports another only through its index.ts face', () => {
    const bad = edges.filter((e) => {
      const from = capabilityOf(e.from);
      const to = e.to && capabilityOf(e.to);
      if (!from || !to || from === to || to === 'app') return false;
      if (e.to === `src/${to}/index.ts`) return false;
      return !(isTestCode(e.from) && isTestSupport(e.to!));
    });
    assert.deepEqual(bad.map(show), []);
  });

  test('src/ and web/src import no plate, and production code imports no test support', () => {
    const bad = edges.filter(
      (e) =>
        e.to !== null &&
        !plateOf(e.from) &&
        (plateOf(e.to) !== null || (!isTestCode(e.from) && isTestCode(e.to))),
    );
    assert.deepEqual(bad.map(show), []);
  });

  test('web/src imports nothing outside web/', () => {
    const bad = edges.filter(
      (e) => e.from.startsWith('web/src/') && e.to !== null && !e.to.startsWith('web/'),
    );
    assert.deepEqual(bad.map(show), []);
  });

  test('plates import only #sdk and their own files, never each other', () => {
    const bad = edges.filter((e) => {
      const plate = plateOf(e.from);
      if (!plate) return false;
      if (e.specifier === '#sdk') return false;
      if (e.to !== null && plateOf(e.to) === plate) return false;
      // Their tests may use node:test and test support.
      if (isTestCode(e.from) && (e.specifier.startsWith('node:') || (e.to !== null && isTestSupport(e.to))))
        return false;
      return true;
    });
    assert.deepEqual(bad.map(show), []);
  });

  test('the kernel imports no capability', () => {
    const bad = edges.filter(
      (e) =>
        capabilityOf(e.from) === 'kernel' &&
        !isTestCode(e.from) &&
        e.to !== null &&
        capabilityOf(e.to) !== 'kernel',
    );
    assert.deepEqual(bad.map(show), []);
  });

  test("the cases capability's rules import no other wing of it and no database", () => {
    const rules = 'src/cases/rules/';
    const bad = edges.filter(
      (e) =>
        e.from.startsWith(rules) &&
        !isTestCode(e.from) &&
        (e.to === null
          ? e.specifier === 'kysely' || e.specifier === 'pg' || e.specifier.startsWith('@electric-sql/')
          : e.to.startsWith('src/cases/') && !e.to.startsWith(rules)),
    );
    assert.ok(
      edges.some((e) => e.from.startsWith(rules)),
      'the rules wing has imports to check',
    );
    assert.deepEqual(bad.map(show), [], 'the rules sit below the store: no database, no other wing');
  });

  test("perception's rules import nothing but their own files and the kernel's face", () => {
    const rules = 'src/perception/rules/';
    const bad = edges.filter(
      (e) =>
        e.from.startsWith(rules) &&
        !isTestCode(e.from) &&
        !(e.to !== null && (e.to.startsWith(rules) || e.to === 'src/kernel/index.ts')),
    );
    assert.ok(
      edges.some((e) => e.from.startsWith(rules)),
      'the rules wing has imports to check',
    );
    assert.deepEqual(
      bad.map(show),
      [],
      'the rule semantics are pure: no database, no package, no other wing',
    );
  });

  test('each capability imports only the layers below it', () => {
    // Tests may drive the whole platform (src/app.ts) and any capability's face.
    const bad = edges.filter((e) => {
      const from = capabilityOf(e.from);
      const to = e.to && capabilityOf(e.to);
      if (!from || !to || from === to || isTestCode(e.from)) return false;
      return layerOf.get(to)! >= layerOf.get(from)!;
    });
    assert.deepEqual(
      bad.map((e) => `${show(e)}: ${capabilityOf(e.to!)} is not below ${capabilityOf(e.from)}`),
      [],
    );
  });

  test('no cycle between capabilities', () => {
    const graph = new Map<string, Set<string>>();
    for (const e of edges) {
      const from = capabilityOf(e.from);
      const to = e.to && capabilityOf(e.to);
      if (!from || !to || from === to || isTestCode(e.from)) continue;
      graph.set(from, (graph.get(from) ?? new Set()).add(to));
    }
    assert.deepEqual(
      cycles(graph.keys(), (c) => graph.get(c) ?? []),
      [],
    );
  });

  test('no cycle between files of a capability (the kernel counts as one)', () => {
    const graph = new Map<string, Set<string>>();
    for (const e of edges) {
      if (!e.to || capabilityOf(e.from) === null || capabilityOf(e.from) !== capabilityOf(e.to)) continue;
      graph.set(e.from, (graph.get(e.from) ?? new Set()).add(e.to));
    }
    const found = cycles(graph.keys(), (f) => graph.get(f) ?? []).map((c) => c.join(' ⇄ '));
    assert.deepEqual(found, [], 'a cycle between files: break it');
  });
});
