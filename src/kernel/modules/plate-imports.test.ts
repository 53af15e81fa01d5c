import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { defaultModulesDir } from '../index.ts';

// Plates import only '#sdk', node: builtins, and files inside their own folder
// (docs/architecture.md, "Rules of the house").

const SPECIFIERS = [
  /\b(?:import|export)\s+(?:type\s+)?[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
  /\bimport\s*['"]([^'"]+)['"]/g,
  /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
];

/** The import specifiers of a source text. */
function specifiers(source: string): string[] {
  return SPECIFIERS.flatMap((re) => [...source.matchAll(re)].map((m) => m[1]));
}

/** What is wrong with the imports of `file`, a file under `modulesDir`. */
function violations(modulesDir: string, file: string, source: string): string[] {
  const [plate] = path.relative(modulesDir, file).split(path.sep);
  const plateDir = path.join(modulesDir, plate);
  const inPlate = path.dirname(file) !== modulesDir;
  return specifiers(source).filter((spec) => {
    if (spec === '#sdk' || spec.startsWith('node:')) return false;
    if (spec.startsWith('./') || spec.startsWith('../')) {
      const target = path.resolve(path.dirname(file), spec);
      return !(inPlate && (target + path.sep).startsWith(plateDir + path.sep));
    }
    return true;
  });
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(p);
      return /\.(?:[cm]?[jt]s|tsx|jsx)$/.test(name) ? [p] : [];
    });
}

describe('plate boundaries', () => {
  it('every file under modules/ imports only #sdk, node: builtins and its own plate', () => {
    const files = sourceFiles(defaultModulesDir);
    assert.ok(files.length > 0);
    const found = files.flatMap((f) =>
      violations(defaultModulesDir, f, readFileSync(f, 'utf8')).map(
        (spec) => `${path.relative(defaultModulesDir, f)} imports ${spec}`,
      ),
    );
    assert.deepEqual(found, []);
  });

  it('catches imports of other plates, core internals and packages', () => {
    const dir = path.join(path.sep, 'repo', 'modules');
    const file = path.join(dir, 'water', 'rules', 'leak.ts');
    const source = [
      "import { defineModule } from '#sdk';",
      "import type { Urgency } from '#sdk';",
      "import { readFileSync } from 'node:fs';",
      "import { limits } from '../time-limits.ts';",
      "import { other } from '../../environment/index.ts';",
      "import { createKernel } from '../../../src/kernel/index.ts';",
      "export { x } from '../../water-supply/x.ts';",
      "import Fastify from 'fastify';",
      "import 'reflect-metadata';",
      "const lazy = await import('pino');",
    ].join('\n');
    assert.deepEqual(violations(dir, file, source), [
      '../../environment/index.ts',
      '../../../src/kernel/index.ts',
      '../../water-supply/x.ts',
      'fastify',
      'reflect-metadata',
      'pino',
    ]);
  });
});
