/**
 * `npm run bench [name…]`: runs every `bench/*.bench.ts` (or the named ones), each in turn,
 * and prints a table; `--json` prints JSON. Figures go by hand into a dated section of
 * docs/benchmarks-log.md, with the machine, and the newest into docs/benchmarks.md.
 */
import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BenchResult } from './bench-kit.ts';

const args = process.argv.slice(2);
const json = args.includes('--json');
// A benchmark's child process (bench-kit's perEngineProcess): its parent prints the figures.
const quiet = args.includes('--quiet');
const only = args.filter((a) => !a.startsWith('--'));
const dir = import.meta.dirname;
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort();

const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const all: Array<BenchResult & { bench: string }> = [];
if (!quiet) console.error(`# OneCity benchmarks — ${new Date().toISOString()} — ${machine}`);
for (const file of files) {
  const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as {
    name?: string;
    run: () => Promise<BenchResult[]>;
  };
  const bench = mod.name ?? file.replace('.bench.ts', '');
  if (!quiet) console.error(`\n## ${bench}`);
  const results = await mod.run();
  for (const r of results) {
    all.push({ bench, ...r });
    if (quiet) continue;
    const ratio = r.ceiling
      ? ` (${((r.value / r.ceiling.value) * 100).toFixed(0)} % of ${r.ceiling.name} ${r.ceiling.value} ${r.unit})`
      : '';
    console.error(
      `${r.name}: ${r.value} ${r.unit}${ratio}${r.target ? ` — target ${r.target}` : ''}${r.notes ? ` — ${r.notes}` : ''}`,
    );
  }
}
if (json) console.log(JSON.stringify({ machine, date: new Date().toISOString(), results: all }, null, 2));
process.exit(0);
