/**
 * The organization: divisions (city → district → street → community → unit grid) with
 * point lookup, responsibility grids, departments and posts, the responsibility list
 * (权责清单), and the demo city. Other capabilities import only from here.
 */
import { systemActor } from '../identity/index.ts';
import type { Capability } from '../kernel/index.ts';
import { registerDepartmentRoutes } from './department-routes.ts';
import { ensurePlateDepartments } from './departments.ts';
import { registerDivisionRoutes } from './division-routes.ts';
import { DIVISIONS_CHANGED } from './divisions.ts';
import { DivisionLocator } from './locate.ts';
import { registerModuleRoutes } from './module-routes.ts';
import { orgEvents } from './org-events.ts';
import { PublicDivisionsCache } from './public-divisions.ts';
import { orgMigrations } from './org-migrations.ts';
import { registerResponsibilityRoutes } from './responsibility-routes.ts';
import { ResponsibilityCache, resolveResponsibility } from './responsibility-list.ts';
import type { OrgServices } from './org-services.ts';

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
export { assertCoordinates, DivisionLocator, loadDivisionIndex } from './locate.ts';
export { ORG, type OrgServices } from './org-services.ts';
export { type PlacedAddress, placeAddress } from './gazetteer.ts';
export { type CatalogCategory, type CatalogModule, moduleCatalog } from './module-catalog.ts';
export { type DivisionsChanged, type OrgEvent, type OrgEventMap, orgEvents } from './org-events.ts';
export { orgMigrations } from './org-migrations.ts';
export { type PublicDivisions, PublicDivisionsCache } from './public-divisions.ts';
export { listResponsibilityGrids, type ResponsibilityGrid } from './responsibility-grids.ts';
export {
  currentListVersion,
  listRules,
  type Responsibility,
  type ResponsibilityRule,
  resolveResponsibility,
  whoIsResponsible,
} from './responsibility-list.ts';

/** Builds the organization capability; its instance owns the app's division index and caches. */
export function createOrgCapability(): Capability<OrgServices> {
  return {
    name: 'org',
    migrations: orgMigrations,
    create({ kernel }) {
      const locator = new DivisionLocator(kernel.db);
      const publicDivisions = new PublicDivisionsCache(kernel.db);
      const responsibility = new ResponsibilityCache();
      const unsubscribers: Array<() => void> = [];
      const services: OrgServices = {
        locate: (lat, lon) => locator.locate(lat, lon),
        divisions: () => locator.index,
        reloadDivisions: async () => {
          publicDivisions.forget();
          await locator.reload();
        },
        publicDivisions: (level) => publicDivisions.get(level),
        resolveResponsibility: (db, categoryCode, divisionCode, listVersion) =>
          resolveResponsibility(
            db,
            categoryCode,
            divisionCode,
            listVersion === undefined
              ? { modules: kernel.modules }
              : { modules: kernel.modules, cached: { listVersion, cache: responsibility } },
          ),
      };
      return {
        services,
        routes(app) {
          registerDivisionRoutes(app, kernel, { locator, publicDivisions });
          registerDepartmentRoutes(app, kernel);
          registerResponsibilityRoutes(app, kernel, locator);
          registerModuleRoutes(app, kernel);
        },
        async start() {
          await ensurePlateDepartments(kernel.db, kernel.modules, systemActor(kernel.clock.now()));
          await locator.reload();
          // Any node's division change (the bus spans nodes with NATS) rebuilds this node's index.
          unsubscribers.push(
            orgEvents.subscribe(kernel.bus, DIVISIONS_CHANGED, () => services.reloadDivisions()),
          );
        },
        stop() {
          for (const u of unsubscribers.splice(0)) u();
        },
      };
    },
  };
}

/** The organization capability. */
export const orgCapability: Capability<OrgServices> = createOrgCapability();
