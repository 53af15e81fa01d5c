/**
 * What the case services need from the platform, gathered once at start: the kernel's
 * clock, scheduler, bus and catalogue, the working calendar in the city's time zone, and
 * the contracts of org and audit. Services receive it as their first argument.
 */
import { appendAudit, appendAuditBatch } from '../audit/index.ts';
import {
  type Clock,
  type Db,
  type EventBus,
  GroupCommits,
  type Kernel,
  type ModuleRegistry,
  type Scheduler,
} from '../kernel/index.ts';
import { currentListVersion, type OrgServices } from '../org/index.ts';
import type { CaseSettings } from './case-settings.ts';
import type { WorkingCalendar } from './rules/sla-clock.ts';

/** Divisions a point lies in (org's `locate`), null outside the city. */
export interface LocatedPoint {
  grid: { code: string } | null;
  community: { code: string } | null;
  street: { code: string } | null;
  district: { code: string } | null;
}

/** The responsibility list's answer for a category at a place. */
export interface Responsibility {
  lead: string;
  assist: readonly string[];
  ruleId: string | null;
  listVersion: number | string | null;
  /** How the list decided: `rule`, `category_default`, or a fallback (`district_government`…). */
  source?: string;
}

/** Other capabilities' public functions the engine calls; swapped only in tests. */
export interface CaseDependencies {
  locate(lat: number, lon: number): LocatedPoint | null;
  /** `cached`: the answer at that list version, from the app's cache (org's; `cacheScope` is unused). */
  resolveResponsibility(
    db: Db,
    category: string,
    divisionCode: string,
    cached?: { listVersion: number; cacheScope: object },
  ): Promise<Responsibility | null>;
  /** The responsibility list's current version. */
  currentListVersion(db: Db): Promise<number>;
  appendAudit: typeof appendAudit;
  /** Appends to the audit chain under the kernel's commit-order lock, held to the end of the transaction. */
  appendAuditBatch: typeof appendAuditBatch;
}

/** The contracts of org (this app's instance) and audit (docs/architecture.md). */
export function platformDependencies(org: OrgServices): CaseDependencies {
  return {
    locate: (lat, lon) => org.locate(lat, lon) as LocatedPoint | null,
    resolveResponsibility: async (db, category, divisionCode, cached) =>
      ((await org.resolveResponsibility(
        db,
        category,
        divisionCode,
        cached?.listVersion,
      )) as Responsibility | null) ?? null,
    currentListVersion,
    appendAudit,
    appendAuditBatch,
  };
}

export interface CaseEngine {
  readonly db: Db;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly bus: EventBus;
  readonly modules: ModuleRegistry;
  readonly calendar: WorkingCalendar;
  readonly settings: CaseSettings;
  readonly deps: CaseDependencies;
  /** The engine's group-commit loops (intake.ts, transition-batch.ts), each made on first use. */
  readonly loops: GroupCommits;
}

/** Builds the engine of a kernel. */
export function createCaseEngine(kernel: Kernel, settings: CaseSettings, deps: CaseDependencies): CaseEngine {
  return Object.freeze({
    db: kernel.db,
    clock: kernel.clock,
    scheduler: kernel.scheduler,
    bus: kernel.bus,
    modules: kernel.modules,
    calendar: Object.freeze({ ...settings.calendar, timeZone: kernel.config.timeZone }),
    settings,
    deps,
    loops: new GroupCommits(),
  });
}
