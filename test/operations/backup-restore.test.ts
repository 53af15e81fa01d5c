/**
 * Backup and restore of the embedded database, end to end: a live backup from a running
 * server, the refusals while it runs, a restore into a fresh DATA_DIR that holds the same
 * cases, audit records and photos, and the refusals of a non-empty target and of damaged
 * or foreign archives. One PGlite on disk in this process, the others in `onecity` children.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { verifyAuditChain } from '../../src/audit/index.ts';
import { buildApp, type OneCityApp } from '../../src/app.ts';
import { CATEGORY } from '../../src/cases/testing.ts';
import { createUser, systemActor } from '../../src/identity/index.ts';
import { bearer, TEST_ADMIN_PASSWORD, TEST_PASSWORD } from '../../src/identity/testing.ts';
import { type Db, loadConfig, openStorage } from '../../src/kernel/index.ts';
import { ORG, seedDemoCity } from '../../src/org/index.ts';
import { FileSystemMediaStore } from '../../src/participation/index.ts';
import { pngWithMetadata } from '../participation/images.ts';
import { testLogger } from '../support/app.ts';
import { patience } from '../support/processes.ts';

const root = path.resolve(import.meta.dirname, '../..');
const onecity = (args: string[], dataDir: string) =>
  spawnSync(process.execPath, ['bin/onecity.mjs', ...args], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', DATA_DIR: dataDir },
    encoding: 'utf8',
    timeout: patience(300_000),
  });

/** Every row of the tables a restore must bring back, in a stable order, as JSON. */
async function contents(db: Db) {
  const rows = async (table: string, order: string) =>
    JSON.stringify(
      (await sql`select * from ${sql.table(table)} order by ${sql.ref(order)}`.execute(db)).rows,
    );
  return {
    cases: await rows('case_record', 'id'),
    history: await rows('case_history', 'id'),
    audit: await rows('audit_record', 'seq'),
  };
}

function pointInCity(locate: (lat: number, lon: number) => { grid?: unknown } | null) {
  for (let lat = 30.2; lat < 30.3; lat += 0.0031)
    for (let lon = 120.05; lon < 120.2; lon += 0.0029) if (locate(lat, lon)?.grid) return { lat, lon };
  throw new Error('no point inside the demo city');
}

