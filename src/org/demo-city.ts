/**
 * The demo city: Lanhu City (澜湖市) with its divisions, departments, posts, responsibility
 * grids, a responsibility rule for every shipped category, and one demo user per role.
 * `planDemoCity` is pure and deterministic for a seed; `seedDemoCity` writes the plan in
 * one transaction and then asks identity for the demo users.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../audit/index.ts';
import { ensureDemoUsers, listUsers, SYSTEM_PRINCIPAL, systemActor } from '../identity/index.ts';
import {
  ConflictError,
  type CapabilityHost,
  type Kernel,
  type LocalizedText,
  type ModuleRegistry,
  type RegisteredCategory,
} from '../kernel/index.ts';
import { type DemoDivision, generateDemoGeography, seededRandom } from './demo-geography.ts';
import {
  COMMAND_CENTER,
  createPost,
  districtGovernmentCode,
  ensurePlateDepartments,
  type PostInput,
  SUPERVISION_CENTER,
  streetOfficeCode,
  updatePost,
} from './departments.ts';
import { DIVISIONS_CHANGED, hasNoDivisions, saveDivisions } from './divisions.ts';
import { inTransaction } from './in-transaction.ts';
import { orgEvents } from './org-events.ts';
import { ORG } from './org-services.ts';
import { type ResponsibilityGridInput, saveResponsibilityGrids } from './responsibility-grids.ts';
import { addRules, type RuleInput } from './responsibility-list.ts';

/** Everything the demo city consists of, before it is written. */
export interface DemoCityPlan {
  seed: number;
  divisions: DemoDivision[];
  posts: PostInput[];
  responsibilityGrids: ResponsibilityGridInput[];
  rules: RuleInput[];
  /** SHA-256 of the canonical JSON of the plan: equal seeds and plates give equal digests. */
  digest: string;
}

const POSTS_PER_DEPARTMENT: Array<{ suffix: string; role: PostInput['role']; zh: string; en: string }> = [
  { suffix: 'leader', role: 'department_leader', zh: '负责人', en: 'Leader' },
  { suffix: 'handler', role: 'department_handler', zh: '处置员', en: 'Handler' },
];

/** The effective default responsibility of a category (its own, else its parent class's). */
function defaultOf(c: RegisteredCategory, modules: ModuleRegistry) {
  for (let cur: RegisteredCategory | undefined = c, hops = 0; cur && hops < 16; hops++) {
    if (cur.defaultResponsibility) return cur.defaultResponsibility;
    cur = cur.parent ? modules.category(cur.parent) : undefined;
  }
  const first = modules.module(c.moduleId)?.departments?.[0]?.code;
  return { lead: first ?? COMMAND_CENTER, assist: [] as string[] };
}

