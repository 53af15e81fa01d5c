import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';

/** Thrown when another live process holds the data directory. */
export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `DATA_DIR ${dataDir} is in use by another OneCity process (pid ${pid}). ` +
        'Stop it first, or point this process at another DATA_DIR or at PostgreSQL with DATABASE_URL.',
    );
    this.name = 'DataDirLockedError';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Scratch folders in a data directory start with this (see {@link makeScratchDir}). */
const SCRATCH_PREFIX = '.scratch-';
/** Names the backup and restore gave their scratch folders before they shared the prefix. */
const OLD_SCRATCH_PREFIXES = ['.backup-', '.restore-'];

/**
 * A scratch folder in the data directory (a backup's snapshot, a restore's unpacked copy),
 * private to its process: whoever next locks the data directory removes any the process
 * left behind (killed, or the machine lost power), since nothing else can still use them.
 */
export function makeScratchDir(dataDir: string, purpose: string): Promise<string> {
  return mkdtemp(path.join(dataDir, `${SCRATCH_PREFIX}${purpose}-`));
}

function removeLeftScratch(dataDir: string): void {
  for (const name of readdirSync(dataDir))
    if ([SCRATCH_PREFIX, ...OLD_SCRATCH_PREFIXES].some((prefix) => name.startsWith(prefix)))
      rmSync(path.join(dataDir, name), { recursive: true, force: true });
}

/**
 * Takes an exclusive lock on a data directory with an O_EXCL pid file. PGlite is a
 * single-process database: a second writer would corrupt it, so it must be refused.
 * A lock left by a dead process is taken over, and scratch folders left behind are removed.
 * Returns the release function.
 */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const lockPath = path.join(dataDir, 'onecity.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      removeLeftScratch(dataDir);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        rmSync(lockPath, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
      if (Number.isInteger(pid) && pid !== process.pid && isAlive(pid))
        throw new DataDirLockedError(dataDir, pid);
      if (pid === process.pid) throw new DataDirLockedError(dataDir, pid);
      rmSync(lockPath, { force: true });
    }
  }
  throw new Error(`Could not lock ${dataDir}`);
}
