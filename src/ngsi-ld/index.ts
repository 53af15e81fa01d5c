/**
 * The NGSI-LD context broker (ETSI GS CIM 009 v1.6+): the interoperable face of the city's
 * data at `/ngsi-ld/v1/`. Devices, latest observations and cases appear as entities with
 * Smart Data Models types; clients create their own entities, query, subscribe and read
 * history. Other capabilities import only from here.
 */
import { sql } from 'kysely';
import { CASES } from '../cases/index.ts';
import {
  type Capability,
  capabilityKey,
  capabilitySettings,
  type Kernel,
  type ResolveAll,
} from '../kernel/index.ts';
import { EntityService } from './entity-service.ts';
import { ContextResolver } from './json-ld-context.ts';
import { ngsiLdErrorFormatter } from './ngsi-ld-errors.ts';
import { ngsiLdMigrations } from './ngsi-ld-migrations.ts';
import { registerNgsiLdRoutes } from './ngsi-ld-routes.ts';
import { loadNgsiLdSettings, NGSI_LD_SETTING_KEYS, type NgsiLdSettings } from './ngsi-ld-settings.ts';
import { PROJECTION_CONTEXTS, startProjections } from './projections.ts';
import { SubscriptionService } from './subscription-service.ts';
import { observedAttributeIriFor, TemporalService } from './temporal-service.ts';

export { CORE_CONTEXT_URL, CORE_CONTEXT_URLS, ContextResolver } from './json-ld-context.ts';
export { NGSI_LD_ERRORS, NgsiLdError } from './ngsi-ld-errors.ts';
export { ngsiLdMigrations } from './ngsi-ld-migrations.ts';
export { DEFAULT_NGSI_LD_SETTINGS, loadNgsiLdSettings, type NgsiLdSettings } from './ngsi-ld-settings.ts';
export { caseEntityId, deviceEntityId, observedEntityId, PROJECTION_CONTEXTS } from './projections.ts';

/** The broker's services in one app (tests and benchmarks reach them through `NGSI_LD`). */
export interface NgsiLdBroker {
  readonly settings: NgsiLdSettings;
  readonly resolver: ContextResolver;
  readonly entities: EntityService;
  readonly subscriptions: SubscriptionService;
  readonly temporal: TemporalService;
}

/** The key of the NGSI-LD capability's services: its broker. */
export const NGSI_LD = capabilityKey<NgsiLdBroker>('ngsi-ld');

/**
 * Builds the NGSI-LD capability; settings come from the app's config unless given, names of
 * notification endpoints are resolved by the system unless `resolve` is given (tests).
 * With the cases capability in the app, cases are projected as entities too.
 */
export function createNgsiLdCapability(
  options: { settings?: Partial<NgsiLdSettings>; resolve?: ResolveAll } = {},
): Capability<NgsiLdBroker> {
  return {
    name: 'ngsi-ld',
    optionalDependencies: ['cases'],
    settingKeys: NGSI_LD_SETTING_KEYS,
    migrations: ngsiLdMigrations,
    create({ kernel, find }) {
      const cases = find(CASES);
      const broker = buildBroker(kernel, options);
      let stopProjections: (() => Promise<void>) | null = null;
      return {
        services: broker,
        routes(app) {
          app.addErrorFormatter(ngsiLdErrorFormatter);
          registerNgsiLdRoutes(app, broker);
        },
        async start() {
          const hub = await sql<{
            t: string | null;
          }>`select to_regclass('datahub_observation')::text as t`.execute(kernel.db);
          broker.entities.setProjectionHistory(!hub.rows[0]?.t);
          await broker.subscriptions.start();
          stopProjections = await startProjections(kernel, broker.resolver, broker.entities, cases?.engine);
        },
        async stop() {
          const stopping = stopProjections;
          stopProjections = null;
          await stopping?.();
          await broker.subscriptions.stop();
        },
      };
    },
  };
}

/** One app's broker: its context resolver, entities, subscriptions and temporal services. */
function buildBroker(
  kernel: Kernel,
  options: { settings?: Partial<NgsiLdSettings>; resolve?: ResolveAll },
): NgsiLdBroker {
  const settings = loadNgsiLdSettings(capabilitySettings(kernel.config), options.settings);
  const resolver = new ContextResolver({
    contextDir: settings.contextDir,
    remoteHosts: settings.remoteContextHosts,
    remoteTimeoutMs: settings.remoteContextTimeoutMs,
    remoteMaxBytes: settings.remoteContextMaxBytes,
  });
  let subscriptions: SubscriptionService | null = null;
  const entities = new EntityService({
    db: kernel.db,
    clock: kernel.clock,
    history: settings.history,
    queryTimeoutMs: settings.queryTimeoutMs,
    // PGlite has one connection: one creation statement at a time, the rest group up.
    createConcurrency: kernel.storage.kind === 'pglite' ? 1 : 4,
    onChange: (changes) => subscriptions?.entitiesChanged(changes),
  });
  subscriptions = new SubscriptionService({
    kernel,
    resolver,
    entities,
    notificationTimeoutMs: settings.notificationTimeoutMs,
    allowPrivateEndpoints: settings.allowPrivateEndpoints,
    resolve: options.resolve,
  });
  let observedIri: ((p: string) => string) | null = null;
  const temporal = new TemporalService({
    db: kernel.db,
    clock: kernel.clock,
    queryTimeoutMs: settings.queryTimeoutMs,
    observedAttributeIri: (p) => observedIri?.(p) ?? p,
  });
  // The environment context is offline; resolving it is synchronous in effect.
  void resolver.resolve([PROJECTION_CONTEXTS.environment]).then((env) => {
    observedIri = observedAttributeIriFor(env);
  });
  return { settings, resolver, entities, subscriptions, temporal };
}

/** The NGSI-LD capability with settings from the environment. */
export const ngsiLdCapability: Capability<NgsiLdBroker> = createNgsiLdCapability();
