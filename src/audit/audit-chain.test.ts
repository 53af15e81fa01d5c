import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { type Backend, closeTestStorage, openTestStorage, testBackends } from '../../test/support/storage.ts';
import { type Db, migrateToLatest, type Storage } from '../kernel/index.ts';
import {
  appendAudit,
  auditHead,
  auditMigrations,
  canonicalJson,
  digestOf,
  GENESIS_HASH,
  hashRecord,
  verifyAuditChain,
} from './index.ts';

const at = new Date('2026-03-02T01:00:00Z');
const entry = (i: number) => ({
  actor: `user${i % 3}`,
  action: 'thing.change',
  objectType: 'thing',
  objectId: `t${i}`,
  requestId: `req-${i}`,
  before: { n: i },
  after: { n: i + 1 },
  at: new Date(at.getTime() + i * 1000),
});

/** Tampering needs the append-only trigger out of the way, as an attacker with owner rights would. */
async function tamper(db: Db, statement: ReturnType<typeof sql>) {
  await sql`alter table audit_record disable trigger user`.execute(db);
  await statement.execute(db);
  await sql`alter table audit_record enable trigger user`.execute(db);
}

for (const backend of testBackends() as Backend[]) {
  describe(`audit chain (${backend})`, () => {
    let storage: Storage & { schema?: string };
    let db: Db;
    before(async () => {
      storage = await openTestStorage(backend);
      db = storage.db;
      await migrateToLatest(db, [auditMigrations]);
    });
    after(() => closeTestStorage(storage));

    const reset = async (n: number) => {
      await tamper(db, sql`delete from audit_record`);
      for (let i = 1; i <= n; i++) await appendAudit(db, entry(i));
    };

    test('an empty chain verifies, with no head', async () => {
      assert.deepEqual(await verifyAuditChain(db), { ok: true, count: 0, head: null });
      assert.equal(await auditHead(db), null);
    });

    test('appended records link to each other and verify', async () => {
      await reset(5);
      const rows = await db.selectFrom('audit_record').selectAll().orderBy('seq').execute();
      assert.deepEqual(
        rows.map((r) => Number(r.seq)),
        [1, 2, 3, 4, 5],
      );
      assert.equal(rows[0].prev_hash, GENESIS_HASH);
      for (let i = 1; i < rows.length; i++) assert.equal(rows[i].prev_hash, rows[i - 1].hash);
      assert.equal(rows[0].before_digest, digestOf({ n: 1 }));
      const result = await verifyAuditChain(db);
      assert.deepEqual(result, { ok: true, count: 5, head: { seq: 5, hash: rows[4].hash } });
    });

    test('the database refuses updates and deletes of audit records', async () => {
      await reset(2);
      await assert.rejects(sql`update audit_record set actor = 'x' where seq = 1`.execute(db), /append-only/);
      await assert.rejects(sql`delete from audit_record where seq = 2`.execute(db), /append-only/);
      assert.equal((await verifyAuditChain(db)).ok, true);
    });

    test('an edited row is named', async () => {
      await reset(6);
      await tamper(db, sql`update audit_record set actor = 'mallory' where seq = 4`);
      const result = await verifyAuditChain(db);
      assert.equal(result.ok, false);
      assert.equal(!result.ok && result.firstBadSeq, 4);
      assert.match(!result.ok ? result.reason : '', /does not match its hash/);
    });

    test('an edited row whose hash was recomputed still breaks the next link', async () => {
      await reset(6);
      const row = await db
        .selectFrom('audit_record')
        .selectAll()
        .where('seq', '=', 3)
        .executeTakeFirstOrThrow();
      const forged = hashRecord({
        seq: 3,
        at: new Date(row.at),
        actor: 'mallory',
        action: row.action,
        objectType: row.object_type,
        objectId: row.object_id,
        requestId: row.request_id,
        beforeDigest: row.before_digest,
        afterDigest: row.after_digest,
        prevHash: row.prev_hash,
      });
      await tamper(db, sql`update audit_record set actor = 'mallory', hash = ${forged} where seq = 3`);
      const result = await verifyAuditChain(db);
      assert.equal(!result.ok && result.firstBadSeq, 4);
      assert.match(!result.ok ? result.reason : '', /does not link/);
    });

    test('a deleted row is named', async () => {
      await reset(6);
      await tamper(db, sql`delete from audit_record where seq = 3`);
      const result = await verifyAuditChain(db);
      assert.equal(!result.ok && result.firstBadSeq, 3);
      assert.match(!result.ok ? result.reason : '', /missing/);
    });

    test('deleting the newest rows is caught against an anchored head', async () => {
      await reset(6);
      const head = (await auditHead(db))!;
      await tamper(db, sql`delete from audit_record where seq >= 5`);
      assert.equal((await verifyAuditChain(db)).ok, true, 'without an anchor a truncated tail looks intact');
      const result = await verifyAuditChain(db, { anchor: { seq: head.seq, hash: head.hash } });
      assert.equal(!result.ok && result.firstBadSeq, 6);
    });

    test('swapped (reordered) rows are named', async () => {
      await reset(6);
      await tamper(db, sql`update audit_record set seq = -2 where seq = 2`);
      await tamper(db, sql`update audit_record set seq = 2 where seq = 5`);
      await tamper(db, sql`update audit_record set seq = 5 where seq = -2`);
      const result = await verifyAuditChain(db);
      assert.equal(!result.ok && result.firstBadSeq, 2);
    });

    test('a row inserted in the middle is named', async () => {
      await reset(6);
      await tamper(db, sql`update audit_record set seq = seq + 1000 where seq >= 4`);
      await tamper(db, sql`update audit_record set seq = seq - 999 where seq >= 1000`);
      const prev = await db
        .selectFrom('audit_record')
        .select('hash')
        .where('seq', '=', 3)
        .executeTakeFirstOrThrow();
      const forged = {
        seq: 4,
        at: new Date('2026-03-02T01:00:03.500Z'),
        actor: 'mallory',
        action: 'thing.change',
        objectType: 'thing',
        objectId: 'forged',
        requestId: null,
        beforeDigest: null,
        afterDigest: null,
        prevHash: prev.hash,
      };
      await sql`insert into audit_record (seq, at, actor, action, object_type, object_id, prev_hash, hash)
        values (4, ${forged.at}, 'mallory', 'thing.change', 'thing', 'forged', ${prev.hash}, ${hashRecord(forged)})`.execute(
        db,
      );
      const result = await verifyAuditChain(db);
      assert.equal(
        !result.ok && result.firstBadSeq,
        5,
        'the forged row links back, but the next one does not',
      );
    });

    test('a row appended directly with a made-up hash is named', async () => {
      await reset(3);
      await sql`insert into audit_record (seq, at, actor, action, object_type, object_id, prev_hash, hash)
        values (4, now(), 'mallory', 'x', 'thing', 't', ${'f'.repeat(64)}, ${'e'.repeat(64)})`.execute(db);
      const result = await verifyAuditChain(db);
      assert.equal(!result.ok && result.firstBadSeq, 4);
    });

    test('concurrent appends from many transactions form one unbroken chain', async () => {
      await reset(0);
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          db.transaction().execute(async (trx) => {
            await appendAudit(trx, entry(i));
          }),
        ),
      );
      const result = await verifyAuditChain(db, { batchSize: 7 });
      assert.deepEqual(result.ok && result.count, 20);
    });

    test('a rolled-back change leaves no record and no gap', async () => {
      await reset(2);
      await assert.rejects(
        db.transaction().execute(async (trx) => {
          await appendAudit(trx, entry(3));
          throw new Error('the change failed');
        }),
      );
      await appendAudit(db, entry(4));
      const result = await verifyAuditChain(db);
      assert.deepEqual(result.ok && result.count, 3);
    });

    test('bad entries are refused', async () => {
      await assert.rejects(appendAudit(db, { ...entry(1), actor: '' }), /actor/);
      await assert.rejects(appendAudit(db, { ...entry(1), at: new Date('nope') }), /at must be/);
    });
  });
}

test('canonical JSON sorts keys at every depth and drops undefined', () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } }),
    '{"a":{"d":[1,{"y":2,"z":1}]},"b":1}',
  );
  assert.equal(digestOf({ a: 1, b: 2 }), digestOf({ b: 2, a: 1 }));
  assert.equal(digestOf(undefined), null);
});
