/**
 * The data hub: devices and datastreams, observation ingestion over HTTP and MQTT, the time
 * series with rollups and retention, and the demo sensors. Other capabilities import only
 * from here; the bus events and tables they may rely on are in docs/datahub.md.
 */
import type { Capability } from '../kernel/index.ts';
import { ORG } from '../org/index.ts';
import type { DatahubContext, LocatePoint } from './datahub-context.ts';
import { datahubEvents } from './datahub-events.ts';
import type { DatahubServices } from './datahub-services.ts';
import { datahubMigrations } from './datahub-migrations.ts';
import { registerDatahubRoutes } from './datahub-routes.ts';
import { DeviceCatalog } from './device-catalog.ts';
import { DEVICE_UPDATED, sweepOfflineDevices } from './devices.ts';
import { MAINTENANCE_EVERY_MS, MAINTENANCE_JOB, runMaintenance } from './maintenance.ts';
import { type MqttIngest, startMqttIngest } from './mqtt-ingest.ts';
import { ObservationWriter, type ObservationWriterOptions } from './observation-writer.ts';
import { sensorTypesOf } from './sensor-types.ts';

export type { LocatedDivisions, LocatePoint } from './datahub-context.ts';
export { DATAHUB, type DatahubServices } from './datahub-services.ts';
export { datahubMigrations } from './datahub-migrations.ts';
export { type DeadLetterView, listDeadLetters } from './dead-letters.ts';
export { DEVICE_KEY_PREFIX } from './device-key.ts';
export {
  DEMO_CITY_BBOX,
  type DemoObservationTotals,
  type DemoSensor,
  demoObservationStream,
  demoValue,
  hasDatahub,
  seedDemoSensors,
  simulateObservations,
} from './demo-sensors.ts';
export {
  DEVICE_DELETED,
  DEVICE_KEY_ROTATED,
  DEVICE_REGISTERED,
  DEVICE_STATUSES,
  DEVICE_UPDATED,
  type DatastreamView,
  type DeviceStatus,
  type DeviceView,
  deleteDevice,
  getDevice,
  type ListDevicesQuery,
  listDatastreams,
  listDevices,
  type RegisterDeviceInput,
  registerDevice,
  rotateDeviceKey,
  sweepOfflineDevices,
  type UpdateDeviceInput,
  updateDevice,
} from './devices.ts';
export {
  type DatahubEvent,
  type DatahubEventMap,
  type DeviceChanged,
  type DeviceKeyed,
  datahubEvents,
  type ObservationLatest,
  type ObservedValue,
} from './datahub-events.ts';
export { type IngestCaller, type IngestReport, ingestObservations, MAX_BATCH_ITEMS } from './ingestion.ts';
export { applyRetention, MAINTENANCE_JOB, rollupHours, runMaintenance } from './maintenance.ts';
export { OBSERVATION_TOPIC } from './mqtt-ingest.ts';
export { type ObservationQuery, type ObservationSeries, queryObservations } from './observation-query.ts';
export { OBSERVATION_LATEST } from './observation-writer.ts';

export interface DatahubOptions {
  /** Point → divisions; defaults to org's point lookup (`ORG` services' `locate`). */
  locate?: LocatePoint;
  /** MQTT client id of the persistent session (default `onecity-datahub`): one per consumer set. */
  mqttClientId?: string;
  /**
   * Parallel MQTT consumers sharing the subscription (default 1; client ids `<clientId>-<n>`).
   * Only with a broker that keeps shared subscriptions across its restarts (docs/datahub.md).
   */
  mqttConsumers?: number;
  /** How long the broker keeps the MQTT session while this node is away (default a week). */
  mqttSessionExpirySeconds?: number;
  /** Limits of the write coalescer. */
  writer?: Pick<ObservationWriterOptions, 'maxQueueRows' | 'maxBatchRows' | 'lingerMs'>;
}

/**
 * Builds the data hub capability. Without `locate` it places devices with org's point
 * lookup, so org is then a dependency.
 */
export function createDatahubCapability(options: DatahubOptions = {}): Capability<DatahubServices> {
  return {
    name: 'datahub',
    dependencies: options.locate ? [] : ['org'],
    migrations: datahubMigrations,
    create({ kernel, use }) {
      const locate = options.locate ?? use(ORG).locate;
      const sensorTypes = sensorTypesOf(kernel.modules);
      const hub: DatahubContext = { sensorTypes, locate, catalog: new DeviceCatalog(kernel.db, sensorTypes) };
      const writer = new ObservationWriter({
        db: kernel.db,
        clock: kernel.clock,
        logger: kernel.logger,
        hub,
        bus: kernel.bus,
        ...options.writer,
      });
      let mqtt: MqttIngest | null = null;
      let sweep: NodeJS.Timeout | null = null;
      return {
        services: {
          context: hub,
          writer,
          mqtt: () => mqtt,
          ingestionFigures: () => ({ stored: writer.stored, queued: writer.queued }),
          drain: () => writer.drain(),
        },
        routes(app) {
          registerDatahubRoutes(app, kernel, hub, () => writer);
          app.addHook('onClose', async () => {
            if (sweep) clearInterval(sweep);
            await mqtt?.stop();
            await writer.close();
          });
        },
        async start() {
          const { config, scheduler, clock, logger, bus } = kernel;

          scheduler.handle(MAINTENANCE_JOB, async (job, trx) => {
            const now = clock.now();
            const report = await runMaintenance(trx, now, config.observationRetentionDays);
            logger.info({ report }, 'datahub maintenance');
            // Alternating keys: this job is still pending inside its own transaction.
            const next = job.key === `${MAINTENANCE_JOB}:a` ? 'b' : 'a';
            await scheduler.schedule(
              {
                kind: MAINTENANCE_JOB,
                key: `${MAINTENANCE_JOB}:${next}`,
                runAt: new Date(now.getTime() + MAINTENANCE_EVERY_MS),
              },
              trx,
            );
          });
          await scheduler.schedule({
            kind: MAINTENANCE_JOB,
            key: `${MAINTENANCE_JOB}:a`,
            runAt: clock.now(),
          });

          if (config.schedulerEnabled) {
            const every = Math.min(60_000, Math.max(1_000, (config.deviceOfflineAfterSeconds * 1000) / 4));
            sweep = setInterval(() => {
              sweepOfflineDevices(kernel.db, hub, clock.now(), config.deviceOfflineAfterSeconds)
                .then(async (devices) => {
                  for (const device of devices)
                    await bus.publish(
                      datahubEvents.create(DEVICE_UPDATED, { device }, clock.now(), `device:${device.id}`),
                    );
                })
                .catch((err) => logger.warn({ err }, 'device liveness sweep failed'));
            }, every);
            sweep.unref();
          }

          if (config.mqttUrl)
            mqtt = startMqttIngest({
              url: config.mqttUrl,
              clientId: options.mqttClientId ?? 'onecity-datahub',
              consumers: options.mqttConsumers,
              sessionExpirySeconds: options.mqttSessionExpirySeconds,
              db: kernel.db,
              clock,
              logger,
              hub,
              writer,
              maxJsonDepth: config.bodyMaxDepth,
            });
        },
      };
    },
  };
}

/** The data hub with defaults. */
export const datahubCapability: Capability<DatahubServices> = createDatahubCapability();