/** Plans the demo city for a seed and the enabled plates. */
export function planDemoCity(seed: number, modules: ModuleRegistry): DemoCityPlan {
  const divisions = generateDemoGeography(seed);
  const rand = seededRandom(seed ^ 0x5eed);
  const districts = divisions.filter((d) => d.level === 'district');
  const streets = divisions.filter((d) => d.level === 'street');
  const communities = divisions.filter((d) => d.level === 'community');
  const grids = divisions.filter((d) => d.level === 'grid');

  const departments: Array<{ code: string; name: LocalizedText; kind: string }> = [
    {
      code: SUPERVISION_CENTER,
      name: { 'zh-CN': '城市运行监督中心', en: 'City Supervision Center' },
      kind: 'center',
    },
    {
      code: COMMAND_CENTER,
      name: { 'zh-CN': '城市运行指挥中心', en: 'City Command Center' },
      kind: 'center',
    },
    ...modules.modules.flatMap((m) =>
      (m.departments ?? []).map((d) => ({ code: d.code, name: d.name, kind: d.kind })),
    ),
    ...districts.map((d) => ({
      code: districtGovernmentCode(d.code),
      name: { 'zh-CN': `${d.name['zh-CN']}人民政府`, en: `${d.name.en} Government` },
      kind: 'district_government',
    })),
    ...streets.map((s) => ({
      code: streetOfficeCode(s.code),
      name: { 'zh-CN': `${s.name['zh-CN']}办事处`, en: `${s.name.en} Office` },
      kind: 'street_office',
    })),
  ];
  const posts: PostInput[] = [];
  for (const d of departments) {
    if (d.code === SUPERVISION_CENTER)
      posts.push({
        code: `${d.code}.operator`,
        departmentCode: d.code,
        name: { 'zh-CN': '监督员', en: 'Supervision operator' },
        role: 'supervision_operator',
      });
    else if (d.code === COMMAND_CENTER)
      posts.push({
        code: `${d.code}.dispatcher`,
        departmentCode: d.code,
        name: { 'zh-CN': '派遣员', en: 'Dispatcher' },
        role: 'dispatcher',
      });
    else if (d.kind === 'street_office')
      posts.push({
        code: `${d.code}.officer`,
        departmentCode: d.code,
        name: { 'zh-CN': `${d.name['zh-CN']}吹哨干部`, en: `${d.name.en} officer` },
        role: 'street_officer',
      });
    for (const p of POSTS_PER_DEPARTMENT)
      posts.push({
        code: `${d.code}.${p.suffix}`,
        departmentCode: d.code,
        name: { 'zh-CN': `${d.name['zh-CN']}${p.zh}`, en: `${d.name.en} ${p.en.toLowerCase()}` },
        role: p.role,
      });
  }

  // Responsibility grids: consecutive unit grids of a community, three or four at a time.
  const responsibilityGrids: ResponsibilityGridInput[] = [];
  for (const c of communities) {
    const own = grids.filter((g) => g.parentCode === c.code).map((g) => g.code);
    const size = own.length % 4 === 1 && own.length > 4 ? 3 : 4;
    for (let i = 0, n = 1; i < own.length; i += size, n++)
      responsibilityGrids.push({
        code: `RG${c.code}${String(n).padStart(2, '0')}`,
        name: { 'zh-CN': `${c.name['zh-CN']}责任网格${n}`, en: `${c.name.en} responsibility grid ${n}` },
        divisionCode: c.code,
        gridCodes: own.slice(i, i + size),
        workerIds: [],
      });
  }

  // A city-wide rule per shipped category from its plate's default, plus district and
  // street overrides that show the most-specific-match rule at work.
  const rules: RuleInput[] = [];
  const categories = [...modules.categories()].sort((a, b) => (a.code < b.code ? -1 : 1));
  const city = divisions[0].code;
  for (const c of categories) {
    const d = defaultOf(c, modules);
    rules.push({
      category: c.code,
      divisionCode: city,
      lead: d.lead,
      assist: [...(d.assist ?? [])],
      note: 'plate default',
    });
    if (!c.parent) continue;
    const roll = rand();
    if (roll < 0.12) {
      const district = districts[Math.floor(rand() * districts.length)];
      const lead = districtGovernmentCode(district.code);
      rules.push({
        category: c.code,
        divisionCode: district.code,
        lead,
        assist: [d.lead].filter((x) => x !== lead),
        note: `${district.name.en} handles this itself`,
      });
    } else if (roll < 0.18) {
      const street = streets[Math.floor(rand() * streets.length)];
      const lead = streetOfficeCode(street.code);
      rules.push({
        category: c.code,
        divisionCode: street.code,
        lead,
        assist: [d.lead].filter((x) => x !== lead),
        note: `${street.name.en} office leads (street-level pilot)`,
      });
    }
  }
  const digest = createHash('sha256')
    .update(canonicalJson({ seed, divisions, posts, responsibilityGrids, rules }))
    .digest('hex');
  return { seed, divisions, posts, responsibilityGrids, rules, digest };
}

/** Progress of a seeding, for a CLI progress bar. */
export interface SeedProgress {
  start(total: number): void;
  tick(n?: number): void;
}

export interface SeedDemoOptions {
  seed?: number;
  /** Password of the demo users; `ONECITY_DEMO_PASSWORD` or generated otherwise. */
  password?: string;
  progress?: SeedProgress;
}

export interface SeedDemoResult {
  seed: number;
  digest: string;
  counts: {
    districts: number;
    streets: number;
    communities: number;
    grids: number;
    departments: number;
    posts: number;
    responsibilityGrids: number;
    rules: number;
    users: number;
  };
  /** The demo users' password (show it once). */
  demoPassword: string;
  listVersion: number;
}

/**
 * Seeds the demo city into an empty organization (ConflictError `demo.not_empty` when
 * divisions exist). Divisions, departments, posts, responsibility grids and rules are one
 * transaction; the demo users follow through identity.
 */
