import { sql } from 'kysely';
import { auditHead, verifyAuditChain } from '../../audit/index.ts';
import { loadConfig, openStorage } from '../../kernel/index.ts';
import { CliError, type CliCommand } from '../cli-kit.ts';

const HASH = /^[0-9a-f]{64}$/;

function parseAnchor(value: string | boolean | undefined) {
  if (value === undefined || value === false) return undefined;
  const m = /^(\d+):([0-9a-f]{64})$/.exec(String(value));
  if (!m || !HASH.test(m[2]))
    throw new CliError('--anchor must be SEQ:HASH (as printed by "onecity audit head")', 2);
  return { seq: Number(m[1]), hash: m[2] };
}

/**
 * `onecity audit verify`: walks the hash chain and exits 0 when it is intact, 1 naming the
 * first broken record otherwise. `onecity audit head` prints the head for external anchoring.
 */
export const auditCommand: CliCommand = {
  name: 'audit',
  usage: 'audit verify [--anchor SEQ:HASH] [--json] | audit head [--json]',
  summary: 'Verify the hash-chained audit log, or print its head hash for anchoring',
  options: [
    {
      name: 'anchor',
      value: 'seq:hash',
      description: 'Also check the chain still holds this anchored record',
    },
    { name: 'json', description: 'Print JSON' },
  ],
  async run(args) {
    const [sub] = args.positional;
    if (sub !== 'verify' && sub !== 'head')
      throw new CliError(`unknown subcommand "${sub ?? ''}" (try: audit verify, audit head)`, 2);
    const anchor = parseAnchor(args.flags.anchor);
    const config = loadConfig();
    const storage = await openStorage({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      maintenanceSeconds: config.embeddedMaintenanceSeconds,
    });
    try {
      const table = await sql<{ t: string | null }>`select to_regclass('audit_record')::text as t`.execute(
        storage.db,
      );
      if (!table.rows[0]?.t)
        throw new CliError(`no audit log in ${storage.location} (run "onecity migrate")`);
      if (sub === 'head') {
        const head = await auditHead(storage.db);
        if (args.flags.json) process.stdout.write(`${JSON.stringify(head)}\n`);
        else process.stdout.write(head ? `${head.seq}:${head.hash}\n` : 'The audit log is empty.\n');
        return 0;
      }
      const result = await verifyAuditChain(storage.db, { anchor });
      if (args.flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      if (result.ok) {
        if (!args.flags.json)
          process.stdout.write(
            `Audit chain intact: ${result.count} record(s)${result.head ? `, head ${result.head.seq}:${result.head.hash}` : ''}.\n`,
          );
        return 0;
      }
      process.stderr.write(
        `Audit chain BROKEN at record ${result.firstBadSeq}: ${result.reason}. ${result.count} record(s) before it verified.\n`,
      );
      return 1;
    } finally {
      await storage.close();
    }
  },
};
