/**
 * Serves the built web app at `/`: files from `web/dist`, and `index.html` for any other
 * path that is not an API (the app routes in the browser). API-like paths that match no
 * route keep the platform's problem+json 404.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Path prefixes that belong to the server, never to the app. */
const SERVER_PREFIXES = ['api/', 'open311/', 'ngsi-ld/', 'cap/', 'opendata/', 'healthz', 'readyz'];

const NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>OneCity</title>
<p>The OneCity web app is not built yet. <code>onecity start</code> builds it when the dev dependencies are installed; or run <code>npx vite build --config web/vite.config.ts</code>.</p>
<p>The API is available under <a href="/api/docs">/api/docs</a>.</p></html>`;

export async function registerWebRoutes(app: FastifyInstance, distDir: string): Promise<void> {
  await app.register(fastifyStatic, { root: distDir, serve: false });
  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const wanted = (request.params as { '*': string })['*'] ?? '';
    if (SERVER_PREFIXES.some((p) => wanted === p.replace(/\/$/, '') || wanted.startsWith(p)))
      return reply.callNotFound();
    const file = path.normalize(wanted).replace(/^(\.\.(\/|\\|$))+/, '');
    const full = path.join(distDir, file);
    if (file && full.startsWith(distDir) && statSync(full, { throwIfNoEntry: false })?.isFile()) {
      // Vite fingerprints everything under assets/, so those can be cached forever.
      const immutable = file.startsWith('assets/');
      return reply.sendFile(file, { maxAge: immutable ? 31_536_000_000 : 0, immutable });
    }
    if (path.extname(file) && file !== 'index.html') return reply.callNotFound();
    if (!existsSync(path.join(distDir, 'index.html')))
      return reply.status(503).type('text/html; charset=utf-8').send(NOT_BUILT);
    reply.header('cache-control', 'no-cache');
    return reply.sendFile('index.html', { cacheControl: false });
  });
}
