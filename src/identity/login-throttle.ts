/**
 * Failed-login throttling: accounts are locked, addresses are slowed (docs/identity.md,
 * "Failed logins"). An attempt claims its place in one statement before its password is
 * verified, so parallel attempts on any number of nodes are counted exactly and no more
 * passwords are checked than the limit allows.
 */
import { sql } from 'kysely';
import type { Db, Kernel } from '../kernel/index.ts';
import type { IdentitySettings } from './identity-settings.ts';

/** The throttle row of an account (every username tried, existing or not). */
export const accountKey = (username: string) => `account:${username}`;
/** The throttle row of a client address. */
export const addressKey = (address: string) => `address:${address}`;
/** The throttle row of an account tried from an address it recently logged in from. */
export const knownAddressKey = (username: string, address: string) => `known:${address} ${username}`;

/** An attempt let through to the password check, with its place among the window's attempts. */
export type Claim = { admitted: true; place: number } | { admitted: false; retryAfterSeconds: number };

const secondsUntil = (until: Date, now: Date) =>
  Math.max(1, Math.ceil((new Date(until).getTime() - now.getTime()) / 1000));

/**
 * Claims an attempt on an account's row. Refused while the account is locked, and while the
 * window's attempts (failures plus those still being checked) already reach `max`; a lock
 * that has run out, or a window that has passed, starts the count again.
 */
export async function claimAccountAttempt(
  db: Db,
  key: string,
  max: number,
  settings: IdentitySettings,
  now: Date,
): Promise<Claim> {
  const windowStart = new Date(now.getTime() - settings.failureWindowSeconds * 1000);
  const fresh = sql`(t.locked_until <= ${now} or (t.locked_until is null and t.window_start <= ${windowStart}))`;
  const row = (
    await sql<{ failures: number }>`
      insert into identity_login_throttle as t (key, failures, window_start, locked_until)
      values (${key}, 1, ${now}, null)
      on conflict (key) do update set
        failures = case when ${fresh} then 1 else t.failures + 1 end,
        window_start = case when ${fresh} then ${now} else t.window_start end,
        locked_until = case when ${fresh} then null else t.locked_until end
      where ${fresh} or (t.locked_until is null and t.failures < ${max})
      returning failures`.execute(db)
  ).rows[0];
  if (row) return { admitted: true, place: row.failures };
  const state = await readRow(db, key);
  // Locked, or every place of the window taken by attempts still being checked.
  const until =
    state?.locked_until && new Date(state.locked_until) > now
      ? state.locked_until
      : new Date(new Date(state?.window_start ?? now).getTime() + settings.failureWindowSeconds * 1000);
  return { admitted: false, retryAfterSeconds: secondsUntil(until, now) };
}

/**
 * Locks an account after a failed attempt that took the last place of the window. Returns
 * the end of the lock, or null when this failure did not lock (or a success reset the count
 * meanwhile).
 */
export async function lockAfterFailure(
  db: Db,
  key: string,
  place: number,
  max: number,
  settings: IdentitySettings,
  now: Date,
): Promise<Date | null> {
  if (place < max) return null;
  const until = new Date(now.getTime() + settings.lockoutSeconds * 1000);
  const locked = await db
    .updateTable('identity_login_throttle')
    .set({ locked_until: until })
    .where('key', '=', key)
    .where('locked_until', 'is', null)
    .where('failures', '>=', max)
    .executeTakeFirst();
  return Number(locked.numUpdatedRows) > 0 ? until : null;
}

/** Forgets an account's failures after a correct password, unless it is locked (the lock stays until it runs out). */
export async function resetAccount(db: Db, key: string, now: Date): Promise<void> {
  await db
    .deleteFrom('identity_login_throttle')
    .where('key', '=', key)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
    .execute();
}

/**
 * Claims an attempt on an address's row. Within `max` attempts an address is never slowed;
 * beyond, it gets one attempt per delay, the delay doubling from 1 s with each attempt up to
 * `ONECITY_LOGIN_ADDRESS_MAX_DELAY_SECONDS`. Its count is forgotten after a window without
 * attempts.
 */
