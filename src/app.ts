/**
 * The composition root: the kernel ("1") plus every core capability, assembled into one
 * Fastify app. Tests build it in-process; the CLI's `start` listens on a port.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { auditCapability, createAuditApiCapability } from './audit/index.ts';
import { casesCapability } from './cases/index.ts';
import { datahubCapability } from './datahub/index.ts';
import { identityCapability, requirePermission } from './identity/index.ts';
import { ngsiLdCapability } from './ngsi-ld/index.ts';
import { createOperationsCapability } from './operations/index.ts';
import { CORE_DEPARTMENT_CODES, orgCapability } from './org/index.ts';
import { participationCapability } from './participation/index.ts';
import { perceptionCapability } from './perception/index.ts';
import { webCapability } from './web/index.ts';
import {
  type Capability,
  type CapabilityHost,
  type CapabilityInstance,
  type CapabilityKey,
  type Clock,
  capabilityPlugin,
  checkCapabilityOrder,
  instantiateCapabilities,
  ConfigError,
  type Config,
  createHttpServer,
  createKernel,
  createLogger,
  type Kernel,
  kernelMigrations,
  type Logger,
  type MigrationSet,
  migrateToLatest,
  pendingMigrations,
  registerHealthRoutes,
  registerOpenApi,
  registerOpenApiRoutes,
  type Storage,
  scheduleJobPruning,
} from './kernel/index.ts';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/** The platform version (package.json). */
export const VERSION = pkg.version;

/**
 * Core capabilities, each after the ones it declares as dependencies (docs/architecture.md,
 * "Capabilities"). The auditors' API takes identity's permission guard from here, so the
 * audit chain stays below identity.
 */
export const coreCapabilities: readonly Capability[] = [
  auditCapability,
  identityCapability,
  createAuditApiCapability(requirePermission),
  orgCapability,
  casesCapability,
  participationCapability,
  datahubCapability,
  ngsiLdCapability,
  perceptionCapability,
  createOperationsCapability({ version: VERSION }),
  webCapability,
];

export interface BuildAppOptions {
  config: Config;
  logger?: Logger;
  clock?: Clock;
  /** Share an open storage (tests); otherwise opened from config. */
  storage?: Storage;
  /** Apply migrations while building (default true). */
  migrate?: boolean;
  /** Start background work: the scheduler's polling (default: config.schedulerEnabled). */
  background?: boolean;
  /** The capabilities of this app, each after its dependencies (default {@link coreCapabilities}). */
  capabilities?: readonly Capability[];
  modulesDir?: string;
}

export interface OneCityApp extends CapabilityHost {
  readonly app: FastifyInstance;
  /** Applies pending migrations and starts capabilities that were waiting for them. */
  migrate(): Promise<string[]>;
  /** Stops background work, closes the server, the bus and (if owned) the storage. */
  close(): Promise<void>;
}

/** Builds the whole platform. */
export async function buildApp(options: BuildAppOptions): Promise<OneCityApp> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config);
  const capabilities = options.capabilities ?? coreCapabilities;
  // Before anything is opened: a wrong list fails here with nothing to clean up.
  checkCapabilityOrder(capabilities);
  const declared = new Set(capabilities.flatMap((c) => c.settingKeys ?? []));
  for (const key of Object.keys(config.settings))
    if (!declared.has(key))
      throw new ConfigError(`settings.${key}`, 'is not a setting of any capability of this platform');
  const kernel = await createKernel({
    config,
    logger,
    clock: options.clock,
    storage: options.storage,
    modulesDir: options.modulesDir,
    coreDepartments: CORE_DEPARTMENT_CODES,
  });
  const migrationSets: MigrationSet[] = [kernelMigrations, ...capabilities.map((c) => c.migrations ?? {})];
  const { app, addErrorFormatter } = createHttpServer({
    logger,
    bodyLimitBytes: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    bodyMaxDepth: config.bodyMaxDepth,
  });

  // Filled once the kernel is up; a build that fails before has no instance to stop.
  let instances: ReadonlyMap<string, CapabilityInstance> = new Map();
  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= (async () => {
      // Storage closes (and the data directory's lock goes) even when a step before it fails.
      try {
        await kernel.scheduler.stop();
        await app.close();
        for (const instance of [...instances.values()].reverse()) await instance.stop?.();
      } finally {
        try {
          await kernel.bus.close();
        } finally {
          if (!options.storage) await kernel.storage.close();
        }
      }
    })();
    return closing;
  };

  let started = false;
  const start = async () => {
    if (started) return;
    started = true;
    await scheduleJobPruning({
      scheduler: kernel.scheduler,
      clock: kernel.clock,
      logger,
      retention: {
        doneDays: config.schedulerDoneRetentionDays,
        failedDays: config.schedulerFailedRetentionDays,
      },
    });
    for (const instance of instances.values()) await instance.start?.();
    if (options.background ?? config.schedulerEnabled) kernel.scheduler.start(config.schedulerPollMs);
  };
  const migrate = async () => {
    const report = await migrateToLatest(kernel.db, migrationSets);
    await start();
    return report.applied;
  };
  try {
    instances = await instantiateCapabilities(capabilities, kernel);
    app.decorate('kernel', kernel);
    app.decorate('addErrorFormatter', addErrorFormatter);
    await registerOpenApi(app, { version: VERSION });
    registerHealthRoutes(app, {
      ping: () => kernel.storage.ping(),
      pending: () => pendingMigrations(kernel.db, migrationSets),
    });
    registerOpenApiRoutes(app);
    for (const [name, instance] of instances) await app.register(capabilityPlugin(name, instance));
    if (options.migrate ?? true) await migrate();
    await app.ready();
  } catch (err) {
    // What was opened (the data directory's lock, connections, timers) must not outlive a
    // failed build: a process that cannot serve has to be able to exit.
    await close().catch((closeErr) => logger.warn({ err: closeErr }, 'cleanup after a failed start failed'));
    throw err;
  }
  const services = <S>(key: CapabilityKey<S>): S => {
    const instance = instances.get(key.name);
    if (!instance) throw new Error(`This app was built without the "${key.name}" capability.`);
    return instance.services as S;
  };
  return { app, kernel, services, hasCapability: (name) => instances.has(name), migrate, close };
}

declare module 'fastify' {
  interface FastifyInstance {
    kernel: Kernel;
    addErrorFormatter: ReturnType<typeof createHttpServer>['addErrorFormatter'];
  }
}
