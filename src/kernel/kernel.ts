import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { type Clock, systemClock } from './clock.ts';
import { type Config, redactUrl } from './config.ts';
import { type EventBus, InProcessEventBus, type PlatformEvent } from './events/event-bus.ts';
import { loadModules, type ModuleRegistry } from './modules/index.ts';
import { createScheduler, type Scheduler, schedulerMigrations } from './scheduler/index.ts';
import { type Db, type MigrationSet, openStorage, type Storage } from './storage/index.ts';

/** The shared platform ("1") every capability and plate runs on. */
export interface Kernel {
  readonly config: Config;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly storage: Storage;
  readonly db: Db;
  readonly bus: EventBus;
  readonly scheduler: Scheduler;
  readonly modules: ModuleRegistry;
}

/** Kernel tables. */
export const kernelMigrations: MigrationSet = schedulerMigrations;

/** The folder of plates shipped with the platform. */
export const defaultModulesDir = fileURLToPath(new URL('../../modules/', import.meta.url));

export interface CreateKernelOptions {
  config: Config;
  logger: Logger;
  clock?: Clock;
  /** An already-open storage (tests share one per file); otherwise opened from config. */
  storage?: Storage;
  modulesDir?: string;
  /** Department codes the organization provides without a module. */
  coreDepartments?: readonly string[];
  /**
   * Builds the cross-node bus when NATS_URL is set; defaults to the JetStream bus
   * ({@link createNatsEventBus}). Tests pass their own to isolate the stream.
   */
  createNatsBus?: (
    url: string,
    logger: Logger,
    onError: (err: unknown, event: PlatformEvent) => void,
    names: NatsNames,
  ) => Promise<EventBus>;
}

/** Where a deployment keeps its events on a NATS server it may share (`NATS_STREAM`, `NATS_SUBJECT_PREFIX`). */
export interface NatsNames {
  streamName: string;
  subjectPrefix: string;
}

/** The JetStream bus, loaded only when NATS is configured so single-node starts stay lean. */
async function connectNatsBus(
  url: string,
  logger: Logger,
  onError: (err: unknown, event: PlatformEvent) => void,
  names: NatsNames,
): Promise<EventBus> {
  const { createNatsEventBus } = await import('./events/nats-event-bus.ts');
  let bus: EventBus;
  try {
    bus = await createNatsEventBus({ url, logger, onError, ...names });
  } catch (err) {
    throw new Error(`NATS_URL ${redactUrl(url)}: cannot start the event bus: ${(err as Error).message}`, {
      cause: err,
    });
  }
  logger.info(`event bus: NATS JetStream (stream ${names.streamName}, subjects ${names.subjectPrefix}.>)`);
  return bus;
}

/** Opens storage, loads and validates the plates, and creates the bus and scheduler. */
export async function createKernel(options: CreateKernelOptions): Promise<Kernel> {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  const modules = await loadModules(options.modulesDir ?? defaultModulesDir, config.modules, {
    coreDepartments: options.coreDepartments,
  });
  const storage =
    options.storage ??
    (await openStorage({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      preparedStatements: config.preparedStatements,
      maintenanceSeconds: config.embeddedMaintenanceSeconds,
      onMaintenance: ({ report, error }) => {
        if (error) logger.warn({ err: error }, 'embedded database maintenance failed');
        else if (report?.analyzed.length || report?.checkpointed)
          logger.debug(report, 'embedded database maintenance');
      },
    }));
  const onBusError = (err: unknown, event: PlatformEvent) =>
    logger.error({ err, eventType: event.type, eventId: event.id }, 'event handler failed');
  let bus: EventBus;
  try {
    bus = config.natsUrl
      ? await (options.createNatsBus ?? connectNatsBus)(config.natsUrl, logger, onBusError, {
          streamName: config.natsStream,
          subjectPrefix: config.natsSubjectPrefix,
        })
      : new InProcessEventBus(onBusError);
  } catch (err) {
    if (!options.storage) await storage.close();
    throw err;
  }
  const scheduler = createScheduler({ db: storage.db, clock, logger });
  return Object.freeze({ config, logger, clock, storage, db: storage.db, bus, scheduler, modules });
}
