/** Small, dependency-free building blocks for CLI commands: arguments, help, progress. */

export interface CliOption {
  name: string;
  description: string;
  /** Takes a value (`--seed 7`) rather than being a switch. */
  value?: string;
  default?: string;
}

export interface ParsedArgs {
  positional: string[];
  flags: Record<string, string | boolean>;
}

export interface CliCommand {
  name: string;
  summary: string;
  usage?: string;
  options?: readonly CliOption[];
  run(args: ParsedArgs): Promise<number>;
}

/** An expected failure: printed as one line, exits with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Parses `--name value`, `--name=value`, `--switch` and positionals; rejects unknown options. */
export function parseArgs(argv: readonly string[], command: CliCommand): ParsedArgs {
  const known = new Map((command.options ?? []).map((o) => [o.name, o]));
  const flags: Record<string, string | boolean> = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') {
      flags.help = true;
      continue;
    }
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const [rawName, inline] = a.slice(2).split('=', 2);
    const opt = known.get(rawName);
    if (!opt) throw new CliError(`unknown option --${rawName} (see --help)`, 2);
    if (opt.value) {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith('--'))
        throw new CliError(`--${rawName} needs a value <${opt.value}>`, 2);
      flags[rawName] = v;
    } else {
      flags[rawName] = true;
    }
  }
  for (const o of command.options ?? [])
    if (o.default !== undefined && flags[o.name] === undefined) flags[o.name] = o.default;
  return { positional, flags };
}

export function renderHelp(command: CliCommand): string {
  const lines = [`Usage: onecity ${command.usage ?? command.name}`, '', command.summary];
  const options = [...(command.options ?? []), { name: 'help', description: 'Show this help' }];
  lines.push('', 'Options:');
  for (const o of options) {
    const left = `--${o.name}${'value' in o && o.value ? ` <${o.value}>` : ''}`;
    const def = 'default' in o && o.default !== undefined ? ` (default ${o.default})` : '';
    lines.push(`  ${left.padEnd(24)}${o.description}${def}`);
  }
  return lines.join('\n');
}

/** Reads an integer option or fails with a clear message. */
export function intFlag(args: ParsedArgs, name: string, min: number, max: number): number | undefined {
  const v = args.flags[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new CliError(`--${name} must be an integer from ${min} to ${max} (got ${JSON.stringify(v)})`, 2);
  return n;
}

/**
 * A progress bar on stderr for work that takes more than a second. Draws only on a
 * terminal, and only after the first second; elsewhere it prints a final summary line.
 */
export class ProgressBar {
  #done = 0;
  #started = Date.now();
  #lastDraw = 0;
  #drawn = false;
  constructor(
    readonly label: string,
    readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  tick(n = 1) {
    this.#done = Math.min(this.total, this.#done + n);
    const now = Date.now();
    if (!this.stream.isTTY || now - this.#started < 1000 || now - this.#lastDraw < 100) return;
    this.#lastDraw = now;
    this.#drawn = true;
    const width = 30;
    const ratio = this.total === 0 ? 1 : this.#done / this.total;
    const filled = Math.round(ratio * width);
    this.stream.write(
      `\r${this.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${this.#done}/${this.total} ${(ratio * 100).toFixed(0)}%`,
    );
  }

  finish(summary?: string) {
    this.#done = this.total;
    const secs = ((Date.now() - this.#started) / 1000).toFixed(1);
    if (this.#drawn) this.stream.write('\r\x1b[2K');
    this.stream.write(`${summary ?? `${this.label}: ${this.total} done`} in ${secs}s\n`);
  }
}
