/**
 * Upgrading a database made before migration 0457: the events and milestones already there
 * get their case's place, district, category and channel (milestones also its lead
 * department), a capability's new migration applies after later capabilities' ones, and
 * from then on the trigger keeps the milestones' lead department equal to the case's.
 * Duplicate candidates written before 0459 get their candidate's number.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { auditCapability } from '../../src/audit/index.ts';
import { casesCapability } from '../../src/cases/index.ts';
import { identityCapability } from '../../src/identity/index.ts';
import {
  kernelMigrations,
  type MigrationSet,
  migrateToLatest,
  type Storage,
} from '../../src/kernel/index.ts';
import { orgCapability } from '../../src/org/index.ts';
import { participationCapability } from '../../src/participation/index.ts';
import { closeTestStorage, openTestStorage, testBackends } from '../support/storage.ts';

/** 0457 and the cases migrations after it (0458 replaces its trigger, 0459 copies candidates' numbers). */
const UPGRADE = [
  '0457-cases-indicator-reads',
  '0458-cases-lead-follow-per-statement',
  '0459-cases-duplicate-number',
];

for (const backend of testBackends()) {
  describe(`indicator columns on an upgraded database (${backend})`, () => {
    let storage: Storage & { schema?: string };
    before(async () => {
      storage = await openTestStorage(backend);
    });
    after(() => (storage ? closeTestStorage(storage) : undefined));

    it('backfills events and milestones from their cases, then follows changes of hands', async () => {
      const sets = (without: readonly string[]): MigrationSet[] =>
        [
          kernelMigrations,
          ...[
            identityCapability,
            auditCapability,
            orgCapability,
            casesCapability,
            participationCapability,
          ].map((c) => c.migrations ?? {}),
        ].map((set) => Object.fromEntries(Object.entries(set).filter(([name]) => !without.includes(name))));
      const before0457 = await migrateToLatest(storage.db, sets(UPGRADE));
      assert.ok(
        before0457.applied.some((n) => n.startsWith('05')),
        'a later range was applied first',
      );
      const db = storage.db;
      const now = new Date('2026-03-02T02:00:00Z');
      for (const [id, grid, district, lead] of [
        ['case-a', '33010200100101', '330102', 'dept-a'],
        ['case-b', null, '330106', null],
      ] as const)
        await db
          .insertInto('case_record')
          .values({
            id,
            number: `202603020000${id.at(-1) === 'a' ? 1 : 2}`,
            channel: id === 'case-a' ? 'app' : 'hotline',
            category: id === 'case-a' ? 'CM.E.01.01' : 'CM.E.02.01',
            urgency: 'normal',
            state: 'dispatched',
            lat: 30.25,
            lon: 120.1,
            grid_code: grid,
            district_code: district,
            description: 'before the upgrade',
            reported_by: 'test',
            lead_department: lead,
            reported_at: now,
            updated_at: now,
          })
          .execute();
      for (const [k, id] of ['case-a', 'case-b', 'case-a'].entries())
        await db
          .insertInto('case_event')
          .values({
            event_id: `ev-${k}`,
            case_id: id,
            type: 'case.dispatched',
            action: 'dispatch',
            to_state: 'dispatched',
            department: 'dept-a',
            body: '{}',
            occurred_at: now,
          })
          .execute();
      for (const [id, milestone] of [
        ['case-a', 'file'],
        ['case-a', 'dispatch'],
        ['case-b', 'file'],
      ] as const)
        await db
          .insertInto('case_timing')
          .values({ case_id: id, milestone, at: now, working_minutes: 5 })
          .execute();
      // The schema before candidate_number, which the typed table already has.
      await sql`insert into case_duplicate (case_id, candidate_id, distance_m)
        values ('case-b', 'case-a', 12.5)`.execute(db);

      assert.deepEqual((await migrateToLatest(storage.db, sets([]))).applied, UPGRADE);
      const duplicates =
        await sql`select case_id, candidate_id, candidate_number from case_duplicate`.execute(db);
      assert.deepEqual(duplicates.rows, [
        { case_id: 'case-b', candidate_id: 'case-a', candidate_number: '2026030200001' },
      ]);
      const events = await sql<Record<string, string | null>>`
        select case_id, place, district_code, category, channel from case_event order by event_id`.execute(
        db,
      );
      assert.deepEqual(events.rows, [
        {
          case_id: 'case-a',
          place: '33010200100101',
          district_code: '330102',
          category: 'CM.E.01.01',
          channel: 'app',
        },
        {
          case_id: 'case-b',
          place: '330106',
          district_code: '330106',
          category: 'CM.E.02.01',
          channel: 'hotline',
        },
        {
          case_id: 'case-a',
          place: '33010200100101',
          district_code: '330102',
          category: 'CM.E.01.01',
          channel: 'app',
        },
      ]);
      const leads = async () =>
        (
          await sql<{ case_id: string; milestone: string; lead_department: string | null; place: string }>`
            select case_id, milestone, lead_department, place from case_timing order by case_id, milestone`.execute(
            db,
          )
        ).rows;
      assert.deepEqual(await leads(), [
        { case_id: 'case-a', milestone: 'dispatch', lead_department: 'dept-a', place: '33010200100101' },
        { case_id: 'case-a', milestone: 'file', lead_department: 'dept-a', place: '33010200100101' },
        { case_id: 'case-b', milestone: 'file', lead_department: null, place: '330106' },
      ]);

      // A change of hands reaches the case's milestones, and only its own.
      await db
        .updateTable('case_record')
        .set({ lead_department: 'dept-b' })
        .where('id', '=', 'case-b')
        .execute();
      await db.updateTable('case_record').set({ lead_department: null }).where('id', '=', 'case-a').execute();
      await db
        .updateTable('case_record')
        .set({ description: 'unrelated change' })
        .where('id', '=', 'case-b')
        .execute();
      assert.deepEqual(
        (await leads()).map((r) => [r.case_id, r.lead_department]),
        [
          ['case-a', null],
          ['case-a', null],
          ['case-b', 'dept-b'],
        ],
      );
    });
  });
}
