import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { appendAudit } from '../audit/index.ts';
import { type Db, NotFoundError, TooManyRequestsError, UnauthenticatedError } from '../kernel/index.ts';
import { type Actor, inTransaction } from './actor.ts';
import { identityEvents } from './identity-events.ts';
import type { IdentitySettings } from './identity-settings.ts';
import {
  accountKey,
  addressKey,
  claimAccountAttempt,
  claimAddressAttempt,
  knownAddressKey,
  lockAfterFailure,
  loggedInFrom,
  releaseAddressAttempt,
  resetAccount,
} from './login-throttle.ts';
import { DUMMY_HASH, verifyPassword } from './password.ts';
import { authorize, type Principal } from './permissions.ts';
import { type CachedPrincipal, principalInvalidatedEvent } from './principal-cache.ts';
import { principalOf, type UserView, userInScope, userView } from './users.ts';

/** SHA-256 of a bearer secret: only this is stored, so a database leak yields no usable token. */
export const secretHash = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex');

export interface LoginRequest {
  username: string;
  password: string;
  /** The client's address (`request.ip`: the peer, or the client a trusted proxy names), for the address's count. */
  address: string;
}

export interface LoginResult {
  token: string;
  tokenType: 'Bearer';
  expiresAt: string;
  user: UserView;
}

/**
 * Checks a username and password and opens a session. Each attempt first claims its place on
 * the client address's count (unless the account recently logged in from there) and on the
 * account's, so only admitted attempts have their password verified; refusals are 429 with
 * Retry-After. The failure that takes an account's last place locks it; while it is locked, a
 * correct password still gets in from an address the account recently logged in from, with a
 * count of its own (docs/identity.md, "Failed logins"). Lockouts and slowed addresses are
 * audited.
 */
export async function login(
  db: Db,
  settings: IdentitySettings,
  request: LoginRequest,
  ctx: Omit<Actor, 'principal'>,
): Promise<LoginResult> {
  const username = String(request.username ?? '')
    .trim()
    .toLowerCase();
  const { address } = request;
  const now = ctx.now;
  const row = await db
    .selectFrom('identity_user')
    .selectAll()
    .where('username', '=', username)
    .executeTakeFirst();
  // Asked for unknown usernames too (no session matches ''), so timing does not tell which exist.
  const known =
    settings.knownAddressDays > 0 &&
    (await loggedInFrom(
      db,
      row?.id ?? '',
      address,
      new Date(now.getTime() - settings.knownAddressDays * 86_400_000),
    )) &&
    !!row;

  const slowedKey = known ? null : addressKey(address);
  let addressPlace = 0;
  if (slowedKey) {
    const claim = await claimAddressAttempt(db, slowedKey, settings, now);
    if (!claim.admitted)
      throw new TooManyRequestsError(
        `Too many failed logins from this address; try again in ${claim.retryAfterSeconds} s.`,
        claim.retryAfterSeconds,
        'auth.address_throttled',
      );
    addressPlace = claim.place;
  }
  let lockKey = accountKey(username);
  let claim = await claimAccountAttempt(db, lockKey, settings.accountMaxFailures, settings, now);
  if (!claim.admitted && known) {
    lockKey = knownAddressKey(username, address);
    claim = await claimAccountAttempt(db, lockKey, settings.accountMaxFailures, settings, now);
  }
  if (!claim.admitted) {
    if (slowedKey) await releaseAddressAttempt(db, slowedKey);
    throw new TooManyRequestsError(
      'Too many failed logins; try again later.',
      claim.retryAfterSeconds,
      'auth.locked_out',
    );
  }
  const place = claim.place;

  // Verify even for unknown accounts so response time does not reveal which exist.
  const passwordOk = await verifyPassword(String(request.password ?? ''), row?.password_hash ?? DUMMY_HASH);
  const ok = !!row && passwordOk && row.kind === 'user' && row.disabled_at === null && !!row.password_hash;
  if (!ok) {
    await db.transaction().execute(async (trx) => {
      const system = { actor: 'system', requestId: ctx.requestId, at: now };
      const until = await lockAfterFailure(trx, lockKey, place, settings.accountMaxFailures, settings, now);
      if (until)
        await appendAudit(trx, {
          ...system,
          action: 'auth.lockout',
          objectType: 'account',
          objectId: username,
          after: { lockedUntil: until, address, ...(known ? { fromKnownAddress: true } : {}) },
        });
      if (slowedKey && addressPlace === settings.addressMaxFailures)
        await appendAudit(trx, {
          ...system,
          action: 'auth.address_throttled',
          objectType: 'address',
          objectId: address,
          after: { attempts: addressPlace },
        });
    });
    throw new UnauthenticatedError('The username or password is wrong.', 'auth.invalid_credentials');
  }
  const token = `ocs_${randomBytes(32).toString('base64url')}`;
  const expiresAt = new Date(ctx.now.getTime() + settings.sessionTtlSeconds * 1000);
  const principal = principalOf(row);
  return inTransaction(db, { ...ctx, principal }, async (trx, events) => {
    await resetAccount(trx, accountKey(username), now);
    if (lockKey !== accountKey(username)) await resetAccount(trx, lockKey, now);
    if (slowedKey) await releaseAddressAttempt(trx, slowedKey);
    const id = randomUUID();
    await trx
      .insertInto('identity_session')
      .values({
        id,
        user_id: row.id,
        token_hash: secretHash(token),
        created_at: ctx.now,
        expires_at: expiresAt,
        address: request.address,
      })
      .execute();
    await appendAudit(trx, {
      actor: row.username,
      action: 'session.create',
      objectType: 'session',
      objectId: id,
      requestId: ctx.requestId,
      after: { userId: row.id, expiresAt },
      at: ctx.now,
    });
    events.push(
      identityEvents.create('identity.session.created', { userId: row.id }, ctx.now, `user:${row.id}`),
    );
    return {
      token,
      tokenType: 'Bearer' as const,
      expiresAt: expiresAt.toISOString(),
      user: userView(row, principal),
    };
  });
}

