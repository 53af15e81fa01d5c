/**
 * A running platform for participation suites: identity, audit, org (demo city seeded),
 * cases and participation, listening on a real socket (port 0) for plain `fetch`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { auditCapability } from '../../src/audit/index.ts';
import { createCasesCapability } from '../../src/cases/index.ts';
import {
  createUser,
  identityCapability,
  issueApiKey,
  type Role,
  systemActor,
} from '../../src/identity/index.ts';
import { addUser, bearer, loginAs } from '../../src/identity/testing.ts';
import { ORG, type OrgServices, orgCapability, seedDemoCity } from '../../src/org/index.ts';
import {
  createParticipationCapability,
  DEFAULT_PARTICIPATION_SETTINGS,
  MemoryStatusNotifier,
  type ParticipationSettings,
} from '../../src/participation/index.ts';
import { buildTestApp, type TestApp } from '../support/app.ts';
import type { Backend } from '../support/storage.ts';

/** Monday 2026-03-02 09:00 in Asia/Shanghai. */
export const MONDAY_9AM = '2026-03-02T01:00:00Z';
/** Exposed garbage (city-management plate), a public service without attributes. */
export const SERVICE = 'CM.E.01.01';

export interface ParticipationFixture {
  t: TestApp;
  base: string;
  open311: string;
  point: { lat: number; lon: number };
  district: string;
  grid: string;
  lead: string;
  notifier: MemoryStatusNotifier;
  uploadDir: string;
  /** An api_key of a client app allowed to report. */
  apiKey: string;
  /** A key of the same app scoped to `case.report` only (it may report, not rate). */
  reportOnlyKey: string;
  /** Bearer headers of fixture users by name. */
  as: Record<string, { authorization: string }>;
  participation: ReturnType<typeof createParticipationCapability>;
  dispose(): Promise<void>;
}

/** A point inside a grid of the demo city. */
export function findPoint(
  locate: OrgServices['locate'],
  offset = 0,
): { lat: number; lon: number; grid: string; district: string } {
  let skip = offset;
  for (let lat = 30.2; lat < 30.3; lat += 0.0031)
    for (let lon = 120.05; lon < 120.2; lon += 0.0029) {
      const chain = locate(lat, lon);
      if (chain?.grid && chain.district) {
        if (skip-- > 0) continue;
        return { lat, lon, grid: chain.grid.code, district: chain.district.code };
      }
    }
  throw new Error('no point inside the demo city');
}

export async function participationFixture(
  backend: Backend,
  settings: Partial<ParticipationSettings> = {},
): Promise<ParticipationFixture> {
  const uploadDir = await mkdtemp(path.join(os.tmpdir(), 'onecity-uploads-'));
  const notifier = new MemoryStatusNotifier();
  const participation = createParticipationCapability({
    settings: {
      ...DEFAULT_PARTICIPATION_SETTINGS,
      jurisdictionId: 'lanhu.gov.cn',
      uploadDir,
      uploadMaxBytes: 256 * 1024,
      ...settings,
    },
    notifier,
  });
  const t = await buildTestApp(backend, {
    capabilities: [
      identityCapability,
      auditCapability,
      orgCapability,
      createCasesCapability(),
      participation,
    ],
  });
  t.clock.set(MONDAY_9AM);
  await seedDemoCity(t, { seed: 1, password: 'Demo-password-2026' });
  const p = findPoint(t.services(ORG).locate);
  const lead = (await t.services(ORG).resolveResponsibility(t.kernel.db, SERVICE, p.grid)).lead;
  const users: Array<[string, Role[], { departmentCodes?: string[]; divisionCodes?: string[] }]> = [
    ['citizen', ['citizen'], {}],
    ['sup', ['supervision_operator'], {}],
    ['disp', ['dispatcher'], {}],
    ['handler', ['department_handler'], { departmentCodes: [lead] }],
    ['admin2', ['admin'], {}],
  ];
  const as: ParticipationFixture['as'] = {};
  for (const [name, roles, scope] of users) {
    await addUser(t, `p.${name}`, roles, scope);
    as[name] = bearer(await loginAs(t, `p.${name}`));
  }
  await createUser(
    t.kernel.db,
    { username: 'app.lanhu311', displayName: 'Lanhu 311 app', kind: 'service', roles: ['citizen'] } as never,
    systemActor(t.clock.now()),
  );
  const issued = await issueApiKey(
    t.kernel.db,
    { account: 'app.lanhu311', name: 'Lanhu 311 app', scopes: ['case.report', 'case.evaluate'] },
    { ...systemActor(t.clock.now()), bus: t.kernel.bus },
  );
  const reportOnly = await issueApiKey(
    t.kernel.db,
    { account: 'app.lanhu311', name: 'Lanhu 311 kiosk', scopes: ['case.report'] },
    { ...systemActor(t.clock.now()), bus: t.kernel.bus },
  );
  const base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  return {
    t,
    base,
    open311: `${base}/open311/v2`,
    point: { lat: p.lat, lon: p.lon },
    district: p.district,
    grid: p.grid,
    lead,
    notifier,
    uploadDir,
    apiKey: issued.key,
    reportOnlyKey: reportOnly.key,
    as,
    participation,
    async dispose() {
      await t.dispose();
      await rm(uploadDir, { recursive: true, force: true });
    },
  };
}

/** Form-encodes Open311 parameters (arrays repeat the key). */
export function form(params: Record<string, string | number | string[]>): URLSearchParams {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    for (const x of Array.isArray(v) ? v : [v]) body.append(k, String(x));
  return body;
}
