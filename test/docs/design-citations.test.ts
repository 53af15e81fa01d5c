/**
 * Citations cannot rot: code and docs cite the project's own design (docs/design.md) and
 * the docs that hold the detail, never the brief the project was built from, which is not
 * in the repository; and every relative link and every `docs/<page>.md#<anchor>` citation
 * points at a file that exists and, for a markdown page, at a heading it has.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

const root = path.resolve(import.meta.dirname, '../..');

/** The brief's file name, spelled in two pieces so that this file does not cite it. */
const BRIEF_NAME = ['DESIGN', 'md'].join('.');
/** A citation of the brief: its file name, or one of its sections by number. */
const BRIEF_CITATION = new RegExp(`${BRIEF_NAME.replace('.', '\\.')}|\\bDESIGN\\s*§`);

/** Files whose text may name the brief: the changelog records history as it was written. */
const MAY_NAME_THE_BRIEF = new Set(['CHANGELOG.md']);

/** Tracked files (and new ones not ignored), relative to the root; a tree walk without git. */
function repositoryFiles(): string[] {
  try {
    const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    return out.split('\0').filter((f) => f && existsSync(path.join(root, f)));
  } catch {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(path.join(root, dir))) {
        if (['node_modules', '.git', 'data', 'dist', 'test-results'].includes(name)) continue;
        const rel = dir ? `${dir}/${name}` : name;
        if (statSync(path.join(root, rel)).isDirectory()) walk(rel);
        else files.push(rel);
      }
    };
    walk('');
    return files;
  }
}

/** The text of a file, or null for a binary one. */
function textOf(file: string): string | null {
  const text = readFileSync(path.join(root, file), 'utf8');
  return text.includes('\0') ? null : text;
}

const files = repositoryFiles().filter((f) => !f.split('/').includes('node_modules'));

/** The documentation whose links are checked. */
const docPages = files.filter(
  (f) =>
    /^docs\/[^/]+\.md$/.test(f) ||
    f === 'README.md' ||
    f === 'CONTRIBUTING.md' ||
    /^modules\/[^/]+\/README\.md$/.test(f),
);

/** GitHub's heading anchor: lower case, punctuation dropped, each space a hyphen. */
function headingSlug(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors a markdown page offers: its headings' slugs (repeats numbered) and `<a id>`s. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const slug = headingSlug(heading[1] ?? '');
      const n = seen.get(slug) ?? 0;
      seen.set(slug, n + 1);
      anchors.add(n === 0 ? slug : `${slug}-${n}`);
    }
    for (const m of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(m[1] ?? '');
  }
  return anchors;
}

/** Relative link targets of a markdown page (`[text](target)`), outside code. */
function linkTargets(markdown: string): string[] {
  const targets: string[] = [];
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const prose = line.replace(/`[^`]*`/g, '');
    for (const m of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      const target = m[1] ?? '';
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
      targets.push(target);
    }
  }
  return targets;
}

/** Plain citations of a doc page from the root, `docs/<page>.md` with an optional anchor. */
function docCitations(text: string): string[] {
  return [...text.matchAll(/(?<![\w/.-])docs\/[\w.-]+\.md(?:#[\p{L}\p{M}\p{N}_-]+)?/gu)].map((m) => m[0]);
}

const anchorCache = new Map<string, Set<string>>();
/** Why a target (relative to the root) does not resolve, or null when it does. */
function brokenTarget(fromFile: string, target: string, fromRoot: boolean): string | null {
  const [filePart = '', anchor] = target.split('#', 2);
  const resolved = filePart
    ? path.posix.normalize(fromRoot ? filePart : path.posix.join(path.posix.dirname(fromFile), filePart))
    : fromFile;
  if (resolved.startsWith('..') || !existsSync(path.join(root, resolved)))
    return `${resolved} does not exist`;
  if (anchor === undefined || !resolved.endsWith('.md')) return null;
  let anchors = anchorCache.get(resolved);
  if (!anchors) {
    anchors = anchorsOf(readFileSync(path.join(root, resolved), 'utf8'));
    anchorCache.set(resolved, anchors);
  }
  return anchors.has(decodeURIComponent(anchor)) ? null : `${resolved} has no heading #${anchor}`;
}

describe('citations of the design', () => {
  it('finds the documentation pages it checks', () => {
    for (const page of [
      'docs/design.md',
      'README.md',
      'CONTRIBUTING.md',
      'modules/city-management/README.md',
    ])
      assert.ok(docPages.includes(page), `${page} is not among the checked pages`);
  });

  it('makes anchors as GitHub does', () => {
    assert.equal(headingSlug('SLA clock'), 'sla-clock');
    assert.equal(headingSlug('The responsibility list (权责清单)'), 'the-responsibility-list-权责清单');
    assert.equal(headingSlug('REST API (`/api/v1`, tag `datahub`)'), 'rest-api-apiv1-tag-datahub');
    assert.deepEqual(
      [...anchorsOf('# A\n## Notes\n```\n# not a heading\n```\n## Notes\n')],
      ['a', 'notes', 'notes-1'],
    );
  });

  it('never cites the brief outside the repository', () => {
    const offenders: string[] = [];
    for (const file of files) {
      if (MAY_NAME_THE_BRIEF.has(file)) continue;
      const text = textOf(file);
      if (text === null) continue;
      text.split('\n').forEach((line, i) => {
        if (BRIEF_CITATION.test(line)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
    assert.deepEqual(offenders, [], 'cite docs/design.md (or the doc holding the detail) instead');
  });

  it('resolves every relative link of the documentation, anchors included', () => {
    const broken: string[] = [];
    for (const page of docPages) {
      for (const target of linkTargets(readFileSync(path.join(root, page), 'utf8'))) {
        const why = brokenTarget(page, target, false);
        if (why) broken.push(`${page}: (${target}): ${why}`);
      }
    }
    assert.deepEqual(broken, []);
  });

  it('resolves every docs/<page>.md#<anchor> citation in code and docs', () => {
    const broken: string[] = [];
    let checked = 0;
    for (const file of files) {
      if (MAY_NAME_THE_BRIEF.has(file)) continue;
      const text = textOf(file);
      if (text === null) continue;
      for (const citation of docCitations(text)) {
        checked++;
        const why = brokenTarget(file, citation, true);
        if (why) broken.push(`${file}: ${citation}: ${why}`);
      }
    }
    assert.ok(checked > 0, 'no citation found: the pattern is wrong');
    assert.deepEqual(broken, []);
  });
});
