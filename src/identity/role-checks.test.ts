import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

/**
 * Reading a caller's roles directly bypasses an API key's scopes, which only `hasPermission`
 * (and so `authorize` and the route guards) honours. Outside src/identity, roles may be read
 * only where the role itself is the rule, not a permission: these places, reviewed.
 */
/** Per file: the lines that read roles, and why. */
const REVIEWED: Record<string, { count: number; why: string }> = {
  'src/cases/workflow/transition-decide.ts': {
    count: 2,
    why: "an action's track (then its permission, assertMayTake); supervision evaluating for a citizen",
  },
  'src/cases/outreach/notification-inbox.ts': {
    count: 1,
    why: 'whom a notice is addressed to, after caseReadReach',
  },
  'src/cases/rules/transitions.ts': { count: 1, why: 'the actions of a set of roles, for the documentation' },
  'src/participation/citizen-service.ts': { count: 1, why: 'a citizen following their own report' },
};

const ROLE_READ = /\.roles\.(includes|some|every|find|filter|indexOf)\(/;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return sources(rel);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [rel] : [];
  });
}

test('outside src/identity, roles are read only where the role itself is the rule (reviewed)', () => {
  const found: Record<string, number> = {};
  for (const file of [...sources('src'), ...sources('modules')]) {
    if (file.startsWith('src/identity/')) continue;
    const lines = readFileSync(path.join(ROOT, file), 'utf8').split('\n');
    const count = lines.filter((line) => ROLE_READ.test(line)).length;
    if (count) found[file] = count;
  }
  const reviewed = Object.fromEntries(Object.entries(REVIEWED).map(([f, r]) => [f, r.count]));
  assert.deepEqual(
    found,
    reviewed,
    'check a permission with authorize/hasPermission (they honour API key scopes), or review the role check here',
  );
});
