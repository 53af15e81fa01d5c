import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { DataDirLockedError, lockDataDir, makeScratchDir } from './data-dir-lock.ts';

describe('data directory lock', () => {
  const dirs: string[] = [];
  const fresh = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'onecity-lock-'));
    dirs.push(dir);
    return dir;
  };
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test('taking over a dead process lock removes the scratch folders it left, and nothing else', () => {
    const dir = fresh();
    // A backup and a restore killed half way (kill -9), by a process that is gone.
    for (const name of [
      '.scratch-backup-a1b2c3',
      '.scratch-restore-d4e5f6',
      '.backup-x9',
      '.restore-0f1e2d3c',
    ]) {
      mkdirSync(path.join(dir, name, 'pgdata'), { recursive: true });
      writeFileSync(path.join(dir, name, 'pgdata', 'PG_VERSION'), '17');
    }
    mkdirSync(path.join(dir, 'pgdata'));
    mkdirSync(path.join(dir, 'uploads'));
    writeFileSync(path.join(dir, 'onecity.lock'), '2147483646');
    const release = lockDataDir(dir);
    try {
      assert.deepEqual(readdirSync(dir).sort(), ['onecity.lock', 'pgdata', 'uploads']);
    } finally {
      release();
    }
  });

  test('a scratch folder is private to its process until the lock is taken again', async () => {
    const dir = fresh();
    const release = lockDataDir(dir);
    const scratch = await makeScratchDir(dir, 'backup');
    assert.match(path.basename(scratch), /^\.scratch-backup-/);
    assert.throws(() => lockDataDir(dir), DataDirLockedError);
    assert.ok(readdirSync(dir).includes(path.basename(scratch)), 'a refused lock removes nothing');
    release();
    lockDataDir(dir)();
    assert.ok(!readdirSync(dir).includes(path.basename(scratch)));
  });
});
