/**
 * What the browser tests share: a real OneCity server in-process on port 0 with the demo
 * city, Debian's Chromium through playwright-core, a context per role, checks that no
 * request leaves the server and no console error happens, axe-core, and screenshots.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import axe from 'axe-core';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { seedDemoCity } from '../../src/org/index.ts';
import { ensureWebBuilt } from '../../src/web/index.ts';
import { systemClock } from '../../src/kernel/index.ts';
import { buildTestApp, type TestApp } from '../support/app.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.resolve('test-results/screenshots');
export const DEMO_PASSWORD = 'Lanhu-Demo-Pass-2026!';

/** Why the browser tests cannot run here, or null when they can. */
export function browserSkipReason(): string | null {
  return existsSync(CHROMIUM) ? null : `${CHROMIUM} is not installed (apt-get install -y chromium)`;
}

export interface WebHarness {
  app: TestApp;
  baseUrl: string;
  browser: Browser;
  /** Requests that tried to leave the server (must stay empty: the app is offline-capable). */
  external: string[];
  /** Console errors and page errors, by page label. */
  consoleErrors: string[];
  close(): Promise<void>;
}

/** Builds the web app if stale, starts the platform with the demo city, launches Chromium. */
export async function startHarness(): Promise<WebHarness> {
  const build = await ensureWebBuilt();
  if (!build.built && build.reason !== 'up to date') throw new Error(`web build: ${build.reason}`);
  const app = await buildTestApp('pglite', { clock: systemClock });
  await seedDemoCity(app, { seed: 1, password: DEMO_PASSWORD });
  const baseUrl = await app.app.listen({ port: 0, host: '127.0.0.1' });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return {
    app,
    baseUrl,
    browser,
    external: [],
    consoleErrors: [],
    async close() {
      await browser.close();
      await app.dispose();
    },
  };
}

export interface ContextOptions {
  lang?: 'en' | 'zh-CN';
  phone?: boolean;
}

/** A fresh browser context (one per role), watching requests and console errors. */
export async function newContext(
  h: WebHarness,
  label: string,
  options: ContextOptions = {},
): Promise<BrowserContext> {
  const context = await h.browser.newContext({
    baseURL: h.baseUrl,
    viewport: options.phone ? { width: 390, height: 844 } : { width: 1440, height: 900 },
    deviceScaleFactor: 1,
    isMobile: options.phone,
    hasTouch: options.phone,
  });
  const lang = options.lang ?? 'en';
  await context.addInitScript((l) => {
    try {
      localStorage.setItem('onecity.lang', l);
    } catch {
      // about:blank has no storage; the app's pages do.
    }
  }, lang);
  const origin = new URL(h.baseUrl).origin;
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith('blob:') || url.startsWith('data:')) return route.continue();
    h.external.push(url);
    return route.abort();
  });
  context.on('page', (page) => watchPage(h, page, label));
  return context;
}

function watchPage(h: WebHarness, page: Page, label: string) {
  page.on('console', (msg) => {
    // Failed responses are recorded with their URL below.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource'))
      h.consoleErrors.push(`[${label}] ${msg.text()}`);
  });
  page.on('pageerror', (err) => h.consoleErrors.push(`[${label}] ${err.message}`));
  page.on('response', (res) => {
    if (res.status() >= 400)
      h.consoleErrors.push(`[${label}] ${res.status()} ${res.request().method()} ${res.url()}`);
  });
}

/** Signs in through the login screen and waits for the role's workspace. */
export async function login(page: Page, username: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto('/login');
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(password);
  await page.locator('form button[type="submit"]').click();
  await page.waitForURL((url) => url.pathname !== '/login');
}

export interface AxeFinding {
  screen: string;
  id: string;
  impact: string;
  help: string;
  nodes: string[];
}

/** Runs axe-core on the page; answers the serious and critical violations. */
export async function runAxe(page: Page, screen: string): Promise<AxeFinding[]> {
  // Evaluated through the DevTools protocol: the server's CSP refuses an injected inline script.
  await page.evaluate(axe.source);
  const violations = await page.evaluate(async () => {
    const result = await (window as unknown as { axe: typeof axe }).axe.run(document, {
      resultTypes: ['violations'],
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? 'minor',
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ screen, ...v }));
}

/** Saves a full-page screenshot under test-results/screenshots/. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}

/** Waits until the page's maps (if any) have loaded their style. */
export async function mapsLoaded(page: Page): Promise<void> {
  await page.waitForFunction(() =>
    Array.from(document.querySelectorAll('.city-map')).every(
      (m) => (m as HTMLElement).dataset.mapLoaded === 'true',
    ),
  );
}
