import path from 'node:path';
import { coreCapabilities } from '../../app.ts';
import { DataDirLockedError, kernelMigrations, loadConfig } from '../../kernel/index.ts';
import { restoreBackup, type UploadLocation, uploadLocation } from '../../operations/index.ts';
import { CliError, type CliCommand } from '../cli-kit.ts';

/** What became of the archive's uploads. */
function uploadsOutcome(archived: { included: boolean; note: string }, here: UploadLocation): string {
  if (!archived.included) return `not in the archive (${archived.note})`;
  if (!here.dir) return `in the archive but not restored: ${here.note}`;
  return `restored into ${here.dir}`;
}

/**
 * `onecity restore FILE [--force]`: restores a backup made by `onecity backup` or the live
 * endpoint into DATA_DIR (and UPLOAD_DIR), after checking the archive and the database in
 * it (its audit chain included). Refuses while a server runs on DATA_DIR, and refuses to
 * replace existing data without `--force`.
 */
export const restoreCommand: CliCommand = {
  name: 'restore',
  usage: 'restore FILE [--force]',
  summary: 'Restore a backup into DATA_DIR (server stopped; --force replaces existing data)',
  options: [{ name: 'force', description: 'Replace the database and uploads already in DATA_DIR' }],
  async run(args) {
    const [file] = args.positional;
    if (!file) throw new CliError('name the archive to restore: onecity restore FILE', 2);
    const config = loadConfig();
    if (config.databaseUrl)
      throw new CliError(
        'DATABASE_URL is set: restore PostgreSQL with pg_restore (docs/operations.md); this restores the embedded database',
      );
    const knownMigrations = new Set(
      [kernelMigrations, ...coreCapabilities.map((c) => c.migrations ?? {})].flatMap((set) =>
        Object.keys(set),
      ),
    );
    const dataDir = path.resolve(config.dataDir);
    try {
      const uploads = uploadLocation(config);
      const report = await restoreBackup(path.resolve(file), {
        dataDir,
        uploads,
        knownMigrations,
        force: args.flags.force === true,
      });
      const head = report.auditHead ? `, head ${report.auditHead.seq}:${report.auditHead.hash}` : '';
      process.stdout.write(
        `Restored the backup of ${report.manifest.createdAt} (OneCity ${report.manifest.onecityVersion}) into ${dataDir}: ` +
          `${report.cases} case(s); audit chain intact, ${report.auditRecords} record(s)${head}. ` +
          `Uploads: ${uploadsOutcome(report.manifest.uploads, uploads)}.\n`,
      );
      return 0;
    } catch (err) {
      if (err instanceof DataDirLockedError)
        throw new CliError(
          `a running OneCity server (pid ${err.pid}) holds DATA_DIR ${dataDir}: stop it before restoring`,
        );
      throw err;
    }
  },
};
