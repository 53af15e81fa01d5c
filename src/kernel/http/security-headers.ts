import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/**
 * The Content-Security-Policy of every answer. The web app and the API reference page load
 * only their own files: no inline script, no inline `<style>`, nothing from elsewhere.
 * What each allowance is for (test/web/content-security-policy.test.ts fails without it):
 * - `img-src data: blob:`: MapLibre's stylesheet draws its zoom buttons with `data:` SVGs,
 *   and photo previews and staff evidence are shown from `blob:` URLs;
 * - `style-src-attr 'unsafe-inline'`: ECharts writes its tooltips as HTML with `style`
 *   attributes (style properties set from script, as React and MapLibre do, need nothing).
 * MapLibre's worker is a file of the build (`worker-src 'self'`), not a `blob:`.
 * `upgrade-insecure-requests` is left out: a city may serve plain HTTP on its own network,
 * where upgrading every request would break the app.
 */
export const CONTENT_SECURITY_POLICY: Readonly<Record<string, readonly string[]>> = Object.freeze({
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'connect-src': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
  'style-src-attr': ["'unsafe-inline'"],
  'worker-src': ["'self'"],
});

/** Sent only on answers to HTTPS requests: over plain HTTP a browser ignores it anyway (RFC 6797 §8.1). */
export const STRICT_TRANSPORT_SECURITY = 'max-age=31536000';

/**
 * Browser security headers on every answer, the web app's and the APIs' alike (an API
 * answer opened in a browser tab is a page too): the CSP above, `X-Frame-Options: DENY`,
 * `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`, and HSTS when the
 * request came over HTTPS (`request.protocol`, which honours the server's trust-proxy
 * setting for `X-Forwarded-Proto`).
 */
export function registerSecurityHeaders(app: FastifyInstance): void {
  void app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: Object.fromEntries(Object.entries(CONTENT_SECURITY_POLICY).map(([k, v]) => [k, [...v]])),
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // Decided per request below.
    strictTransportSecurity: false,
  });
  app.addHook('onRequest', async (request, reply) => {
    // On the raw response, as helmet does, so that hijacked answers (the live stream) carry it too.
    if (request.protocol === 'https')
      reply.raw.setHeader('strict-transport-security', STRICT_TRANSPORT_SECURITY);
  });
}
