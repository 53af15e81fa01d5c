import { randomBytes, randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { appendAudit } from '../audit/index.ts';
import { type Db, InvalidInputError, NotFoundError, UnauthenticatedError } from '../kernel/index.ts';
import { type Actor, inTransaction } from './actor.ts';
import { identityEvents } from './identity-events.ts';
import type { IdentityApiKeyTable } from './identity-tables.ts';
import { authorize, type Permission, PERMISSIONS, type Principal, permissionsOf } from './permissions.ts';
import { type CachedPrincipal, principalInvalidatedEvent } from './principal-cache.ts';
import { secretHash } from './sessions.ts';
import { principalOf, userInScope } from './users.ts';

/** An API key as listed (the secret itself is shown only once, when issued). */
export interface ApiKeyView {
  id: string;
  userId: string;
  username: string;
  name: string;
  prefix: string;
  scopes: Permission[];
  createdAt: string;
  createdBy: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

export interface IssueApiKeyInput {
  /** The service account (id or username). */
  account: string;
  name: string;
  scopes: Permission[];
  expiresAt?: string | null;
}

/** A key as listed: its row without the secret's hash, and its account's username. */
type KeyRow = Omit<Selectable<IdentityApiKeyTable>, 'key_hash' | 'last_used_at'> & { username: string };

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
const view = (r: KeyRow): ApiKeyView => ({
  id: r.id,
  userId: r.user_id,
  username: r.username,
  name: r.name,
  prefix: r.prefix,
  scopes: [...r.scopes],
  createdAt: new Date(r.created_at).toISOString(),
  createdBy: r.created_by,
  expiresAt: iso(r.expires_at),
  revokedAt: iso(r.revoked_at),
});

/**
 * Issues a key to a service account (`apikey.manage`). Its scopes must be permissions the
 * account's roles grant. Returns the key once; only its SHA-256 is stored.
 */
export async function issueApiKey(
  db: Db,
  input: IssueApiKeyInput,
  actor: Actor,
): Promise<ApiKeyView & { key: string }> {
  authorize(actor.principal, 'apikey.manage');
  const scopes = [...new Set(input.scopes ?? [])];
  const unknown = scopes.filter((s) => !(s in PERMISSIONS));
  if (scopes.length === 0 || unknown.length)
    throw new InvalidInputError(
      unknown.length ? `Unknown scopes: ${unknown.join(', ')}.` : 'An API key needs at least one scope.',
      { unknown },
      'apikey.invalid_scopes',
    );
  const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
  if (expiresAt && (Number.isNaN(expiresAt.getTime()) || expiresAt <= actor.now))
    throw new InvalidInputError('expiresAt must be a future date-time.', undefined, 'apikey.invalid_expiry');
  return inTransaction(db, actor, async (trx, events) => {
    const account = await trx
      .selectFrom('identity_user')
      .selectAll()
      .where((eb) => eb.or([eb('id', '=', input.account), eb('username', '=', input.account.toLowerCase())]))
      .executeTakeFirst();
    if (!account || !userInScope(actor.principal, account))
      throw new NotFoundError(`Service account ${input.account} not found.`, 'user.not_found');
    if (account.kind !== 'service')
      throw new InvalidInputError(
        'API keys are issued to service accounts only.',
        undefined,
        'apikey.not_service_account',
      );
    if (account.disabled_at)
      throw new InvalidInputError('The service account is disabled.', undefined, 'apikey.account_disabled');
    const granted = permissionsOf(account.roles);
    const beyond = scopes.filter((s) => !granted.includes(s));
    if (beyond.length)
      throw new InvalidInputError(
        `The account's roles do not grant: ${beyond.join(', ')}.`,
        { beyond },
        'apikey.scopes_beyond_roles',
      );
    const prefix = randomBytes(4).toString('hex');
    const key = `ock_${prefix}_${randomBytes(24).toString('base64url')}`;
    const id = randomUUID();
    await trx
      .insertInto('identity_api_key')
      .values({
        id,
        user_id: account.id,
        name: String(input.name).trim(),
        prefix,
        key_hash: secretHash(key),
        scopes,
        created_at: actor.now,
        created_by: actor.principal.username,
        expires_at: expiresAt,
      })
      .execute();
    const issued: KeyRow = {
      id,
      user_id: account.id,
      username: account.username,
      name: String(input.name).trim(),
      prefix,
      scopes,
      created_at: actor.now,
      created_by: actor.principal.username,
      expires_at: expiresAt,
      revoked_at: null,
    };
    await appendAudit(trx, {
      actor: actor.principal.username,
      action: 'apikey.issue',
      objectType: 'api_key',
      objectId: id,
      requestId: actor.requestId,
      after: view(issued),
      at: actor.now,
    });
    events.push(
      identityEvents.create(
        'identity.apikey.issued',
        { keyId: id, userId: account.id },
        actor.now,
        `api_key:${id}`,
      ),
    );
    return { ...view(issued), key };
  });
}

function keysQuery(db: Db) {
  return db
    .selectFrom('identity_api_key as k')
    .innerJoin('identity_user as u', 'u.id', 'k.user_id')
    .select([
      'k.id',
      'k.user_id',
      'u.username',
      'k.name',
      'k.prefix',
      'k.scopes',
      'k.created_at',
      'k.created_by',
      'k.expires_at',
      'k.revoked_at',
      'u.division_codes',
      'u.department_codes',
    ]);
}

/** Keys of service accounts in scope (`apikey.manage`), newest first. */
export async function listApiKeys(
  db: Db,
  principal: Principal,
  query: { account?: string; includeRevoked?: boolean } = {},
): Promise<ApiKeyView[]> {
  authorize(principal, 'apikey.manage');
  let q = keysQuery(db).orderBy('k.created_at', 'desc');
  if (query.account)
    q = q.where((eb) =>
      eb.or([eb('u.id', '=', query.account!), eb('u.username', '=', query.account!.toLowerCase())]),
    );
  if (!query.includeRevoked) q = q.where('k.revoked_at', 'is', null);
  const rows = await q.execute();
  return rows.filter((r) => userInScope(principal, r)).map(view);
}

/** Revokes a key (`apikey.manage`); revoking twice is harmless. Audited as `apikey.revoke`. */
export async function revokeApiKey(db: Db, id: string, actor: Actor): Promise<ApiKeyView> {
  authorize(actor.principal, 'apikey.manage');
  return inTransaction(db, actor, async (trx, events) => {
    const row = await keysQuery(trx).where('k.id', '=', id).executeTakeFirst();
    if (!row || !userInScope(actor.principal, row))
      throw new NotFoundError(`API key ${id} not found.`, 'apikey.not_found');
    if (row.revoked_at) return view(row);
    await trx.updateTable('identity_api_key').set({ revoked_at: actor.now }).where('id', '=', id).execute();
    const after = { ...row, revoked_at: actor.now };
    await appendAudit(trx, {
      actor: actor.principal.username,
      action: 'apikey.revoke',
      objectType: 'api_key',
      objectId: id,
      requestId: actor.requestId,
      before: view(row),
      after: view(after),
      at: actor.now,
    });
    events.push(identityEvents.create('identity.apikey.revoked', { keyId: id }, actor.now, `api_key:${id}`));
    events.push(principalInvalidatedEvent({ apiKeyIds: [id] }, actor.now));
    return view(after);
  });
}

/** The service principal of an API key, restricted to the key's scopes; Unauthenticated otherwise. */
export async function principalForApiKey(db: Db, key: string, now: Date): Promise<Principal> {
  return (await resolveApiKey(db, secretHash(key), now)).principal;
}

/** Resolves an API key by its hash (what the principal cache stores). */
export function resolveApiKey(db: Db, keyHash: string, now: Date): Promise<CachedPrincipal> {
  return resolveApiKeyWhere(db, 'k.key_hash', keyHash, now);
}

/**
 * The service principal of an API key by the key's id: for a credential another capability
 * remembers instead of the key (a stream ticket). Unauthenticated, with the same codes as
 * the key, once the key is revoked or expired or its service account disabled.
 */
export async function principalForApiKeyId(db: Db, apiKeyId: string, now: Date): Promise<Principal> {
  return (await resolveApiKeyWhere(db, 'k.id', apiKeyId, now)).principal;
}

async function resolveApiKeyWhere(
  db: Db,
  column: 'k.key_hash' | 'k.id',
  value: string,
  now: Date,
): Promise<CachedPrincipal> {
  const row = await db
    .selectFrom('identity_api_key as k')
    .innerJoin('identity_user as u', 'u.id', 'k.user_id')
    .selectAll('u')
    .select([
      'k.id as key_id',
      'k.scopes as key_scopes',
      'k.expires_at as key_expires_at',
      'k.revoked_at as key_revoked_at',
    ])
    .where(column, '=', value)
    .executeTakeFirst();
  if (!row) throw new UnauthenticatedError('The API key is not valid.', 'auth.api_key_invalid');
  if (row.key_revoked_at) throw new UnauthenticatedError('The API key was revoked.', 'auth.api_key_revoked');
  const expiresAtMs = row.key_expires_at ? new Date(row.key_expires_at).getTime() : null;
  if (expiresAtMs !== null && expiresAtMs <= now.getTime()) throw apiKeyExpired();
  if (row.disabled_at) throw new UnauthenticatedError('The account is disabled.', 'auth.account_disabled');
  return {
    principal: { ...principalOf(row), kind: 'service', scopes: [...row.key_scopes] },
    userId: row.id,
    apiKeyId: row.key_id,
    expiresAtMs,
  };
}

/** The error of a key past its expiry (also raised on cache hits). */
export const apiKeyExpired = () =>
  new UnauthenticatedError('The API key has expired.', 'auth.api_key_expired');
