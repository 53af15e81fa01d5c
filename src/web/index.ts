/**
 * The web capability: serves the web app (`web/`) at `/` and, outside tests, builds it
 * with Vite at start-up when the build is missing or older than its sources.
 */
import type { Capability } from '../kernel/index.ts';
import { ensureWebBuilt, WEB_DIR, WEB_DIST_DIR } from './web-build.ts';
import { registerWebRoutes } from './web-routes.ts';

export { ensureWebBuilt, WEB_DIR, WEB_DIST_DIR, type WebBuildResult, webBuildIsStale } from './web-build.ts';

export interface WebCapabilityOptions {
  /** Build when stale at start-up: 'auto' (default: yes, except under NODE_ENV=test) or 'never'. */
  build?: 'auto' | 'never';
  webDir?: string;
}

/** Builds the web capability. */
export function createWebCapability(options: WebCapabilityOptions = {}): Capability {
  const webDir = options.webDir ?? WEB_DIR;
  const distDir = options.webDir ? `${webDir}/dist` : WEB_DIST_DIR;
  return {
    name: 'web',
    create: ({ kernel }) => ({
      async routes(app) {
        await registerWebRoutes(app, distDir);
      },
      async start() {
        if (options.build === 'never' || process.env.NODE_ENV === 'test') return;
        const result = await ensureWebBuilt({ webDir });
        if (result.built) kernel.logger.info({ ms: result.ms }, 'built the web app');
        else if (result.reason !== 'up to date')
          kernel.logger.warn({ reason: result.reason }, 'web app not built');
      },
    }),
  };
}

/** The web capability with defaults. */
export const webCapability: Capability = createWebCapability();
