/**
 * Operations: backup and restore of the embedded database and uploads, and the Prometheus
 * metrics an operator watches (docs/operations.md). Other folders import only from here.
 */
import { CASES } from '../cases/index.ts';
import { DATAHUB } from '../datahub/index.ts';
import { type Capability, capabilitySettings } from '../kernel/index.ts';
import { uploadLocation } from './backup.ts';
import { registerBackupRoutes } from './backup-routes.ts';
import { PlatformMetrics } from './metrics.ts';
import { registerMetricsRoutes } from './metrics-routes.ts';
import { OPERATIONS_SETTING_KEYS, operationsSettingsFromEnv } from './operations-settings.ts';

export { type BackupManifest, CHECKSUMS_NAME, MANIFEST_NAME, saveStream } from './backup-archive.ts';
export {
  type BackupSource,
  createBackup,
  type RestoreReport,
  type RestoreTarget,
  restoreBackup,
  type UploadLocation,
  uploadLocation,
} from './backup.ts';
export { HttpFigures, type MetricsSources, PlatformMetrics } from './metrics.ts';
export {
  OPERATIONS_SETTING_KEYS,
  type OperationsSettings,
  operationsSettingsFromEnv,
} from './operations-settings.ts';

/** The operations capability: the live backup endpoint and `/metrics`. */
export function createOperationsCapability(options: { version: string }): Capability {
  return {
    name: 'operations',
    // Their figures go into /metrics when the app has them.
    optionalDependencies: ['cases', 'datahub'],
    settingKeys: OPERATIONS_SETTING_KEYS,
    create({ kernel, find }) {
      const settings = operationsSettingsFromEnv(capabilitySettings(kernel.config));
      const cases = find(CASES);
      const datahub = find(DATAHUB);
      return {
        routes(app) {
          const metrics = new PlatformMetrics(kernel, options.version, settings.metricsCacheSeconds * 1000, {
            liveStreamsOpen: cases?.liveStreamsOpen,
            ingestion: datahub?.ingestionFigures,
          });
          registerBackupRoutes(app, kernel, {
            version: options.version,
            uploads: () => uploadLocation(kernel.config),
          });
          app.addHook('onClose', async () => metrics.close());
          registerMetricsRoutes(app, metrics, settings.metricsToken);
        },
      };
    },
  };
}
