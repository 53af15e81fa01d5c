/**
 * Backup and restore of the embedded database (PGlite in DATA_DIR) and the uploads. A
 * backup is taken from an open storage, so it is the same path whether the server is
 * running (the admin endpoint) or stopped (`onecity backup` opens DATA_DIR itself); a
 * restore writes a DATA_DIR that no process holds. PostgreSQL has its own tools
 * (pg_dump / pg_restore, docs/operations.md).
 */
import { cp, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { sql } from 'kysely';
import { appendAudit, auditHead, verifyAuditChain } from '../audit/index.ts';
import { type Actor, authorize } from '../identity/index.ts';
import {
  type Config,
  ConflictError,
  capabilitySettings,
  InvalidInputError,
  lockDataDir,
  makeScratchDir,
  openStorage,
  type Storage,
} from '../kernel/index.ts';
import { participationSettingsFromEnv } from '../participation/index.ts';
import { type ArchiveEntry, type BackupManifest, readArchive, walk, writeArchive } from './backup-archive.ts';

/** Where uploaded photos live, or why a backup does not hold them. */
export interface UploadLocation {
  /** The upload directory, or null when photos are in an S3-compatible bucket. */
  dir: string | null;
  note: string;
}

/** The upload directory the platform writes to (`UPLOAD_DIR`, default `<DATA_DIR>/uploads`). */
export function uploadLocation(config: Config): UploadLocation {
  const settings = participationSettingsFromEnv(capabilitySettings(config));
  if (settings.uploadS3)
    return {
      dir: null,
      note: `photos are in the S3 bucket ${settings.uploadS3.bucket}, not in this archive: back the bucket up with the store's own tools`,
    };
  const dir = path.resolve(settings.uploadDir ?? path.join(config.dataDir, 'uploads'));
  return { dir, note: `photos and staff evidence from ${dir}` };
}

/** What a backup needs from the platform. */
export interface BackupSource {
  storage: Storage;
  uploads: UploadLocation;
  /** The OneCity version writing the backup. */
  version: string;
}

/**
 * Takes a consistent copy of the embedded database and returns the archive as a stream
 * (see backup-archive.ts). The database is still only while its files are copied to a
 * snapshot directory beside them (a checkpoint, then a file copy: statements wait that
 * long); the archive is then compressed from the snapshot, which is removed when the
 * stream ends or is destroyed. Uploads are read after the snapshot, so every photo a
 * backed-up row names is in the archive (they are written before the row, never changed).
 * The request is audited (`backup.create`) before the copy, so the backup holds its own record.
 */
export async function createBackup(source: BackupSource, actor: Actor): Promise<Readable> {
  authorize(actor.principal, 'backup.create');
  const files = source.storage.files;
  if (!files)
    throw new ConflictError(
      source.storage.kind === 'postgres'
        ? 'The database is PostgreSQL: back it up with pg_dump (docs/operations.md).'
        : 'The database is in memory: there is nothing on disk to back up.',
      'backup.not_embedded',
    );
  await source.storage.db.transaction().execute((trx) =>
    appendAudit(trx, {
      actor: actor.principal.username,
      action: 'backup.create',
      objectType: 'database',
      objectId: 'embedded',
      requestId: actor.requestId,
      after: { uploadsIncluded: source.uploads.dir !== null },
      at: actor.now,
    }),
  );
  const snapshot = await makeScratchDir(path.dirname(files.dir), 'backup');
  try {
    await files.whileStill(() => cp(files.dir, path.join(snapshot, 'pgdata'), { recursive: true }));
    const manifest: BackupManifest = {
      format: 'onecity-backup',
      formatVersion: 1,
      createdAt: actor.now.toISOString(),
      onecityVersion: source.version,
      engine: 'pglite',
      postgresVersion: (await readFile(path.join(snapshot, 'pgdata', 'PG_VERSION'), 'utf8')).trim(),
      uploads: { included: source.uploads.dir !== null, note: source.uploads.note },
    };
    return writeArchive(manifest, entries(snapshot, source.uploads.dir));
  } catch (err) {
    await rm(snapshot, { recursive: true, force: true });
    throw err;
  }
}

const SERVER_LOCK_FILES = new Set(['pgdata/postmaster.pid', 'pgdata/postmaster.opts']);

async function* entries(snapshot: string, uploadDir: string | null): AsyncGenerator<ArchiveEntry> {
  try {
    yield { name: 'pgdata', directory: true };
    // The running server's lock files: a restored cluster must start without them.
    for await (const entry of walk(path.join(snapshot, 'pgdata'), 'pgdata'))
      if (!SERVER_LOCK_FILES.has(entry.name)) yield entry;
    if (uploadDir && (await isDirectory(uploadDir))) {
      yield { name: 'uploads', directory: true };
      // A photo being written is a `.tmp` file until it is renamed into place.
      for await (const entry of walk(uploadDir, 'uploads')) if (!entry.name.endsWith('.tmp')) yield entry;
    }
  } finally {
    await rm(snapshot, { recursive: true, force: true });
  }
}

const isDirectory = (p: string) =>
  stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );

/** What `restoreBackup` needs to know of the target. */
export interface RestoreTarget {
  dataDir: string;
  uploads: UploadLocation;
  /** Every migration this version of the platform knows. */
  knownMigrations: ReadonlySet<string>;
  /** Replace a DATA_DIR that already holds a database or uploads. */
  force: boolean;
}

