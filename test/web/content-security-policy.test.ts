/**
 * The web app under the server's Content-Security-Policy (issue 17): signing in, the command
 * center with its map and live stream, the leader's charts with a tooltip shown, and the API
 * reference page all work, and the browser reports no violation of the policy.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import {
  browserSkipReason,
  login,
  mapsLoaded,
  newContext,
  startHarness,
  type WebHarness,
} from './browser-kit.ts';

const skip = browserSkipReason();

describe('web app: Content-Security-Policy in the browser', { skip: skip ?? false, timeout: 300_000 }, () => {
  let h: WebHarness;
  /** What the pages' `securitypolicyviolation` events reported, across navigations. */
  const violations: string[] = [];

  /** A context whose pages report every CSP violation to the test. */
  const watchedContext = async (label: string): Promise<BrowserContext> => {
    const ctx = await newContext(h, label);
    await ctx.exposeBinding('reportCspViolation', (_source, text: string) => {
      violations.push(`[${label}] ${text}`);
    });
    await ctx.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        const report = (window as unknown as { reportCspViolation(t: string): void }).reportCspViolation;
        report(
          `${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`,
        );
      });
    });
    return ctx;
  };

  /** Console messages that are CSP refusals (Chromium logs each as an error). */
  const cspConsoleErrors = () => h.consoleErrors.filter((e) => /Content Security Policy/i.test(e));

  before(async () => {
    h = await startHarness();
  });
  after(() => h?.close());

  it('the app page is served with the policy', async () => {
    const res = await fetch(`${h.baseUrl}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    // The built page loads its code from files: nothing inline for the policy to refuse.
    assert.doesNotMatch(await res.text(), /<script(?![^>]*\bsrc=)[^>]*>|<style/);
  });

  it('signs in and shows the command center map with no CSP violation', async () => {
    const ctx = await watchedContext('command');
    const page = await ctx.newPage();
    await login(page, 'demo.dispatcher');
    await page.goto('/command');
    await mapsLoaded(page);
    await page.locator('[data-stream="open"]').waitFor();
    // The map drew into its canvas (MapLibre's worker ran under `worker-src`).
    assert.equal((await page.locator('.city-map canvas').count()) > 0, true);
    await ctx.close();
    assert.deepEqual(violations, []);
    assert.deepEqual(cspConsoleErrors(), []);
  });

  it("shows the leader's charts and a chart tooltip with no CSP violation", async () => {
    const ctx = await watchedContext('leader');
    const page = await ctx.newPage();
    await login(page, 'demo.city_leader');
    await page.goto('/leader');
    const chart = page.locator('.chart canvas').first();
    await chart.waitFor();
    const box = await chart.boundingBox();
    assert.ok(box);
    // ECharts writes its tooltip as HTML with style attributes (`style-src-attr`).
    for (const x of [0.3, 0.5, 0.7]) await page.mouse.move(box.x + box.width * x, box.y + box.height / 2);
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll('.chart div')).some(
        (d) => (d as HTMLElement).style.display !== 'none' && (d.textContent ?? '').trim().length > 0,
      ),
    );
    await ctx.close();
    assert.deepEqual(violations, []);
    assert.deepEqual(cspConsoleErrors(), []);
  });

  it('renders the API reference page with no CSP violation', async () => {
    const ctx = await watchedContext('api-docs');
    const page = await ctx.newPage();
    await page.goto('/api/docs');
    await page.locator('#root details').first().waitFor();
    assert.ok((await page.locator('#root h2').count()) > 3);
    await ctx.close();
    assert.deepEqual(violations, []);
    assert.deepEqual(cspConsoleErrors(), []);
  });
});
