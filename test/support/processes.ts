/**
 * Child processes for tests that must not outlive them. Each child runs in its own process
 * group (so whatever it starts goes with it) and is killed when the test that started it
 * ends, passes or fails, and when this test file's process exits or is terminated (the
 * runner's per-file timeout, Ctrl-C). Under `scripts/run-tests.mjs` each group is also
 * listed in ONECITY_TEST_PROCESS_DIR until it is gone, and the runner kills what is left.
 */
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Multiplies every deadline the tests wait for (`TEST_TIME_SCALE`, default 1): on a slow
 * or loaded machine raise it rather than the deadlines. Deadlines only bound a wait; no
 * test asserts how fast something was.
 */
export const TEST_TIME_SCALE = Math.max(1, Number(process.env.TEST_TIME_SCALE) || 1);

/** A deadline of `ms` milliseconds, scaled by {@link TEST_TIME_SCALE}. */
export function patience(ms: number): number {
  return Math.round(ms * TEST_TIME_SCALE);
}

/** What a test may register cleanup with: node:test's `t` (TestContext) or a suite. */
export interface CleanupScope {
  after(fn: () => Promise<void> | void): void;
}

/** A child process started by {@link spawnForTest}. */
export interface TestProcess {
  readonly child: ChildProcess;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Resolves when the process has exited, with its code and signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first match of `pattern` in stdout; rejects on exit or after `ms` (scaled). */
  waitForOutput(pattern: RegExp, ms: number): Promise<RegExpMatchArray>;
  /** Sends `signal` to the group, then SIGKILL after a grace period; resolves once it has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const live = new Set<number>();
const processDir = process.env.ONECITY_TEST_PROCESS_DIR;

function killGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false; // The group is gone.
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function killAllNow() {
  for (const pgid of live) killGroup(pgid, 'SIGKILL');
}

let hooked = false;
function hookProcessEnd() {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAllNow);
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const)
    process.once(signal, () => {
      killAllNow();
      // The default action again: this process ends as the signal meant.
      process.kill(process.pid, signal);
    });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves true when `promise` settles first, false after `ms`; the timer never outlives it. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((r) => {
    timer = setTimeout(() => r(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Spawns `command` in its own process group for the test (or suite) `scope`; it is stopped
 * (SIGTERM, then SIGKILL) when the scope ends.
 */
export function spawnForTest(
  scope: CleanupScope,
  command: string,
  args: readonly string[],
  options: SpawnOptions = {},
): TestProcess {
  hookProcessEnd();
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options, detached: true });
  const pgid = child.pid;
  if (pgid === undefined) throw new Error(`could not spawn ${command}`);
  live.add(pgid);
  const listing = processDir ? path.join(processDir, String(pgid)) : null;
  if (listing) writeFileSync(listing, `${command} ${args.join(' ')}\n`);
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  // Resolves once the output is read to its end too (or soon after the exit, if something the
  // child started still holds its pipes).
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      void settlesWithin(closed, patience(2000)).then(() => resolve({ code, signal }));
    });
  });

  let stopping: Promise<void> | null = null;
  const stop = (signal: NodeJS.Signals = 'SIGTERM') => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        killGroup(pgid, signal);
        if (!(await settlesWithin(exited, patience(10_000)))) killGroup(pgid, 'SIGKILL');
        await exited;
      }
      // Whatever the child started may still be running in its group.
      killGroup(pgid, 'SIGKILL');
      for (const deadline = Date.now() + patience(10_000); groupAlive(pgid) && Date.now() < deadline; )
        await sleep(50);
      if (!groupAlive(pgid)) {
        live.delete(pgid);
        if (listing) rmSync(listing, { force: true });
      }
    })();
    return stopping;
  };
  scope.after(() => stop());

  const waitForOutput = (pattern: RegExp, ms: number) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const m = out.match(pattern);
        if (!m) return false;
        done();
        resolve(m);
        return true;
      };
      const onData = () => check();
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
        if (check()) return;
        done();
        reject(new Error(`exited (${code ?? signal}) before printing ${pattern}:\n${out}\n${err}`));
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${pattern} within ${patience(ms)} ms:\n${out}\n${err}`));
      }, patience(ms));
      const done = () => {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.off('exit', onExit);
      };
      if (check()) return;
      if (child.exitCode !== null || child.signalCode !== null)
        return onExit(child.exitCode, child.signalCode);
      child.stdout?.on('data', onData);
      child.once('exit', onExit);
    });

  return { child, stdout: () => out, stderr: () => err, exited, waitForOutput, stop };
}

/** Resolves as `promise` does, or rejects once `ms` (scaled) have passed without it settling. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${patience(ms)} ms`)), patience(ms));
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
