import { defaultModulesDir, loadConfig, loadModules } from '../../kernel/index.ts';
import type { CliCommand } from '../cli-kit.ts';

/** `onecity modules list`: the plates, validated as at boot. */
export const modulesCommand: CliCommand = {
  name: 'modules',
  usage: 'modules list [--json]',
  summary: 'List the domain plates (the "N") with their categories, sensor types and rules',
  options: [{ name: 'json', description: 'Print JSON instead of a table' }],
  async run(args) {
    const [sub = 'list'] = args.positional;
    if (sub !== 'list') throw new Error(`unknown subcommand "${sub}" (try: modules list)`);
    const config = loadConfig();
    const registry = await loadModules(defaultModulesDir, config.modules);
    const rows = registry.modules.map((m) => ({
      id: m.id,
      version: m.version,
      name: m.name,
      departments: m.departments?.length ?? 0,
      categories: m.categories?.length ?? 0,
      sensorTypes: m.sensorTypes?.length ?? 0,
      rules: m.rules?.length ?? 0,
    }));
    if (args.flags.json) {
      process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      return 0;
    }
    process.stdout.write(
      `${'id'.padEnd(20)}${'version'.padEnd(10)}${'categories'.padEnd(12)}${'sensors'.padEnd(9)}${'rules'.padEnd(7)}name\n`,
    );
    for (const r of rows)
      process.stdout.write(
        `${r.id.padEnd(20)}${r.version.padEnd(10)}${String(r.categories).padEnd(12)}${String(r.sensorTypes).padEnd(9)}${String(r.rules).padEnd(7)}${r.name['zh-CN']} / ${r.name.en}\n`,
      );
    return 0;
  },
};
