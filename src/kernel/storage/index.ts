export { takeCommitOrderLock } from './commit-order.ts';
export { DataDirLockedError, lockDataDir, makeScratchDir } from './data-dir-lock.ts';
export type { Database, DefaultedJson, DefaultedTimestamp, Json, Timestamp } from './database.ts';
export {
  type Migration,
  type MigrationReport,
  type MigrationSet,
  migrateToLatest,
  pendingMigrations,
} from './migrations.ts';
export { type MaintenanceOutcome, type MaintenanceReport, maintainTables } from './embedded-maintenance.ts';
export { arrayFromJson, rowsFromJson, wholeRowJson } from './json-rows.ts';
export {
  type Db,
  type EmbeddedFiles,
  type OpenStorageOptions,
  openStorage,
  type Storage,
  type StorageKind,
} from './storage.ts';
