/**
 * Capabilities as Fastify plugins (docs/architecture.md, "Capabilities"): a capability is a
 * definition (name, declared dependencies, migrations, settings) whose `create` builds one
 * instance per app. The instance holds that app's state and hands its services to the
 * capabilities that declared it as a dependency; nothing lives at module level, so two apps
 * in one process share nothing.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Kernel } from './kernel.ts';
import type { MigrationSet } from './storage/index.ts';

/**
 * A typed name for the services a capability hands out: `use(CASES)` answers what the
 * cases capability's instance gave as `services`, typed.
 */
export interface CapabilityKey<Services> {
  readonly name: string;
  /** Never set: carries the services' type. */
  readonly __services?: Services;
}

/** The key of the capability named `name`, whose services are `Services`. */
export function capabilityKey<Services>(name: string): CapabilityKey<Services> {
  return Object.freeze({ name });
}

/**
 * A built app as functions outside it see it (seeding, simulation): its kernel and its
 * capabilities' services. `OneCityApp` is one.
 */
export interface CapabilityHost {
  readonly kernel: Kernel;
  /** The services of one of this app's capabilities; throws when the app was built without it. */
  services<S>(key: CapabilityKey<S>): S;
  /** Whether this app was built with the capability named `name`. */
  hasCapability(name: string): boolean;
}

/** What `create` gets: this app's kernel and the services of the declared dependencies. */
export interface CapabilityContext {
  readonly kernel: Kernel;
  /** The services of a capability listed in `dependencies`; throws for any other. */
  use<S>(key: CapabilityKey<S>): S;
  /**
   * The services of a capability listed in `optionalDependencies`, or undefined when this
   * app was built without it; throws for a capability not declared there.
   */
  find<S>(key: CapabilityKey<S>): S | undefined;
}

/** One app's instance of a capability: its state lives here, in closures over `create`. */
export interface CapabilityInstance<Services = unknown> {
  /** What dependents reach through `use`/`find`, and tests through `OneCityApp.services`. */
  readonly services?: Services;
  /** Registers HTTP routes (inside this capability's Fastify plugin). */
  routes?(app: FastifyInstance): Promise<void> | void;
  /** Wires event subscriptions and job handlers; called once after migrations. */
  start?(): Promise<void> | void;
  /** Releases what start() took (connections, timers). */
  stop?(): Promise<void> | void;
}

/**
 * A core capability (org, identity, cases, datahub…): its tables, its settings, what it
 * depends on, and how one app's instance of it is built. The composition root
 * (`src/app.ts`) lists them after their dependencies; capabilities never import each
 * other's internals.
 */
export interface Capability<Services = unknown> {
  readonly name: string;
  /** Capabilities whose services this one uses; each must come earlier in the list. */
  readonly dependencies?: readonly string[];
  /** Capabilities used when present; when present, each must come earlier in the list. */
  readonly optionalDependencies?: readonly string[];
  readonly migrations?: MigrationSet;
  /** Names of the settings it reads (environment or the config file's `settings`). */
  readonly settingKeys?: readonly string[];
  /** Builds this app's instance; called once per app, in list order, before any route. */
  create(context: CapabilityContext): CapabilityInstance<Services> | Promise<CapabilityInstance<Services>>;
}

/** A capability list that cannot be composed: a dependency missing, late, or a name twice. */
export class CapabilityOrderError extends Error {
  override readonly name = 'CapabilityOrderError';
}

/**
 * Checks that every declared dependency is listed before its dependent, and no name twice.
 * Runs before anything is opened, so a wrong list fails at build with nothing to clean up.
 */
export function checkCapabilityOrder(capabilities: readonly Capability[]): void {
  const seen = new Set<string>();
  const all = new Set(capabilities.map((c) => c.name));
  for (const c of capabilities) {
    if (seen.has(c.name)) throw new CapabilityOrderError(`Capability "${c.name}" is listed twice.`);
    for (const dep of c.dependencies ?? []) {
      if (seen.has(dep)) continue;
      throw new CapabilityOrderError(
        all.has(dep)
          ? `Capability "${c.name}" depends on "${dep}", which is listed after it: list "${dep}" first.`
          : `Capability "${c.name}" depends on "${dep}", which is not part of this app.`,
      );
    }
    for (const dep of c.optionalDependencies ?? [])
      if (all.has(dep) && !seen.has(dep))
        throw new CapabilityOrderError(
          `Capability "${c.name}" uses "${dep}", which is listed after it: list "${dep}" first.`,
        );
    seen.add(c.name);
  }
}

/** The instances of one app, by capability name, in list order. */
export type CapabilityInstances = ReadonlyMap<string, CapabilityInstance>;

/** Builds one app's instances in list order; each sees only its declared dependencies. */
export async function instantiateCapabilities(
  capabilities: readonly Capability[],
  kernel: Kernel,
): Promise<CapabilityInstances> {
  checkCapabilityOrder(capabilities);
  const instances = new Map<string, CapabilityInstance>();
  for (const c of capabilities) {
    const required = new Set(c.dependencies ?? []);
    const optional = new Set(c.optionalDependencies ?? []);
    const context: CapabilityContext = {
      kernel,
      use<S>(key: CapabilityKey<S>): S {
        if (!required.has(key.name))
          throw new CapabilityOrderError(
            `Capability "${c.name}" uses "${key.name}" without listing it in its dependencies.`,
          );
        return instances.get(key.name)?.services as S;
      },
      find<S>(key: CapabilityKey<S>): S | undefined {
        if (!optional.has(key.name) && !required.has(key.name))
          throw new CapabilityOrderError(
            `Capability "${c.name}" uses "${key.name}" without listing it in its dependencies.`,
          );
        return instances.get(key.name)?.services as S | undefined;
      },
    };
    instances.set(c.name, await c.create(context));
  }
  return instances;
}

/**
 * The Fastify plugin of one instance: its routes, registered on the app itself (Fastify's
 * documented `skip-override`, as `fastify-plugin` does) so its hooks and error formatters
 * apply app-wide, under the capability's name (`app.hasPlugin('cases')`).
 */
export function capabilityPlugin(name: string, instance: CapabilityInstance): FastifyPluginAsync {
  const plugin: FastifyPluginAsync = async (app) => {
    await instance.routes?.(app);
  };
  Object.assign(plugin, {
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: name,
  });
  return plugin;
}