/** The principal of a bearer token, or Unauthenticated naming why it is not valid. */
export async function principalForToken(
  db: Db,
  token: string,
  now: Date,
): Promise<Principal & { sessionId: string }> {
  const { principal, sessionId } = await resolveSession(db, secretHash(token), now);
  return { ...principal, sessionId: sessionId! };
}

/** Resolves a session by its token hash (what the principal cache stores). */
export function resolveSession(db: Db, tokenHash: string, now: Date): Promise<CachedPrincipal> {
  return resolveSessionWhere(db, 's.token_hash', tokenHash, now);
}

/**
 * The principal of a session by the session's id: for a credential another capability
 * remembers instead of the token (a stream ticket). Unauthenticated, with the same codes as
 * the token, once the session is revoked or expired or its user disabled.
 */
export async function principalForSessionId(
  db: Db,
  sessionId: string,
  now: Date,
): Promise<Principal & { sessionId: string }> {
  const { principal } = await resolveSessionWhere(db, 's.id', sessionId, now);
  return { ...principal, sessionId };
}

async function resolveSessionWhere(
  db: Db,
  column: 's.token_hash' | 's.id',
  value: string,
  now: Date,
): Promise<CachedPrincipal> {
  const row = await db
    .selectFrom('identity_session as s')
    .innerJoin('identity_user as u', 'u.id', 's.user_id')
    .selectAll('u')
    .select(['s.id as session_id', 's.expires_at', 's.revoked_at'])
    .where(column, '=', value)
    .executeTakeFirst();
  if (!row) throw new UnauthenticatedError('The token is not valid.', 'auth.token_invalid');
  if (row.revoked_at) throw new UnauthenticatedError('The token was revoked.', 'auth.token_revoked');
  const expiresAtMs = new Date(row.expires_at).getTime();
  if (expiresAtMs <= now.getTime()) throw tokenExpired();
  if (row.disabled_at) throw new UnauthenticatedError('The account is disabled.', 'auth.account_disabled');
  return { principal: principalOf(row), userId: row.id, sessionId: row.session_id, expiresAtMs };
}

/** The error of a session past its expiry (also raised on cache hits). */
export const tokenExpired = () =>
  new UnauthenticatedError('The token has expired; log in again.', 'auth.token_expired');

/** Ends a session (logout). Audited as `session.revoke`. */
export async function revokeSession(db: Db, sessionId: string, actor: Actor): Promise<void> {
  const what = { sessionIds: [sessionId] };
  await inTransaction(db, actor, async (trx, events) => {
    events.push(principalInvalidatedEvent(what, actor.now));
    const updated = await trx
      .updateTable('identity_session')
      .set({ revoked_at: actor.now })
      .where('id', '=', sessionId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return;
    await appendAudit(trx, {
      actor: actor.principal.username,
      action: 'session.revoke',
      objectType: 'session',
      objectId: sessionId,
      requestId: actor.requestId,
      at: actor.now,
    });
  });
}

/** Revokes every open session of a user (`user.manage`); returns how many. */
export async function revokeUserSessions(db: Db, userId: string, actor: Actor): Promise<{ revoked: number }> {
  authorize(actor.principal, 'user.manage');
  return inTransaction(db, actor, async (trx, events) => {
    const user = await trx
      .selectFrom('identity_user')
      .selectAll()
      .where('id', '=', userId)
      .executeTakeFirst();
    if (!user || !userInScope(actor.principal, user))
      throw new NotFoundError(`User ${userId} not found.`, 'user.not_found');
    const sessions = await trx
      .updateTable('identity_session')
      .set({ revoked_at: actor.now })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', actor.now)
      .returning('id')
      .execute();
    for (const s of sessions)
      await appendAudit(trx, {
        actor: actor.principal.username,
        action: 'session.revoke',
        objectType: 'session',
        objectId: s.id,
        requestId: actor.requestId,
        at: actor.now,
      });
    events.push(principalInvalidatedEvent({ userId }, actor.now));
    return { revoked: sessions.length };
  });
}