export async function claimAddressAttempt(
  db: Db,
  key: string,
  settings: IdentitySettings,
  now: Date,
): Promise<Claim> {
  const max = settings.addressMaxFailures;
  const quietSince = new Date(now.getTime() - settings.failureWindowSeconds * 1000);
  const quiet = sql`(t.window_start <= ${quietSince} and (t.locked_until is null or t.locked_until <= ${now}))`;
  const row = (
    await sql<{ failures: number }>`
      insert into identity_login_throttle as t (key, failures, window_start, locked_until)
      values (${key}, 1, ${now}, null)
      on conflict (key) do update set
        failures = case when ${quiet} then 1 else t.failures + 1 end,
        window_start = ${now},
        locked_until = case
          when ${quiet} or t.failures < ${max} then null
          else ${now}::timestamptz
            + make_interval(secs => least(power(2, least(t.failures - ${max}, 30)), ${settings.addressMaxDelaySeconds}))
        end
      where ${quiet} or t.failures < ${max} or t.locked_until is null or t.locked_until <= ${now}
      returning failures`.execute(db)
  ).rows[0];
  if (row) return { admitted: true, place: row.failures };
  const state = await readRow(db, key);
  return { admitted: false, retryAfterSeconds: secondsUntil(state?.locked_until ?? now, now) };
}

/** Gives an address back an attempt that was not a failure (a correct password, or one never checked). */
export async function releaseAddressAttempt(db: Db, key: string): Promise<void> {
  await db
    .updateTable('identity_login_throttle')
    .set({ failures: sql`greatest(failures - 1, 0)` })
    .where('key', '=', key)
    .execute();
}

/**
 * Whether the user opened a session from this address since `since`: such an address may
 * still log in while the account is locked, and is not slowed (docs/identity.md).
 */
export async function loggedInFrom(db: Db, userId: string, address: string, since: Date): Promise<boolean> {
  const row = await db
    .selectFrom('identity_session')
    .select('id')
    .where('user_id', '=', userId)
    .where('address', '=', address)
    .where('created_at', '>', since)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Rows a pruning job deletes at most, each in its own short transaction. */
export const PRUNE_BATCH = 1000;
/** The scheduler job that prunes the throttle table. */
export const PRUNE_JOB = 'identity.login-throttle.prune';
const PRUNE_EVERY_MS = 10 * 60_000;

/**
 * Deletes up to `limit` rows that mean the same as no row: their window has passed and their
 * lock (an address's slow-down) has run out, so the next attempt would start the count again
 * from 1 whether they were there or not (the `fresh` and `quiet` tests above). Without this,
 * every username ever tried, real or not, would keep a row. Rows a login holds are skipped,
 * not waited for. Returns how many went.
 */
export async function pruneThrottleRows(
  db: Db,
  settings: IdentitySettings,
  now: Date,
  limit = PRUNE_BATCH,
): Promise<number> {
  const windowStart = new Date(now.getTime() - settings.failureWindowSeconds * 1000);
  // Oldest first along the window_start index: the scan stops after `limit` rows instead of
  // reading the whole table, and its dead entries from earlier batches are read only once.
  const res = await sql`
    delete from identity_login_throttle
    where key in (
      select key from identity_login_throttle
      where window_start <= ${windowStart} and (locked_until is null or locked_until <= ${now})
      order by window_start
      limit ${limit}
      for update skip locked)`.execute(db);
  return Number(res.numAffectedRows ?? 0);
}

/**
 * Prunes the throttle table every 10 minutes on the kernel's scheduler (exactly once across
 * nodes). Each job deletes one batch in its own transaction; a full batch has the next one run
 * at once, so a sprayed table is emptied without ever holding many rows' locks at a time.
 */
export async function scheduleThrottlePruning(kernel: Kernel, settings: IdentitySettings): Promise<void> {
  const { scheduler, clock, logger } = kernel;
  scheduler.handle(PRUNE_JOB, async (job, trx) => {
    const now = clock.now();
    const pruned = await pruneThrottleRows(trx, settings, now);
    if (pruned > 0) logger.info({ pruned }, 'login throttle pruned');
    // Alternating keys: this job is still pending inside its own transaction.
    const next = job.key === `${PRUNE_JOB}:a` ? 'b' : 'a';
    await scheduler.schedule(
      {
        kind: PRUNE_JOB,
        key: `${PRUNE_JOB}:${next}`,
        runAt: pruned < PRUNE_BATCH ? new Date(now.getTime() + PRUNE_EVERY_MS) : now,
      },
      trx,
    );
  });
  // One interval after start: nothing has expired on a fresh database. A restarted node adds
  // nothing while `:a` is pending; beside a pending `:b`, the two merge at the first run, as
  // each schedules the key the other holds.
  await scheduler.schedule({
    kind: PRUNE_JOB,
    key: `${PRUNE_JOB}:a`,
    runAt: new Date(clock.now().getTime() + PRUNE_EVERY_MS),
  });
}

async function readRow(db: Db, key: string) {
  return db
    .selectFrom('identity_login_throttle')
    .select(['window_start', 'locked_until'])
    .where('key', '=', key)
    .executeTakeFirst();
}
