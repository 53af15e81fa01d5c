import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { type Backend, closeTestStorage, openTestStorage, testBackends } from '../../test/support/storage.ts';
import type { Storage } from '../kernel/index.ts';
import { NgsiLdError } from './ngsi-ld-errors.ts';
import { withStatementTimeout } from './query-timeout.ts';

for (const backend of testBackends() as Backend[]) {
  describe(`query statement timeout (${backend})`, () => {
    let storage: Storage & { schema?: string };
    before(async () => {
      storage = await openTestStorage(backend);
    });
    after(() => closeTestStorage(storage));

    it('answers a query within the limit', async () => {
      const r = await withStatementTimeout(storage.db, 5000, (trx) =>
        sql<{ n: number }>`select 1 as n`.execute(trx),
      );
      assert.equal(r.rows[0].n, 1);
    });

    // PGlite runs without the timer signals statement_timeout needs; it ignores the setting.
    it('cancels a statement past the limit with TooComplexQuery', {
      skip: backend === 'pglite',
    }, async () => {
      await assert.rejects(
        withStatementTimeout(storage.db, 200, (trx) => sql`select pg_sleep(30)`.execute(trx)),
        (e: unknown) =>
          e instanceof NgsiLdError && e.ngsiType === 'TooComplexQuery' && /200 ms/.test(e.message),
      );
      // The limit was the transaction's own: the next statement on the pool has none.
      const r = await sql<{ t: string }>`select current_setting('statement_timeout') as t`.execute(
        storage.db,
      );
      assert.equal(r.rows[0].t, '0');
    });

    it('answers BadRequestData for a pattern the database cannot compile', async () => {
      await assert.rejects(
        withStatementTimeout(storage.db, 5000, (trx) =>
          sql`select 'a' ~ ${'((((a{1,100}){1,100}){1,100}){1,100})'}`.execute(trx),
        ),
        (e: unknown) =>
          e instanceof NgsiLdError && e.ngsiType === 'BadRequestData' && /too complex/.test(e.message),
      );
    });
  });
}
