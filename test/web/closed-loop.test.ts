/**
 * The closed loop through the web app, each role in its own browser context (issue 7):
 * a citizen reports through the portal → supervision files it → the dispatcher dispatches
 * it with the responsibility list's suggestion → the department accepts and handles it
 * with evidence → the grid worker verifies it on a phone → it closes → the citizen rates
 * it; the command center shows the case appear and change without a reload. Every screen
 * is screenshotted and checked with axe-core; no console errors; no request leaves the
 * server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deflateSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import {
  type AxeFinding,
  browserSkipReason,
  DEMO_PASSWORD,
  login,
  mapsLoaded,
  newContext,
  runAxe,
  screenshot,
  startHarness,
  type WebHarness,
} from './browser-kit.ts';
import { patience } from '../support/processes.ts';

const skip = browserSkipReason();

describe('web app: closed loop in the browser', { skip: skip ?? false, timeout: patience(600_000) }, () => {
  let h: WebHarness;
  const findings: AxeFinding[] = [];
  const shots: string[] = [];
  let place: { lat: number; lon: number; category: string; lead: string };
  let caseNumber = '';
  let command: Page;
  let citizen: Page;
  let evidenceUrl = '';

  /** Screenshot + axe for one screen. */
  const check = async (page: Page, name: string) => {
    shots.push(await screenshot(page, name));
    findings.push(...(await runAxe(page, name)));
  };

  const api = async (method: 'GET' | 'POST', url: string, token?: string, payload?: unknown) => {
    const res = await h.app.app.inject({
      method,
      url,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      payload: payload as Record<string, unknown>,
    });
    return res.json();
  };

  const tokenOf = async (username: string) =>
    (await api('POST', '/api/v1/auth/login', undefined, { username, password: DEMO_PASSWORD }))
      .token as string;

  /** Opens a case from a queue and takes an action through its form. */
  const act = async (page: Page, queue: string, action: string, fill?: (form: Page) => Promise<void>) => {
    const row = page.locator(`[data-queue="${queue}"] button`, { hasText: caseNumber });
    await row.waitFor();
    await row.click();
    await page.locator(`[data-case-drawer] [data-action="${action}"]`).click();
    await fill?.(page);
    const done = page.waitForResponse(
      (r) => r.url().includes(`/actions/${action}`) && r.request().method() === 'POST',
    );
    await page.locator('[data-case-drawer] form.action-form button[type="submit"]').click();
    const response = await done;
    assert.equal(response.status(), 200, `${action}: ${await response.text()}`);
    await page.keyboard.press('Escape');
  };

  before(async () => {
    h = await startHarness();
    // A point in the grid worker's grid and a category the demo handler's department leads there.
    const token = (
      await api('POST', '/api/v1/auth/login', undefined, {
        username: 'demo.supervision_operator',
        password: DEMO_PASSWORD,
      })
    ).token;
    const handler = (
      await api('POST', '/api/v1/auth/login', undefined, {
        username: 'demo.department_handler',
        password: DEMO_PASSWORD,
      })
    ).user;
    const gridWorker = (
      await api('POST', '/api/v1/auth/login', undefined, {
        username: 'demo.grid_worker',
        password: DEMO_PASSWORD,
      })
    ).user;
    const grid = await api('GET', `/api/v1/divisions/${gridWorker.divisionCodes[0]}`, token);
    const [x0, y0, x1, y1] = grid.bbox as number[];
    let point: { lat: number; lon: number } | null = null;
    for (const f of [0.5, 0.4, 0.6, 0.3, 0.7]) {
      const p = { lon: x0 + (x1 - x0) * f, lat: y0 + (y1 - y0) * f };
      const located = await api('GET', `/api/v1/divisions/locate?lat=${p.lat}&lon=${p.lon}`);
      if (located.grid?.code === grid.code) {
        point = p;
        break;
      }
    }
    assert.ok(point, 'a point inside the grid worker grid');
    const { rules } = await api('GET', '/api/v1/responsibility/rules', token);
    const lead = handler.departmentCodes[0] as string;
    for (const rule of rules as Array<{ category: string; lead: string }>) {
      if (rule.lead !== lead || rule.category.split('.').length < 4) continue;
      const who = await api(
        'GET',
        `/api/v1/responsibility/resolve?category=${rule.category}&lat=${point.lat}&lon=${point.lon}`,
        token,
      );
      if (who.lead === lead) {
        place = { ...point, category: rule.category, lead };
        break;
      }
    }
    assert.ok(place, `a category that ${lead} leads at the point`);
  });

  after(async () => {
    await h?.close();
  });

  it('login screen (zh-CN) is the entry for staff', async () => {
    const ctx = await newContext(h, 'anonymous', { lang: 'zh-CN' });
    const page = await ctx.newPage();
    await page.goto('/');
    await page.waitForURL('**/login');
    assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's Locator.innerText (the rendered text), not the DOM property
    assert.match(await page.locator('h1').innerText(), /登录/);
    await check(page, '01-login-zh-CN');
    const outlines = page.waitForResponse((r) => r.url().includes('/api/v1/public/divisions.geojson'));
    await page.goto('/board');
    await page.locator('h1').waitFor();
    // Anonymous visitors get the division outlines from the public endpoint.
    const board = await outlines;
    assert.equal(board.status(), 200);
    assert.ok(((await board.json()) as { features: unknown[] }).features.length > 0);
    await mapsLoaded(page);
    await check(page, '11-public-board');
  });

  it('the command center opens on the whole city', async () => {
    const ctx = await newContext(h, 'dispatcher-command');
    command = await ctx.newPage();
    await login(command, 'demo.dispatcher');
    await command.goto('/command');
    await mapsLoaded(command);
    await command.waitForFunction(() =>
      document.querySelector('.command-center .count')?.textContent?.includes('of'),
    );
    // Live over the server's event stream, or (until it exists) by polling recent cases.
    await command.locator('[data-stream="open"], [data-stream="unavailable"]').waitFor();
    await check(command, '02-command-center');
  });

  it('a citizen reports a problem through the portal', async () => {
    const ctx = await newContext(h, 'citizen', { phone: true });
    citizen = await ctx.newPage();
    const outlines = citizen.waitForResponse((r) => r.url().includes('/api/v1/public/divisions.geojson'));
    await login(citizen, 'demo.citizen');
    assert.equal(new URL(citizen.url()).pathname, '/citizen');
    assert.equal((await outlines).status(), 200, 'the citizen map has division outlines');
    await mapsLoaded(citizen);
    await citizen.getByLabel('Latitude').fill(String(place.lat));
    await citizen.getByLabel('Longitude').fill(String(place.lon));
    await citizen.getByLabel('Category').selectOption(place.category);
    await citizen.getByLabel('What is the problem?').fill('Overflowing litter bin next to the bus stop');
    await check(citizen, '03-citizen-report');
    await citizen.getByRole('button', { name: 'Send report' }).click();
    const receipt = citizen.locator('[data-receipt]');
    await receipt.waitFor();
    caseNumber = (await receipt.getAttribute('data-receipt')) ?? '';
    assert.match(caseNumber, /^\d{8,}$/);
  });

  it('the command center shows the new case without a reload', async () => {
    // case.reported is published right after the intake batch commits (no scheduler poll).
    await command
      .locator(`[data-feed-case="${caseNumber}"]`)
      .first()
      .waitFor({ timeout: patience(30_000) });
  });

  it('supervision files it from the intake queue', async () => {
    const ctx = await newContext(h, 'supervision');
    const page = await ctx.newPage();
    await login(page, 'demo.supervision_operator');
    assert.equal(new URL(page.url()).pathname, '/supervision');
    await page.locator(`[data-queue="intake"] button`, { hasText: caseNumber }).waitFor();
    await check(page, '04-supervision');
    await act(page, 'intake', 'file');
  });

  it('the dispatcher dispatches it with the responsibility list suggestion', async () => {
    const ctx = await newContext(h, 'dispatcher');
    const page = await ctx.newPage();
    await login(page, 'demo.dispatcher');
    assert.equal(new URL(page.url()).pathname, '/dispatch');
    // The whistle tracking list is on the dispatch screen (empty or not: it has answered).
    await page.locator('[data-queue="whistles"]').getByRole('button', { name: 'Refresh' }).waitFor();
    await page.locator('[data-queue="whistles"] table, [data-queue="whistles"] .empty').first().waitFor();
    await act(page, 'to-dispatch', 'dispatch', async (p) => {
      const suggestion = p.locator('[data-suggestion]');
      await suggestion.filter({ hasText: place.lead }).waitFor();
      await check(p, '05-dispatch');
    });
  });

  it('the department accepts it and handles it with an uploaded photo', async () => {
    const ctx = await newContext(h, 'department');
    const page = await ctx.newPage();
    await login(page, 'demo.department_handler');
    assert.equal(new URL(page.url()).pathname, '/department');
    await page.locator(`[data-queue="incoming"] button`, { hasText: caseNumber }).waitFor();
    await check(page, '06-department');
    await act(page, 'incoming', 'accept');
    await page.locator('[data-queue="working"] .queue-head button').click();
    await act(page, 'working', 'handle', async (p) => {
      await p.locator('#f-note').fill('Bin emptied and the area swept');
      const uploaded = p.waitForResponse(
        (r) => r.url().endsWith('/api/v1/media') && r.request().method() === 'POST',
      );
      await p
        .locator('[data-case-drawer] input[type="file"]')
        .setInputFiles({ name: 'after.png', mimeType: 'image/png', buffer: AFTER_PHOTO });
      const media = await uploaded;
      assert.equal(media.status(), 201, await media.text());
      evidenceUrl = ((await media.json()) as { url: string }).url;
      assert.match(evidenceUrl, /^\/api\/v1\/media\/[0-9a-f]{64}\.png$/);
      await p.locator('[data-case-drawer] .photo .ok').waitFor();
    });
    const handled = await api('GET', `/api/v1/cases/${caseNumber}`, await tokenOf('demo.department_handler'));
    assert.ok(handled.media.includes(evidenceUrl), 'the case cites the uploaded photo');
  });

  it('the grid worker verifies it on a phone and it closes', async () => {
    const ctx = await newContext(h, 'grid-worker', { phone: true });
    const page = await ctx.newPage();
    await login(page, 'demo.grid_worker');
    assert.equal(new URL(page.url()).pathname, '/grid');
    await page.locator(`[data-queue="verify"] button`, { hasText: caseNumber }).waitFor();
    await check(page, '07-grid-worker');
    await act(page, 'verify', 'verify', async (p) => {
      await p.locator('#f-note').fill('Checked on site: clean');
    });
    await page.getByRole('tab', { name: 'Patrol report' }).click();
    await mapsLoaded(page);
    await check(page, '07b-grid-worker-patrol');
  });

  it('the citizen rates the closed case', async () => {
    await citizen.reload();
    await citizen.locator(`[data-my-case="${caseNumber}"]`).click();
    const followed = citizen.locator(`[data-followed="${caseNumber}"]`);
    await followed.locator('.badge', { hasText: 'Closed' }).waitFor();
    await followed.getByLabel('Satisfied', { exact: true }).check();
    await followed.getByRole('button', { name: 'Rate the result' }).click();
    await followed.getByText('Thank you for your rating.').waitFor();
    await check(citizen, '08-citizen-rated');
  });

  it('the command center saw the case change state live', async () => {
    await command
      .locator('.feed li', { hasText: 'case.evaluated' })
      .first()
      .waitFor({ timeout: patience(30_000) });
    // The drawer's requests for the photo.
    const photoUrls: string[] = [];
    command.on('request', (r) => {
      if (r.url().includes(`${evidenceUrl}?`)) photoUrls.push(r.url());
    });
    await command.locator(`[data-feed-case="${caseNumber}"]`).first().click();
    await command.locator('[data-case-drawer] .history li').nth(5).waitFor();
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's Locator.innerText (the rendered text), not the DOM property
    const history = await command.locator('[data-case-drawer] .history').innerText();
    for (const step of ['report', 'file', 'dispatch', 'accept', 'handle', 'verify', 'evaluate'])
      assert.match(history, new RegExp(`\\b${step}\\b`), `history has ${step}`);
    // The drawer shows the department's photo, fetched through the case, and its link opens it.
    const photo = command.locator('[data-case-drawer] a[data-media="staff"]');
    await photo.locator('img').waitFor();
    await command.waitForFunction(
      () =>
        (document.querySelector('[data-case-drawer] a[data-media="staff"] img') as HTMLImageElement | null)
          ?.naturalWidth === 8,
    );
    // What the drawer's object URL was made of, asked again as the dispatcher (the page itself
    // cannot read a blob: back: the CSP's connect-src is 'self').
    assert.ok(photoUrls.length > 0);
    const stored = await h.app.app.inject({
      url: new URL(photoUrls[0]).pathname + new URL(photoUrls[0]).search,
      headers: { authorization: `Bearer ${await tokenOf('demo.dispatcher')}` },
    });
    assert.equal(stored.statusCode, 200);
    assert.equal(
      stored.rawPayload.length,
      AFTER_PHOTO_STRIPPED.length,
      'the drawer shows the stored photo, its comment removed',
    );
    const [opened] = await Promise.all([command.waitForEvent('popup'), photo.click()]);
    assert.match(opened.url(), /^blob:/);
    await opened.waitForFunction(() => document.querySelector('img')?.naturalWidth === 8);
    await opened.close();
    await check(command, '02b-command-center-drawer');
  });

  it('leader dashboard and administration render', async () => {
    const leaderCtx = await newContext(h, 'leader');
    const leader = await leaderCtx.newPage();
    await login(leader, 'demo.city_leader');
    assert.equal(new URL(leader.url()).pathname, '/leader');
    await mapsLoaded(leader);
    await check(leader, '09-leader');
    const adminCtx = await newContext(h, 'admin');
    const admin = await adminCtx.newPage();
    await login(admin, 'demo.admin');
    assert.equal(new URL(admin.url()).pathname, '/admin');
    await mapsLoaded(admin);
    await check(admin, '10-admin-divisions');
    for (const [tab, name] of [
      ['Users and roles', '10b-admin-users'],
      ['Categories and time limits', '10f-admin-modules'],
      ['API keys', '10d-admin-api-keys'],
      ['Audit log', '10e-admin-audit'],
    ]) {
      await admin.getByRole('tab', { name: tab }).click();
      await admin.locator('[role="tabpanel"] table').first().waitFor();
      if (tab === 'Categories and time limits') {
        const cm = admin.locator('[data-module="city-management"]');
        await cm.waitFor();
        // biome-ignore lint/performance/useDomNodeTextContent: Playwright's Locator.innerText (the rendered text), not the DOM property
        assert.match(await cm.locator('tbody tr').first().innerText(), /\d+ (min|h)/);
      }
      await check(admin, name);
    }
    await admin.getByRole('button', { name: 'Verify audit chain' }).click();
    await admin.locator('[data-audit-verdict]').waitFor();
    assert.equal(await admin.locator('[data-audit-verdict]').getAttribute('data-audit-verdict'), 'true');
  });

  it('the administrator adds, changes and retires a responsibility rule', async () => {
    const ctx = await newContext(h, 'admin-rules');
    const admin = await ctx.newPage();
    await login(admin, 'demo.admin');
    await admin.getByRole('tab', { name: 'Responsibility list' }).click();
    const version = async () =>
      Number(await admin.locator('[data-list-version]').getAttribute('data-list-version'));
    await admin.locator('[data-list-version]').waitFor();
    const before = await version();
    const saved = admin.locator('[role="status"].ok');
    const grid = (
      await api('POST', '/api/v1/auth/login', undefined, {
        username: 'demo.grid_worker',
        password: DEMO_PASSWORD,
      })
    ).user.divisionCodes[0] as string;
    // Add: a rule for the case's category in the grid worker's grid.
    await admin.getByLabel('Category', { exact: true }).fill(place.category);
    await admin.getByLabel('Division', { exact: true }).fill(grid);
    await admin.locator('#r-lead option', { hasText: place.lead }).first().waitFor({ state: 'attached' });
    await admin.locator('#r-lead').selectOption(place.lead);
    await admin.getByRole('button', { name: 'Create' }).click();
    await saved.filter({ hasText: `v${before + 1}` }).waitFor();
    const row = admin.locator('tr[data-rule]', { hasText: grid }).filter({ hasText: place.category });
    await row.waitFor();
    const ruleId = (await row.getAttribute('data-rule')) ?? '';
    assert.match(ruleId, /^R-\d{6}$/);
    await check(admin, '10c-admin-responsibility');
    // Change: lead stays, an assisting department is added.
    const codes = await admin
      .locator('#r-lead option')
      .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value).filter(Boolean));
    const assist = codes.find((c) => c !== place.lead) ?? '';
    await admin.getByRole('button', { name: `Change rule ${ruleId}` }).click();
    await admin.getByLabel(/Assisting departments/).fill(assist);
    await admin.getByRole('button', { name: 'Save (new list version)' }).click();
    await saved.filter({ hasText: `v${before + 2}` }).waitFor();
    const changed = admin.locator(`tr[data-rule]`, { hasText: grid }).filter({ hasText: place.category });
    // The list reloads after the notice: wait for the row to show the assisting department.
    await changed.filter({ hasText: assist }).waitFor();
    const changedId = (await changed.getAttribute('data-rule')) ?? '';
    // Retire it (two steps).
    await admin.getByRole('button', { name: `Retire rule ${changedId}` }).click();
    await admin.getByRole('button', { name: 'Confirm: retire' }).click();
    await saved.filter({ hasText: `v${before + 3}` }).waitFor();
    // The table reloads after the version is shown: wait for the retired row to go.
    await admin.locator(`tr[data-rule="${changedId}"]`).waitFor({ state: 'detached' });
    assert.equal(await admin.locator(`tr[data-rule="${changedId}"]`).count(), 0);
    assert.equal(await version(), before + 3);
  });

  it('the administrator creates, renames and deletes a department', async () => {
    const ctx = await newContext(h, 'admin-departments');
    const admin = await ctx.newPage();
    await login(admin, 'demo.admin');
    await admin.getByRole('tab', { name: 'Departments' }).click();
    await admin.locator('#d-code').waitFor();
    const code = 'web-test-dept';
    await admin.getByLabel('Code', { exact: true }).fill(code);
    await admin.getByLabel('Name (Chinese)').fill('测试部门');
    await admin.getByLabel('Name (English)').fill('Test department');
    await admin.getByRole('button', { name: 'Create' }).click();
    const row = admin.locator(`tr[data-department="${code}"]`);
    await row.filter({ hasText: 'Test department' }).waitFor();
    await admin.getByRole('button', { name: `Change department ${code}` }).click();
    await admin.getByLabel('Name (English)').fill('Renamed department');
    await admin.getByRole('button', { name: 'Save', exact: true }).click();
    await row.filter({ hasText: 'Renamed department' }).waitFor();
    await check(admin, '10g-admin-departments');
    await admin.getByRole('button', { name: `Delete department ${code}` }).click();
    await admin.getByRole('button', { name: 'Confirm: delete' }).click();
    await admin.locator('[role="status"].ok', { hasText: `${code} deleted` }).waitFor();
    await row.waitFor({ state: 'detached' });
  });

  it('no request left the server, no console errors, no serious accessibility violations', () => {
    assert.deepEqual(h.external, []);
    assert.deepEqual(h.consoleErrors, []);
    assert.deepEqual(
      findings.map((f) => `${f.screen}: ${f.impact} ${f.id} — ${f.help} @ ${f.nodes.join(', ')}`),
      [],
    );
    assert.ok(shots.length >= 14, `screenshots: ${shots.length}`);
  });
});

/** CRC-32 of PNG chunks (zlib.crc32 needs Node 22). */
function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** An 8×8 RGB PNG built here (green with a white diagonal), optionally with a text chunk. */
function buildPng(comment?: string): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.from([0, 0, 0, 8, 0, 0, 0, 8, 8, 2, 0, 0, 0]);
  const rows: number[] = [];
  for (let y = 0; y < 8; y++) {
    rows.push(0);
    for (let x = 0; x < 8; x++) rows.push(...(x === y ? [255, 255, 255] : [40, 160, 80]));
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    ...(comment ? [chunk('tEXt', Buffer.from(`Comment\0${comment}`, 'latin1'))] : []),
    chunk('IDAT', deflateSync(Buffer.from(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The department's "after" photo, uploaded with a location comment; stored and served without it. */
const AFTER_PHOTO = buildPng('taken at 30.2431,120.1512');
const AFTER_PHOTO_STRIPPED = buildPng();
