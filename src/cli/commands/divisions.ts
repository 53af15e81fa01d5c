import { readFile, writeFile } from 'node:fs/promises';
import { buildApp } from '../../app.ts';
import { systemActor } from '../../identity/index.ts';
import { createLogger, DomainError, loadConfig } from '../../kernel/index.ts';
import { exportDivisions, importDivisions } from '../../org/index.ts';
import { CliError, type CliCommand, ProgressBar } from '../cli-kit.ts';

/** Prints a domain error with the problems it lists, and turns it into a one-line CLI failure. */
function explain(err: unknown): never {
  if (err instanceof DomainError) {
    const problems = (err.details?.problems ?? []) as Array<{
      featureIndex: number;
      divisionCode?: string;
      problem: string;
    }>;
    if (problems.length > 1)
      for (const p of problems.slice(0, 20))
        process.stderr.write(
          `  feature ${p.featureIndex}${p.divisionCode ? ` (${p.divisionCode})` : ''}: ${p.problem}\n`,
        );
    if (problems.length > 20) process.stderr.write(`  … and ${problems.length - 20} more\n`);
    throw new CliError(`${err.message} [${err.code}] Nothing was imported.`);
  }
  throw err;
}

/**
 * `onecity divisions import FILE` validates a GeoJSON FeatureCollection and writes it in one
 * transaction (all or nothing); `onecity divisions export [FILE]` writes every division.
 */
export const divisionsCommand: CliCommand = {
  name: 'divisions',
  usage: 'divisions import FILE | divisions export [FILE]',
  summary: 'Import (validated, all or nothing) or export the divisions as GeoJSON',
  async run(args) {
    const [sub, file] = args.positional;
    if (sub !== 'import' && sub !== 'export')
      throw new CliError(
        `unknown subcommand "${sub ?? ''}" (try: divisions import FILE, divisions export)`,
        2,
      );
    if (sub === 'import' && !file) throw new CliError('divisions import needs a FILE', 2);
    let collection: unknown;
    if (sub === 'import') {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        throw new CliError(`cannot read ${file}: ${(err as Error).message}`);
      }
      try {
        collection = JSON.parse(text);
      } catch (err) {
        throw new CliError(`${file} is not valid JSON: ${(err as Error).message}. Nothing was imported.`);
      }
    }
    const config = loadConfig();
    const built = await buildApp({
      config,
      logger: createLogger({ ...config, logLevel: 'warn' }),
      background: false,
    });
    try {
      const { kernel } = built;
      const actor = { ...systemActor(kernel.clock.now()), bus: kernel.bus };
      if (sub === 'export') {
        const fc = JSON.stringify(await exportDivisions(kernel.db, actor));
        if (file) {
          await writeFile(file, fc);
          process.stderr.write(`Wrote ${JSON.parse(fc).features.length} division(s) to ${file}.\n`);
        } else process.stdout.write(`${fc}\n`);
        return 0;
      }
      const total = Array.isArray((collection as { features?: unknown[] })?.features)
        ? (collection as { features: unknown[] }).features.length
        : 0;
      const bar = new ProgressBar('Importing divisions', total);
      const report = await importDivisions(kernel.db, collection, actor, {
        onProgress: () => bar.tick(),
      }).catch(explain);
      bar.finish(
        `Imported ${report.total} division(s): ${report.created} created, ${report.updated} updated, ${report.unchanged} unchanged`,
      );
      return 0;
    } finally {
      await built.close();
    }
  },
};