describe('onecity backup and restore (embedded database)', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'onecity-backup-'));
  const liveDir = path.join(work, 'live');
  const restoredDir = path.join(work, 'restored');
  const archive = path.join(work, 'live-backup.tar.gz');
  let built: OneCityApp | null = null;
  let admin: { authorization: string };
  let snapshot: Awaited<ReturnType<typeof contents>>;
  let photo: { name: string; data: Buffer };

  before(async () => {
    const config = loadConfig({
      env: { DATA_DIR: liveDir, LOG_LEVEL: 'silent', ONECITY_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD },
      file: null,
    });
    built = await buildApp({ config, logger: testLogger(), background: false });
    const { app, kernel } = built;
    const { locate } = built.services(ORG);
    await seedDemoCity(built, { seed: 1, password: 'Demo-password-2026' });
    await createUser(
      kernel.db,
      { username: 'b.citizen', displayName: 'Citizen', password: TEST_PASSWORD, roles: ['citizen'] },
      systemActor(new Date()),
    );
    const login = async (username: string, password: string) => {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username, password },
      });
      assert.equal(res.statusCode, 200, res.body);
      return bearer(res.json().token);
    };
    admin = await login('admin', TEST_ADMIN_PASSWORD);
    const citizen = await login('b.citizen', TEST_PASSWORD);
    for (let i = 0; i < 3; i++) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/cases',
        headers: citizen,
        payload: {
          channel: 'app',
          category: CATEGORY,
          location: pointInCity(locate),
          description: `Rubbish by the bus stop (${i})`,
          reporter: { name: '张三丰', phone: '13812341234', consent: true },
        },
      });
      assert.equal(res.statusCode, 201, res.body);
    }
    const data = pngWithMetadata();
    const stored = await new FileSystemMediaStore(path.join(liveDir, 'uploads')).put(data, 'image/png');
    photo = { name: stored.name, data };
  });

  after(async () => {
    await built?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('serves a live backup to an admin only', async () => {
    const { app } = built!;
    const anonymous = await app.inject({ method: 'GET', url: '/api/v1/admin/backup' });
    assert.equal(anonymous.statusCode, 401);
    const res = await app.inject({ method: 'GET', url: '/api/v1/admin/backup', headers: admin });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['content-type'], 'application/gzip');
    assert.match(
      String(res.headers['content-disposition']),
      /attachment; filename="onecity-backup-\d{8}T\d{6}Z\.tar\.gz"/,
    );
    writeFileSync(archive, res.rawPayload);
    // The backup was audited before the copy, so the copy holds its own record.
    const audit = await app.inject({
      method: 'GET',
      url: '/api/v1/audit?action=backup.create',
      headers: admin,
    });
    assert.equal(audit.json().items.length, 1);
    snapshot = await contents(built!.kernel.db);
    const listing = spawnSync('tar', ['-tzf', archive], { encoding: 'utf8' });
    assert.equal(listing.status, 0, listing.stderr);
    const names = listing.stdout.trim().split('\n');
    assert.equal(names[0], 'onecity-backup.json');
    assert.equal(names.at(-1), 'onecity-backup.sha256');
    assert.ok(names.includes('pgdata/PG_VERSION'));
    assert.ok(names.includes(`uploads/${photo.name}`));
    assert.ok(!names.includes('pgdata/postmaster.pid'));
  });

  it('refuses a CLI backup or restore while the server holds DATA_DIR', () => {
    const backup = onecity(['backup', path.join(work, 'refused.tar.gz')], liveDir);
    assert.equal(backup.status, 1);
    assert.match(backup.stderr, new RegExp(`running OneCity server \\(pid ${process.pid}\\) holds DATA_DIR`));
    assert.match(backup.stderr, /GET \/api\/v1\/admin\/backup/);
    const restore = onecity(['restore', archive, '--force'], liveDir);
    assert.equal(restore.status, 1);
    assert.match(restore.stderr, /running OneCity server .* stop it before restoring/);
  });

  it('restores into an empty DATA_DIR: same cases, audit records and photos; the chain verifies', async () => {
    await built!.close();
    built = null;
    const restore = onecity(['restore', archive], restoredDir);
    assert.equal(restore.status, 0, restore.stderr);
    assert.match(restore.stdout, /3 case\(s\); audit chain intact/);
    const verify = onecity(['audit', 'verify'], restoredDir);
    assert.equal(verify.status, 0, verify.stderr);
    assert.match(verify.stdout, /Audit chain intact/);
    const storage = await openStorage({ dataDir: restoredDir, maintenanceSeconds: 0 });
    try {
      const now = await contents(storage.db);
      assert.equal(JSON.parse(now.cases).length, 3);
      assert.deepEqual(now, snapshot);
      assert.deepEqual(await verifyAuditChain(storage.db), {
        ok: true,
        count: JSON.parse(snapshot.audit).length,
        head: { seq: JSON.parse(snapshot.audit).at(-1).seq, hash: JSON.parse(snapshot.audit).at(-1).hash },
      });
    } finally {
      await storage.close();
    }
    assert.deepEqual(readFileSync(path.join(restoredDir, 'uploads', photo.name)), photo.data);
  });

  it('refuses to replace a DATA_DIR that holds data without --force', () => {
    const r = onecity(['restore', archive], restoredDir);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /pgdata and .*uploads already hold data: restore with --force/);
  });

  it('refuses damaged and foreign archives before touching the target', () => {
    const target = path.join(work, 'untouched');
    const bytes = readFileSync(archive);
    const flipped = Buffer.from(bytes);
    for (let i = 0; i < 64; i++) flipped[Math.floor(bytes.length / 2) + i] ^= 0xff;
    const cases: Array<[string, Buffer, RegExp]> = [
      ['flipped.tar.gz', flipped, /The archive is damaged/],
      ['truncated.tar.gz', bytes.subarray(0, Math.floor(bytes.length * 0.7)), /The archive is damaged/],
      [
        'plain.json',
        Buffer.from('{"format":"onecity-backup"}'),
        /Not a OneCity backup: it is not gzip-compressed/,
      ],
      ['other.gz', gzipSync(Buffer.alloc(4096, 7)), /Not a OneCity backup/],
    ];
    const tarred = spawnSync('tar', ['-czf', path.join(work, 'other.tar.gz'), '-C', root, 'package.json']);
    assert.equal(tarred.status, 0);
    for (const [name, data, message] of cases) {
      writeFileSync(path.join(work, name), data);
      const r = onecity(['restore', path.join(work, name)], target);
      assert.equal(r.status, 1, `${name}: ${r.stdout}`);
      assert.match(r.stderr, message, name);
      assert.match(r.stderr, /Nothing was restored/, name);
    }
    const other = onecity(['restore', path.join(work, 'other.tar.gz')], target);
    assert.equal(other.status, 1);
    assert.match(other.stderr, /Not a OneCity backup: its first entry is not onecity-backup.json/);
    const left = spawnSync('ls', ['-A', target], { encoding: 'utf8' });
    assert.equal(left.stdout.trim(), '', 'nothing written into the target');
  });

  it('refuses to back up a DATA_DIR that holds no database, and creates none', () => {
    const empty = path.join(work, 'empty');
    const r = onecity(['backup', path.join(work, 'empty.tar.gz')], empty);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /there is no embedded database in DATA_DIR/);
    assert.equal(spawnSync('ls', [empty]).status, 2, 'DATA_DIR not created');
  });

  it('backs up a stopped DATA_DIR from the command line, and --force restores it over existing data', () => {
    const offline = path.join(work, 'offline.tar.gz');
    const backup = onecity(['backup', offline], restoredDir);
    assert.equal(backup.status, 0, backup.stderr);
    const restore = onecity(['restore', offline, '--force'], liveDir);
    assert.equal(restore.status, 0, restore.stderr);
    // The offline backup audited itself too: one more record than the live one held.
    const records = JSON.parse(snapshot.audit).length;
    assert.match(
      restore.stdout,
      new RegExp(`3 case\\(s\\); audit chain intact, ${records + 1} record\\(s\\)`),
    );
    assert.deepEqual(readFileSync(path.join(liveDir, 'uploads', photo.name)), photo.data);
  });
});
