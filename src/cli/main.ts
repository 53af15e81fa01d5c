/**
 * The `onecity` command line. Each command lives in its own file under `commands/` and is
 * listed here; every command answers `--help`, and failures exit non-zero with one line.
 */
import { type CliCommand, CliError, parseArgs, renderHelp } from './cli-kit.ts';
import { auditCommand } from './commands/audit.ts';
import { backupCommand } from './commands/backup.ts';
import { divisionsCommand } from './commands/divisions.ts';
import { migrateCommand } from './commands/migrate.ts';
import { modulesCommand } from './commands/modules.ts';
import { restoreCommand } from './commands/restore.ts';
import { seedCommand } from './commands/seed.ts';
import { simulateCommand } from './commands/simulate.ts';
import { startCommand } from './commands/start.ts';

export const commands: readonly CliCommand[] = [
  startCommand,
  migrateCommand,
  modulesCommand,
  auditCommand,
  backupCommand,
  restoreCommand,
  seedCommand,
  divisionsCommand,
  simulateCommand,
];

const USAGE = `onecity — the "1 + N" urban smart governance platform

Usage: onecity <command> [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(16)}${c.summary}`).join('\n')}

Run "onecity <command> --help" for a command's options.
Configuration comes from environment variables and onecity.config.json (see README).`;

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return name ? 0 : 1;
  }
  if (name === '--version' || name === '-v') {
    const { VERSION } = await import('../app.ts');
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`onecity: unknown command "${name}". Run "onecity --help".\n`);
    return 2;
  }
  try {
    const args = parseArgs(rest, command);
    if (args.flags.help) {
      process.stdout.write(`${renderHelp(command)}\n`);
      return 0;
    }
    return await command.run(args);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`onecity ${name}: ${message.split('\n')[0]}\n`);
    return err instanceof CliError ? err.exitCode : 1;
  }
}
