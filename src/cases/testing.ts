/** Test fixtures for case suites: a seeded demo city, users per role, report and act helpers. */
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import type { Backend } from '../../test/support/storage.ts';
import { buildTestApp, type TestApp } from '../../test/support/app.ts';
import { auditCapability } from '../audit/index.ts';
import { identityCapability, type Role } from '../identity/index.ts';
import { addUser, bearer, loginAs } from '../identity/testing.ts';
import { ORG, type OrgServices, orgCapability, seedDemoCity } from '../org/index.ts';
import { type CaseSettings, DEFAULT_CASE_SETTINGS } from './case-settings.ts';
import { createCasesCapability } from './index.ts';
import type { CaseView } from './rules/case-model.ts';

/** Monday 2026-03-02 09:00 in Asia/Shanghai. */
export const MONDAY_9AM = '2026-03-02T01:00:00Z';
/** A category of the city-management plate: exposed garbage (normal: 60 working minutes to accept). */
export const CATEGORY = 'CM.E.01.01';

export interface CaseFixture {
  t: TestApp;
  /** A point inside one grid, its chain and the lead department there for CATEGORY. */
  point: { lat: number; lon: number };
  grid: string;
  street: string;
  district: string;
  lead: string;
  other: string;
  /** Bearer headers by user name. */
  as: Record<string, { authorization: string }>;
  report(who: string, body?: Record<string, unknown>): Promise<LightMyRequestResponse>;
  act(
    who: string,
    id: string,
    action: string,
    body?: Record<string, unknown>,
  ): Promise<LightMyRequestResponse>;
  get(who: string, id: string): Promise<CaseView>;
  /** Reports as the citizen and takes the case through the given actions; returns the case. */
  walk(
    steps: Array<[who: string, action: string, params?: Record<string, unknown>]>,
    body?: Record<string, unknown>,
  ): Promise<CaseView>;
  /** Logs every fixture user in again (after moving the clock past the session lifetime). */
  relogin(): Promise<void>;
  dispose(): Promise<void>;
}

/** Finds a point in the city whose grid lies in the first district. */
function findPoint(locate: OrgServices['locate']): {
  lat: number;
  lon: number;
  grid: string;
  street: string;
  district: string;
} {
  for (let lat = 30.2; lat < 30.3; lat += 0.0031)
    for (let lon = 120.05; lon < 120.2; lon += 0.0029) {
      const chain = locate(lat, lon);
      if (chain?.grid && chain.street && chain.district)
        return { lat, lon, grid: chain.grid.code, street: chain.street.code, district: chain.district.code };
    }
  throw new Error('no point inside the demo city');
}

/** Builds the platform with the cases capability on a seeded demo city and one user per role. */
export async function caseFixture(
  backend: Backend,
  options: Omit<Parameters<typeof createCasesCapability>[0] & {}, 'settings'> & {
    /** Settings beside the fixture's own (escalation after 60 minutes). */
    settings?: Partial<CaseSettings>;
  } = {},
): Promise<CaseFixture> {
  const cases = createCasesCapability({
    ...options,
    settings: { ...DEFAULT_CASE_SETTINGS, escalateAfterMinutes: 60, ...options.settings },
  });
  const t = await buildTestApp(backend, {
    capabilities: [identityCapability, auditCapability, orgCapability, cases],
  });
  t.clock.set(MONDAY_9AM);
  await seedDemoCity(t, { seed: 1, password: 'Demo-password-2026' });
  const p = findPoint(t.services(ORG).locate);
  const resp = await t.services(ORG).resolveResponsibility(t.kernel.db, CATEGORY, p.grid);
  const lead = resp.lead;
  const other = lead === 'urban-management' ? 'transport' : 'urban-management';
  const users: Array<[string, Role[], { departmentCodes?: string[]; divisionCodes?: string[] }]> = [
    ['citizen', ['citizen'], {}],
    ['citizen2', ['citizen'], {}],
    ['grid', ['grid_worker'], { divisionCodes: [p.grid] }],
    ['sup', ['supervision_operator'], {}],
    ['disp', ['dispatcher'], {}],
    ['disp2', ['dispatcher'], {}],
    ['handler', ['department_handler'], { departmentCodes: [lead] }],
    ['leader', ['department_leader'], { departmentCodes: [lead] }],
    ['other', ['department_handler'], { departmentCodes: [other] }],
    ['street', ['street_officer'], { divisionCodes: [p.street] }],
  ];
  const as: CaseFixture['as'] = {};
  for (const [name, roles, scope] of users) {
    await addUser(t, `c.${name}`, roles, scope);
    as[name] = bearer(await loginAs(t, `c.${name}`));
  }
  const point = { lat: p.lat, lon: p.lon };
  let seq = 0;
  const fx: CaseFixture = {
    t,
    point,
    grid: p.grid,
    street: p.street,
    district: p.district,
    lead,
    other,
    as,
    report: (who, body = {}) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/cases',
        headers: as[who],
        payload: {
          channel: 'app',
          category: CATEGORY,
          location: point,
          description: `Garbage piled up by the bus stop (${++seq})`,
          reporter: { name: '张三丰', phone: '13812341234', consent: true },
          ...body,
        },
      }),
    async act(who, id, action, body = {}) {
      const version = body.version ?? (await fx.get('sup', id)).version;
      return t.app.inject({
        method: 'POST',
        url: `/api/v1/cases/${id}/actions/${action}`,
        headers: as[who],
        payload: { ...body, version },
      });
    },
    async get(who, id) {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/cases/${id}`, headers: as[who] });
      if (res.statusCode !== 200) throw new Error(`GET case ${id}: ${res.statusCode} ${res.body}`);
      return res.json();
    },
    async walk(steps, body = {}) {
      const created = await fx.report('citizen', body);
      if (created.statusCode !== 201) throw new Error(`report: ${created.statusCode} ${created.body}`);
      let c = created.json();
      for (const [who, action, params] of steps) {
        const res = await fx.act(who, c.id, action, { version: c.version, ...params });
        if (res.statusCode !== 200) throw new Error(`${who} ${action}: ${res.statusCode} ${res.body}`);
        c = res.json();
      }
      return c;
    },
    async relogin() {
      for (const [name] of users) as[name] = bearer(await loginAs(t, `c.${name}`));
    },
    dispose: () => t.dispose(),
  };
  return fx;
}

/** `value`, failing the test when it is null or undefined: a field of a view the test relies on. */
export function present<T>(value: T | null | undefined, what: string): T {
  assert.ok(value !== null && value !== undefined, `${what} is missing`);
  return value;
}

/** The steps from report to a case in progress with the lead department. */
export const TO_IN_PROGRESS: Array<[string, string, Record<string, unknown>?]> = [
  ['sup', 'file'],
  ['disp', 'dispatch'],
  ['handler', 'accept'],
];