export async function seedDemoCity(
  host: CapabilityHost,
  options: SeedDemoOptions = {},
): Promise<SeedDemoResult> {
  const { kernel } = host;
  const seed = options.seed ?? 1;
  const plan = planDemoCity(seed, kernel.modules);
  const actor = systemActor(kernel.clock.now());
  const progress = options.progress;
  progress?.start(
    plan.divisions.length + plan.posts.length + plan.responsibilityGrids.length + plan.rules.length + 10,
  );
  const { listVersion, departments } = await inTransaction(kernel.db, actor, async (trx) => {
    if (!(await hasNoDivisions(trx)))
      throw new ConflictError(
        'The organization already has divisions; the demo city seeds only an empty one.',
        'demo.not_empty',
      );
    await ensurePlateDepartments(trx, kernel.modules, actor);
    await saveDivisions(trx, plan.divisions, actor, { onProgress: () => progress?.tick() });
    for (const p of plan.posts) {
      await createPost(trx, p, actor);
      progress?.tick();
    }
    await saveResponsibilityGrids(trx, plan.responsibilityGrids, actor);
    progress?.tick(plan.responsibilityGrids.length);
    const added = await addRules(trx, plan.rules, actor, {
      note: `demo city (seed ${seed})`,
      modules: kernel.modules,
    });
    progress?.tick(plan.rules.length);
    const count = await trx
      .selectFrom('org_department')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return { listVersion: added.version, departments: Number(count.n) };
  });
  // Placeable at once (demo sensors, cases), before the change event reaches the org instance.
  await host.services(ORG).reloadDivisions();
  await kernel.bus.publish(
    orgEvents.create(DIVISIONS_CHANGED, { count: plan.divisions.length, seed }, kernel.clock.now()),
  );

  // Demo users work in the first street of the first district, in its first community and grid.
  const firstGrid = plan.divisions.find((d) => d.level === 'grid')!;
  const handlerDepartment = kernel.modules.modules[0]?.departments?.[0]?.code ?? COMMAND_CENTER;
  const users = await ensureDemoUsers(kernel, {
    password: options.password,
    departments: [handlerDepartment],
    divisions: {
      district: firstGrid.code.slice(0, 6),
      street: firstGrid.code.slice(0, 9),
      community: firstGrid.code.slice(0, 12),
      grid: firstGrid.code,
    },
  });
  await assignDemoUsers(kernel, plan, handlerDepartment, firstGrid.code);
  progress?.tick(10);
  const level = (l: string) => plan.divisions.filter((d) => d.level === l).length;
  return {
    seed,
    digest: plan.digest,
    counts: {
      districts: level('district'),
      streets: level('street'),
      communities: level('community'),
      grids: level('grid'),
      departments,
      posts: plan.posts.length,
      responsibilityGrids: plan.responsibilityGrids.length,
      rules: plan.rules.length,
      users: users.created.length,
    },
    demoPassword: users.password,
    listVersion,
  };
}

/** Puts the demo users into their posts and the grid worker into a responsibility grid. */
async function assignDemoUsers(kernel: Kernel, plan: DemoCityPlan, department: string, grid: string) {
  const actor = systemActor(kernel.clock.now());
  const { items } = await listUsers(kernel.db, SYSTEM_PRINCIPAL, { q: 'demo.', limit: 100 });
  const id = (role: string) => items.find((u) => u.username === `demo.${role}`)?.id;
  const street = grid.slice(0, 9);
  const holders: Array<[string, string | undefined]> = [
    [`${SUPERVISION_CENTER}.operator`, id('supervision_operator')],
    [`${COMMAND_CENTER}.dispatcher`, id('dispatcher')],
    [`${department}.leader`, id('department_leader')],
    [`${department}.handler`, id('department_handler')],
    [`${streetOfficeCode(street)}.officer`, id('street_officer')],
  ];
  for (const [post, user] of holders)
    if (user) await updatePost(kernel.db, post, { holderIds: [user] }, actor);
  const worker = id('grid_worker');
  const rg = plan.responsibilityGrids.find((g) => g.gridCodes.includes(grid));
  if (worker && rg) await saveResponsibilityGrids(kernel.db, [{ ...rg, workerIds: [worker] }], actor);
}
