/**
 * Builds the web app (`vite build`) when `web/dist` is missing or older than its sources.
 * Runs at start-up, before the server listens — never on a request.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (two levels above src/web). */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Where the web app's sources and build live. */
export const WEB_DIR = path.join(ROOT, 'web');
export const WEB_DIST_DIR = path.join(WEB_DIR, 'dist');

function newestMtime(p: string): number {
  const st = statSync(p, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

/** True when `dist/index.html` is missing or any source (src, public, index.html, config) is newer. */
export function webBuildIsStale(webDir = WEB_DIR): boolean {
  const built = statSync(path.join(webDir, 'dist', 'index.html'), { throwIfNoEntry: false });
  if (!built) return true;
  const sources = ['src', 'public', 'index.html', 'vite.config.ts'].map((p) =>
    newestMtime(path.join(webDir, p)),
  );
  return Math.max(...sources) > built.mtimeMs;
}

export interface WebBuildResult {
  built: boolean;
  /** Why nothing was built, or what failed. */
  reason?: string;
  ms?: number;
}

/**
 * Runs `vite build` in a child process when the build is stale. Resolves (never rejects)
 * with what happened: a missing toolchain (production install without dev dependencies)
 * is a reason, not a crash — the server then answers the app's paths with a notice.
 */
export async function ensureWebBuilt(
  options: { force?: boolean; webDir?: string } = {},
): Promise<WebBuildResult> {
  const webDir = options.webDir ?? WEB_DIR;
  if (!options.force && !webBuildIsStale(webDir)) return { built: false, reason: 'up to date' };
  const vite = path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  if (!existsSync(vite))
    return { built: false, reason: 'vite is not installed (npm install with dev dependencies)' };
  const started = performance.now();
  const output: string[] = [];
  const code = await new Promise<number>((resolve) => {
    const child = spawn(
      process.execPath,
      [vite, 'build', '--config', path.join(webDir, 'vite.config.ts'), '--logLevel', 'warn'],
      {
        cwd: webDir,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NODE_ENV: 'production' },
      },
    );
    child.stdout.on('data', (d: Buffer) => output.push(d.toString()));
    child.stderr.on('data', (d: Buffer) => output.push(d.toString()));
    child.on('error', (err) => {
      output.push(String(err));
      resolve(1);
    });
    child.on('exit', (c) => resolve(c ?? 1));
  });
  if (code !== 0)
    return { built: false, reason: `vite build failed (${code}): ${output.join('').slice(-2000)}` };
  return { built: true, ms: Math.round(performance.now() - started) };
}
