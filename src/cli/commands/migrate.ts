import { buildApp } from '../../app.ts';
import { createLogger, loadConfig } from '../../kernel/index.ts';
import type { CliCommand } from '../cli-kit.ts';

/** `onecity migrate`: applies pending migrations and exits. */
export const migrateCommand: CliCommand = {
  name: 'migrate',
  summary: 'Apply pending database migrations (PGlite in DATA_DIR, or DATABASE_URL)',
  async run() {
    const config = loadConfig();
    const logger = createLogger({ ...config, logLevel: 'warn' });
    const built = await buildApp({ config, logger, migrate: false, background: false });
    try {
      const applied = await built.migrate();
      process.stdout.write(
        applied.length
          ? `Applied ${applied.length} migration(s):\n${applied.map((m) => `  ${m}`).join('\n')}\n`
          : 'Database is up to date.\n',
      );
      return 0;
    } finally {
      await built.close();
    }
  },
};