/** What a restore brought back. */
export interface RestoreReport {
  manifest: BackupManifest;
  auditRecords: number;
  auditHead: { seq: number; hash: string } | null;
  cases: number;
}

/**
 * Restores a backup into DATA_DIR. Holds the DATA_DIR lock throughout, so it refuses while
 * a server runs on it (`DataDirLockedError`) and no server can start on a half-restored
 * directory. Refuses a DATA_DIR that holds a database or uploads unless `force`
 * (`restore.target_not_empty`); refuses a damaged or foreign archive (`backup.damaged`,
 * `backup.foreign`), a database that does not open, one with migrations this version does
 * not know (`backup.newer_version`: downgrades are not supported) and one whose audit chain
 * does not verify (`backup.audit_broken`). All of it is checked on a copy unpacked beside the
 * target; the target is only touched once the copy passed.
 */
export async function restoreBackup(archive: string, target: RestoreTarget): Promise<RestoreReport> {
  await stat(archive).catch(() => {
    throw new InvalidInputError(`No such archive: ${archive}`, { archive }, 'backup.not_found');
  });
  const release = lockDataDir(target.dataDir);
  let staging: string | null = null;
  try {
    const occupied = await occupants(target);
    if (occupied.length && !target.force)
      throw new ConflictError(
        `${occupied.join(' and ')} already ${occupied.length > 1 ? 'hold' : 'holds'} data: restore with --force to replace it.`,
        'restore.target_not_empty',
        { occupied },
      );
    staging = await makeScratchDir(target.dataDir, 'restore');
    const manifest = await readArchive(archive, staging);
    const report = await checkRestored(staging, target.knownMigrations);
    const pgdata = path.join(target.dataDir, 'pgdata');
    await rm(pgdata, { recursive: true, force: true });
    await rename(path.join(staging, 'pgdata'), pgdata);
    // An archive with uploads brings back exactly its photos (none, if it has no uploads/).
    const stagedUploads = path.join(staging, 'uploads');
    if (target.uploads.dir && manifest.uploads.included) {
      await rm(target.uploads.dir, { recursive: true, force: true });
      if (await isDirectory(stagedUploads)) {
        await mkdir(path.dirname(target.uploads.dir), { recursive: true });
        await move(stagedUploads, target.uploads.dir);
      }
    }
    return { manifest, ...report };
  } finally {
    if (staging) await rm(staging, { recursive: true, force: true });
    release();
  }
}

/** What already lives where a restore would write: the database, the uploads. */
async function occupants(target: RestoreTarget): Promise<string[]> {
  const nonEmpty = async (dir: string) => (await readdir(dir).catch(() => [])).length > 0;
  const out: string[] = [];
  if (await nonEmpty(path.join(target.dataDir, 'pgdata'))) out.push(`${target.dataDir}/pgdata`);
  if (target.uploads.dir && (await nonEmpty(target.uploads.dir))) out.push(target.uploads.dir);
  return out;
}

/** Opens the unpacked database: it must start, be of a known schema and hold an intact chain. */
async function checkRestored(
  staging: string,
  knownMigrations: ReadonlySet<string>,
): Promise<Omit<RestoreReport, 'manifest'>> {
  let storage: Storage;
  try {
    storage = await openStorage({ dataDir: staging, maintenanceSeconds: 0 });
  } catch (err) {
    throw new InvalidInputError(
      `The archive's database does not open: ${(err as Error).message.split('\n')[0]}. Nothing was restored.`,
      {},
      'backup.damaged',
    );
  }
  try {
    const applied = await sql<{ name: string }>`select name from kysely_migration`
      .execute(storage.db)
      .then((r) => r.rows.map((row) => row.name))
      .catch(() => [] as string[]);
    if (!applied.length)
      throw new InvalidInputError(
        'The archive holds no OneCity database. Nothing was restored.',
        {},
        'backup.foreign',
      );
    const unknown = applied.filter((name) => !knownMigrations.has(name));
    if (unknown.length)
      throw new ConflictError(
        `The backup was made by a newer OneCity (migration ${unknown[0]} is unknown here): restore it with that version or later. Nothing was restored.`,
        'backup.newer_version',
        { unknown },
      );
    const audit = await verifyAuditChain(storage.db);
    if (!audit.ok)
      throw new ConflictError(
        `The backup's audit chain is broken at record ${audit.firstBadSeq}: ${audit.reason}. Nothing was restored.`,
        'backup.audit_broken',
        { firstBadSeq: audit.firstBadSeq },
      );
    const head = await auditHead(storage.db);
    const cases = await sql<{ n: number }>`select count(*)::int as n from case_record`
      .execute(storage.db)
      .then((r) => r.rows[0]?.n ?? 0)
      .catch(() => 0);
    return {
      auditRecords: audit.count,
      auditHead: head ? { seq: head.seq, hash: head.hash } : null,
      cases,
    };
  } finally {
    await storage.close();
  }
}

/** Renames, or copies then removes when source and target are on different file systems. */
async function move(from: string, to: string) {
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    await cp(from, to, { recursive: true });
    await rm(from, { recursive: true, force: true });
  }
}
