/**
 * Operations: backup and restore of the embedded database and uploads, and the Prometheus
 * metrics an operator watches (docs/operations.md). Other folders import only from here.
 */
import type { Capability } from '../kernel/index.ts';
import { uploadLocation } from './backup.ts';
import { registerBackupRoutes } from './backup-routes.ts';

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

/** The operations capability: the live backup endpoint. */
export function createOperationsCapability(options: { version: string }): Capability {
  return {
    name: 'operations',
    routes(app, kernel) {
      registerBackupRoutes(app, kernel, {
        version: options.version,
        uploads: () => uploadLocation(kernel.config),
      });
    },
  };
}
