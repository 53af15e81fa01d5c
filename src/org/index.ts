/**
 * The organization: divisions (city → district → street → community → unit grid) with
 * point lookup, responsibility grids, departments and posts, the responsibility list
 * (权责清单), and the demo city. Other capabilities import only from here.
 */
import { systemActor } from '../identity/index.ts';
import type { Capability, Kernel } from '../kernel/index.ts';
import { registerDepartmentRoutes } from './department-routes.ts';
import { ensurePlateDepartments } from './departments.ts';
import { registerDivisionRoutes } from './division-routes.ts';
import { DIVISIONS_CHANGED } from './divisions.ts';
import { reloadDivisionIndex } from './locate.ts';
import { registerModuleRoutes } from './module-routes.ts';
import { forgetPublicDivisions } from './public-divisions.ts';
import { orgEvents } from './org-events.ts';
import { orgMigrations } from './org-migrations.ts';
import { registerResponsibilityRoutes } from './responsibility-routes.ts';
import { adoptModuleRegistry } from './responsibility-list.ts';

export {
  type DemoCityPlan,
  planDemoCity,
  type SeedDemoOptions,
  type SeedDemoResult,
  type SeedProgress,
  seedDemoCity,
} from './demo-city.ts';
export { DEMO_CITY_CODE, generateDemoGeography } from './demo-geography.ts';
export {
  COMMAND_CENTER,
  CORE_DEPARTMENT_CODES,
  type Department,
  districtGovernmentCode,
  getDepartment,
  listDepartments,
  listPosts,
  type Post,
  SUPERVISION_CENTER,
  streetOfficeCode,
} from './departments.ts';
export { DivisionIndex, type LocatedChain, type LocatedDivision } from './division-index.ts';
export {
  CODE_LENGTH,
  DIVISION_LEVELS,
  type DivisionLevel,
  levelOfCode,
  parentCodeOf,
} from './division-levels.ts';
export {
  DIVISIONS_CHANGED,
  type Division,
  exportDivisions,
  getDivision,
  hasNoDivisions,
  IMPORT_TOLERANCE_DEGREES,
  type ImportReport,
  importDivisions,
  listDivisions,
} from './divisions.ts';
export type { AreaGeometry, BBox, Position } from './geometry.ts';
export { locateInCity, locatePoint, reloadDivisionIndex } from './locate.ts';
export { type PlacedAddress, placeAddress } from './gazetteer.ts';
export { type CatalogCategory, type CatalogModule, moduleCatalog } from './module-catalog.ts';
export { type DivisionsChanged, type OrgEvent, type OrgEventMap, orgEvents } from './org-events.ts';
export { orgMigrations } from './org-migrations.ts';
export { publicDivisions } from './public-divisions.ts';
export { listResponsibilityGrids, type ResponsibilityGrid } from './responsibility-grids.ts';
export {
  currentListVersion,
  listRules,
  type Responsibility,
  type ResponsibilityRule,
  resolveResponsibility,
  whoIsResponsible,
} from './responsibility-list.ts';

/** Builds the organization capability. */
export function createOrgCapability(): Capability {
  const unsubscribers: Array<() => void> = [];
  return {
    name: 'org',
    migrations: orgMigrations,
    routes(app, kernel: Kernel) {
      registerDivisionRoutes(app, kernel);
      registerDepartmentRoutes(app, kernel);
      registerResponsibilityRoutes(app, kernel);
      registerModuleRoutes(app, kernel);
    },
    async start(kernel: Kernel) {
      adoptModuleRegistry(kernel.modules);
      await ensurePlateDepartments(kernel.db, kernel.modules, systemActor(kernel.clock.now()));
      await reloadDivisionIndex(kernel.db);
      // Any node's division change (the bus spans nodes with NATS) rebuilds this node's index.
      unsubscribers.push(
        orgEvents.subscribe(kernel.bus, DIVISIONS_CHANGED, () => {
          forgetPublicDivisions();
          return reloadDivisionIndex(kernel.db).then(() => {});
        }),
      );
    },
    stop() {
      for (const u of unsubscribers.splice(0)) u();
    },
  };
}

/** The organization capability. */
export const orgCapability: Capability = createOrgCapability();
