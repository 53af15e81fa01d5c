/**
 * The enabled plates as the administration sees them: each module with its case
 * categories and their effective time limits per urgency (a minor class inherits its major
 * class's limits). Read from the module registry; nothing is stored.
 */
import { authorize, type Principal } from '../identity/index.ts';
import {
  type CategoryKind,
  type DefaultResponsibility,
  type LocalizedText,
  type ModuleRegistry,
  type StageLimits,
  URGENCIES,
  type Urgency,
} from '../kernel/index.ts';

/** One category of a plate, with its effective limits. */
export interface CatalogCategory {
  code: string;
  name: LocalizedText;
  kind: CategoryKind;
  parent: string | null;
  defaultUrgency: Urgency;
  public: boolean;
  autoDispatch: boolean;
  defaultResponsibility: DefaultResponsibility | null;
  /** Effective stage limits per urgency (own or inherited); an urgency without limits is left out. */
  timeLimits: Partial<Record<Urgency, StageLimits>>;
}

/** One enabled plate. */
export interface CatalogModule {
  id: string;
  name: LocalizedText;
  description: LocalizedText | null;
  version: string;
  categories: CatalogCategory[];
}

/** Every enabled plate with its categories and time limits (needs `org.read`). */
export function moduleCatalog(registry: ModuleRegistry, principal: Principal): { modules: CatalogModule[] } {
  authorize(principal, 'org.read');
  return {
    modules: registry.modules.map((m) => ({
      id: m.id,
      name: m.name,
      description: m.description ?? null,
      version: m.version,
      categories: registry
        .categories()
        .filter((c) => c.moduleId === m.id)
        .map((c) => ({
          code: c.code,
          name: c.name,
          kind: c.kind,
          parent: c.parent ?? null,
          defaultUrgency: c.defaultUrgency ?? 'normal',
          public: c.public ?? Boolean(c.parent),
          autoDispatch: c.autoDispatch ?? false,
          defaultResponsibility: c.defaultResponsibility ?? null,
          timeLimits: Object.fromEntries(
            URGENCIES.flatMap((u) => {
              const limits = registry.stageLimits(c.code, u);
              return limits ? [[u, limits]] : [];
            }),
          ),
        })),
    })),
  };
}
