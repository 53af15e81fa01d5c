/**
 * Both languages are complete: zh-CN and en have exactly the same message keys, none is
 * empty, every key is used somewhere in the app, and every `t('…')` names a known key.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { en } from '../../web/src/i18n/en.ts';
import { zhCN } from '../../web/src/i18n/zh-CN.ts';

const SRC = path.resolve('web/src');
const DICTIONARIES = new Set(['en.ts', 'zh-CN.ts']);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.tsx?$/.test(e.name) && !DICTIONARIES.has(e.name) ? [p] : [];
  });
}

const code = sources(SRC)
  .map((f) => readFileSync(f, 'utf8'))
  .join('\n');
const literals = new Set([...code.matchAll(/'([a-zA-Z0-9_.-]+)'/g)].map((m) => m[1]));

describe('web translations', () => {
  it('zh-CN and en have the same keys', () => {
    const enKeys = Object.keys(en).sort();
    const zhKeys = Object.keys(zhCN).sort();
    assert.deepEqual(
      zhKeys.filter((k) => !(k in en)),
      [],
      'keys only in zh-CN',
    );
    assert.deepEqual(
      enKeys.filter((k) => !(k in zhCN)),
      [],
      'keys missing in zh-CN',
    );
  });

  it('no message is empty', () => {
    for (const [lang, dict] of Object.entries({ en, 'zh-CN': zhCN }))
      for (const [k, v] of Object.entries(dict)) assert.ok(String(v).trim(), `${lang} ${k} is empty`);
  });

  it('placeholders match between the languages', () => {
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const k of Object.keys(en) as Array<keyof typeof en>)
      assert.deepEqual(names(zhCN[k]), names(en[k]), `placeholders of ${k}`);
  });

  it('every key is used by the app', () => {
    const unused = Object.keys(en).filter((k) => !literals.has(k));
    assert.deepEqual(unused, [], 'unused message keys');
  });

  it("every t('…') names a key", () => {
    const called = [...code.matchAll(/\bt\(\s*'([^']+)'/g)].map((m) => m[1]);
    assert.ok(called.length > 100, 'the scan finds the calls');
    const missing = called.filter((k) => !(k in en));
    assert.deepEqual([...new Set(missing)], [], 'translation keys used but not defined');
  });
});
