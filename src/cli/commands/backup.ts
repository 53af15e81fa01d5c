import { existsSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { SYSTEM_PRINCIPAL } from '../../identity/index.ts';
import { DataDirLockedError, loadConfig, openStorage } from '../../kernel/index.ts';
import { createBackup, saveStream, uploadLocation } from '../../operations/index.ts';
import { CliError, type CliCommand } from '../cli-kit.ts';

/**
 * `onecity backup [FILE]`: writes a backup of the embedded database in DATA_DIR and the
 * uploads while no server runs on it. A running server holds DATA_DIR, so the command
 * refuses and names the live endpoint; on PostgreSQL it points to pg_dump.
 */
export const backupCommand: CliCommand = {
  name: 'backup',
  usage: 'backup [FILE]',
  summary: 'Back up the embedded database in DATA_DIR and the uploads to a .tar.gz (server stopped)',
  async run(args) {
    const config = loadConfig();
    if (config.databaseUrl)
      throw new CliError(
        'DATABASE_URL is set: back PostgreSQL up with pg_dump, and UPLOAD_DIR with your file backup (docs/operations.md)',
      );
    const now = new Date();
    const file = path.resolve(
      args.positional[0] ??
        `onecity-backup-${now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, 'Z')}.tar.gz`,
    );
    if (existsSync(file)) throw new CliError(`${file} already exists: choose another name`);
    // Opening a DATA_DIR without a database would create an empty one.
    const dataDir = path.resolve(config.dataDir);
    if (!existsSync(path.join(dataDir, 'pgdata', 'PG_VERSION')))
      throw new CliError(`there is no embedded database in DATA_DIR ${dataDir}`);
    let storage: Awaited<ReturnType<typeof openStorage>>;
    try {
      storage = await openStorage({ dataDir: config.dataDir, maintenanceSeconds: 0 });
    } catch (err) {
      if (err instanceof DataDirLockedError)
        throw new CliError(
          `a running OneCity server (pid ${err.pid}) holds DATA_DIR ${dataDir}: ` +
            'download a live backup from it (GET /api/v1/admin/backup as an admin), or stop it and run this again',
        );
      throw err;
    }
    try {
      const migrated = await sql<{ t: string | null }>`select to_regclass('audit_record')::text as t`.execute(
        storage.db,
      );
      if (!migrated.rows[0]?.t)
        throw new CliError(`the database in ${dataDir} holds no OneCity tables (run "onecity migrate")`);
      const { VERSION } = await import('../../app.ts');
      const uploads = uploadLocation(config);
      const archive = await createBackup(
        { storage, uploads, version: VERSION },
        { principal: SYSTEM_PRINCIPAL, now },
      );
      await saveStream(archive, file);
      process.stdout.write(`Backup written to ${file} (uploads: ${uploads.note}).\n`);
      return 0;
    } finally {
      await storage.close();
    }
  },
};
