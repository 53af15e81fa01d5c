import { randomUUID } from 'node:crypto';
import { type Selectable, sql } from 'kysely';
import { appendAudit } from '../audit/index.ts';
import { ConflictError, type Db, InvalidInputError, NotFoundError } from '../kernel/index.ts';
import { type Actor, inTransaction } from './actor.ts';
import { identityEvents } from './identity-events.ts';
import type { IdentityUserTable } from './identity-tables.ts';
import { inJurisdiction, isCityWide } from './jurisdiction.ts';
import { assertPasswordPolicy, hashPassword } from './password.ts';
import { authorize, type Principal, ROLES, type Role } from './permissions.ts';
import { canSeePersonalData, maskEmail, maskName, maskPhone } from './pii-masking.ts';
import { principalInvalidatedEvent } from './principal-cache.ts';

/** A user or service account as services hand it out (never the password hash). */
export interface UserView {
  id: string;
  username: string;
  displayName: string;
  kind: 'user' | 'service';
  roles: Role[];
  departmentCodes: string[];
  divisionCodes: string[];
  phone: string | null;
  email: string | null;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface CreateUserInput {
  username: string;
  displayName: string;
  /** `service` accounts have no password and authenticate with API keys. */
  kind?: 'user' | 'service';
  password?: string;
  roles: Role[];
  departmentCodes?: string[];
  divisionCodes?: string[];
  phone?: string | null;
  email?: string | null;
}

export interface UpdateUserInput {
  displayName?: string;
  roles?: Role[];
  departmentCodes?: string[];
  divisionCodes?: string[];
  phone?: string | null;
  email?: string | null;
  disabled?: boolean;
  /** Optimistic concurrency: the version the caller read. */
  version?: number;
}

/** A row of `identity_user`. */
export type UserRow = Selectable<IdentityUserTable>;

export const USERNAME_PATTERN = '^[a-z0-9][a-z0-9._-]{2,63}$';
const USERNAME = new RegExp(USERNAME_PATTERN);
const CODE = /^[A-Za-z0-9._-]{1,64}$/;

/** The principal a user row acts as. */
export function principalOf(row: UserRow): Principal {
  return {
    kind: row.kind === 'service' ? 'service' : 'user',
    id: row.id,
    username: row.username,
    roles: [...row.roles],
    departmentCodes: [...row.department_codes],
    divisionCodes: [...row.division_codes],
  };
}

/** The unmasked view, used for audit digests. */
function fullView(row: UserRow): UserView {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    kind: row.kind,
    roles: [...row.roles],
    departmentCodes: [...row.department_codes],
    divisionCodes: [...row.division_codes],
    phone: row.phone,
    email: row.email,
    disabled: row.disabled_at !== null,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    version: row.version,
  };
}

/** The view a viewer may see: personal data masked unless the viewer may see it. */
export function userView(row: UserRow, viewer: Principal): UserView {
  const view = fullView(row);
  if (canSeePersonalData(viewer) || viewer.id === row.id) return view;
  return {
    ...view,
    // Staff names are part of their public duty; citizens' names are personal data.
    displayName: row.roles.includes('citizen') ? (maskName(view.displayName) ?? '') : view.displayName,
    phone: maskPhone(view.phone),
    email: maskEmail(view.email),
  };
}

/**
 * Whether a user lies inside the viewer's scope: city-wide viewers see everyone; others see
 * users with a division inside their jurisdiction or sharing one of their departments.
 */
export function userInScope(viewer: Principal, row: Pick<UserRow, 'division_codes' | 'department_codes'>) {
  if (isCityWide(viewer)) return true;
  if (row.division_codes.some((d) => inJurisdiction(viewer, d))) return true;
  if (viewer.divisionCodes.length > 0) return false;
  return row.department_codes.some((d) => viewer.departmentCodes.includes(d));
}

function validateAssignment(
  actor: Actor,
  fields: { roles?: Role[]; departmentCodes?: string[]; divisionCodes?: string[] },
) {
  const problems: string[] = [];
  if (fields.roles) {
    if (fields.roles.length === 0) problems.push('roles must not be empty');
    for (const r of fields.roles) if (!ROLES.includes(r)) problems.push(`unknown role "${r}"`);
  }
  for (const c of [...(fields.departmentCodes ?? []), ...(fields.divisionCodes ?? [])])
    if (!CODE.test(c)) problems.push(`"${c}" is not a valid code`);
  if (problems.length)
    throw new InvalidInputError(`Invalid user: ${problems.join('; ')}.`, { problems }, 'user.invalid');
  // A scoped administrator can only hand out scopes inside their own.
  if (fields.divisionCodes && !isCityWide(actor.principal)) {
    if (
      fields.divisionCodes.length === 0 ||
      !fields.divisionCodes.every((d) => inJurisdiction(actor.principal, d))
    )
      throw new InvalidInputError(
        'Division codes must lie inside your own jurisdiction.',
        undefined,
        'user.scope_outside_jurisdiction',
      );
  }
}

const unique = (xs: readonly string[] | undefined) => [...new Set(xs ?? [])];

/**
 * Creates a user or service account. Checks `user.manage`, the password policy and the
 * scope, and audits `user.create` in the same transaction.
 */
export async function createUser(db: Db, input: CreateUserInput, actor: Actor): Promise<UserView> {
  authorize(actor.principal, 'user.manage');
  const username = String(input.username ?? '')
    .trim()
    .toLowerCase();
  if (!USERNAME.test(username))
    throw new InvalidInputError(
      'A username is 3–64 characters: lowercase letters, digits, ".", "_" or "-", starting with a letter or digit.',
      { username },
      'user.invalid_username',
    );
  const kind = input.kind ?? 'user';
  const roles = unique(input.roles) as Role[];
  const departmentCodes = unique(input.departmentCodes);
  const divisionCodes = unique(input.divisionCodes);
  validateAssignment(actor, { roles, departmentCodes, divisionCodes });
  if (kind === 'user') {
    if (typeof input.password !== 'string')
      throw new InvalidInputError('A password is required.', undefined, 'password.required');
    assertPasswordPolicy(input.password, username);
  } else if (input.password !== undefined) {
    throw new InvalidInputError(
      'Service accounts have no password; issue an API key.',
      undefined,
      'user.service_password',
    );
  }
  const passwordHash = kind === 'user' ? await hashPassword(input.password!) : null;
  return inTransaction(db, actor, async (trx, events) => {
    const exists = await trx
      .selectFrom('identity_user')
      .select('id')
      .where('username', '=', username)
      .executeTakeFirst();
    if (exists) throw new ConflictError(`The username "${username}" is taken.`, 'user.username_taken');
    const row = await trx
      .insertInto('identity_user')
      .values({
        id: randomUUID(),
        username,
        display_name: String(input.displayName ?? '').trim() || username,
        kind,
        password_hash: passwordHash,
        roles,
        department_codes: departmentCodes,
        division_codes: divisionCodes,
        phone: input.phone ?? null,
        email: input.email ?? null,
        password_changed_at: passwordHash ? actor.now : null,
        created_at: actor.now,
        updated_at: actor.now,
        version: 1,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAudit(trx, {
      actor: actor.principal.username,
      action: 'user.create',
      objectType: 'user',
      objectId: row.id,
      requestId: actor.requestId,
      after: fullView(row),
      at: actor.now,
    });
    events.push(
      identityEvents.create(
        'identity.user.created',
        { userId: row.id, username },
        actor.now,
        `user:${row.id}`,
      ),
    );
    return userView(row, actor.principal);
  });
}

/** Loads a user row by id or username, or null. */
export async function findUserRow(db: Db, idOrUsername: string): Promise<UserRow | null> {
  const row = await db
    .selectFrom('identity_user')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', idOrUsername), eb('username', '=', idOrUsername.toLowerCase())]))
    .executeTakeFirst();
  return row ?? null;
}

/** Loads a user the principal may see, or throws NotFound (out of scope looks missing). */
async function visibleUserRow(db: Db, principal: Principal, id: string, lock = false): Promise<UserRow> {
  let q = db.selectFrom('identity_user').selectAll().where('id', '=', id);
  if (lock) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (!row || !userInScope(principal, row))
    throw new NotFoundError(`User ${id} not found.`, 'user.not_found');
  return row;
}

/** A user inside the principal's scope (`user.read`). */
export async function getUser(db: Db, principal: Principal, id: string): Promise<UserView> {
  authorize(principal, 'user.read');
  return userView(await visibleUserRow(db, principal, id), principal);
}

export interface ListUsersQuery {
  role?: Role;
  kind?: 'user' | 'service';
  q?: string;
  includeDisabled?: boolean;
  limit?: number;
  offset?: number;
}

/** Users inside the principal's scope, by username. */
export async function listUsers(
  db: Db,
  principal: Principal,
  query: ListUsersQuery = {},
): Promise<{ items: UserView[]; total: number }> {
  authorize(principal, 'user.read');
  let q = db.selectFrom('identity_user').selectAll().orderBy('username');
  if (query.role) q = q.where(sql<boolean>`${query.role} = any(roles)`);
  if (query.kind) q = q.where('kind', '=', query.kind);
  if (query.q) q = q.where('username', 'like', `%${query.q.toLowerCase().replace(/[%_\\]/g, '\\$&')}%`);
  if (!query.includeDisabled) q = q.where('disabled_at', 'is', null);
  // Scope is a prefix rule over arrays; the user table is small enough to filter here.
  const rows = (await q.execute()).filter((r) => userInScope(principal, r));
  const offset = query.offset ?? 0;
  const limit = query.limit ?? 50;
  return {
    items: rows.slice(offset, offset + limit).map((r) => userView(r, principal)),
    total: rows.length,
  };
}

/**
 * Changes a user's name, contact, roles, scope or disabled state (`user.manage`).
 * Disabling revokes the user's sessions. Audited as `user.update` / `user.disable` /
 * `user.enable` with before and after.
 */
export async function updateUser(
  db: Db,
  id: string,
  patch: UpdateUserInput,
  actor: Actor,
): Promise<UserView> {
  authorize(actor.principal, 'user.manage');
  const roles = patch.roles ? (unique(patch.roles) as Role[]) : undefined;
  const departmentCodes = patch.departmentCodes ? unique(patch.departmentCodes) : undefined;
  const divisionCodes = patch.divisionCodes ? unique(patch.divisionCodes) : undefined;
  validateAssignment(actor, { roles, departmentCodes, divisionCodes });
  return inTransaction(db, actor, async (trx, events) => {
    const before = await visibleUserRow(trx, actor.principal, id, true);
    if (patch.version !== undefined && patch.version !== before.version)
      throw new ConflictError(
        `User ${id} was changed meanwhile (version ${before.version}, you sent ${patch.version}).`,
        'user.version_conflict',
        { currentVersion: before.version },
      );
    if (patch.disabled && before.id === actor.principal.id)
      throw new InvalidInputError('You cannot disable your own account.', undefined, 'user.disable_self');
    const changes: Record<string, unknown> = {};
    if (patch.displayName !== undefined) changes.display_name = patch.displayName.trim() || before.username;
    if (roles) changes.roles = roles;
    if (departmentCodes) changes.department_codes = departmentCodes;
    if (divisionCodes) changes.division_codes = divisionCodes;
    if (patch.phone !== undefined) changes.phone = patch.phone;
    if (patch.email !== undefined) changes.email = patch.email;
    if (patch.disabled !== undefined && patch.disabled !== (before.disabled_at !== null))
      changes.disabled_at = patch.disabled ? actor.now : null;
    if (Object.keys(changes).length === 0) return userView(before, actor.principal);
    const after = await trx
      .updateTable('identity_user')
      .set({ ...changes, updated_at: actor.now, version: before.version + 1 })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const action =
      'disabled_at' in changes ? (patch.disabled ? 'user.disable' : 'user.enable') : 'user.update';
    if (patch.disabled)
      await trx
        .updateTable('identity_session')
        .set({ revoked_at: actor.now })
        .where('user_id', '=', id)
        .where('revoked_at', 'is', null)
        .execute();
    await appendAudit(trx, {
      actor: actor.principal.username,
      action,
      objectType: 'user',
      objectId: id,
      requestId: actor.requestId,
      before: fullView(before),
      after: fullView(after),
      at: actor.now,
    });
    events.push(identityEvents.create(`identity.${action}`, { userId: id }, actor.now, `user:${id}`));
    // Roles, scope or the disabled state may have changed: cached principals must go.
    events.push(principalInvalidatedEvent({ userId: id }, actor.now));
    return userView(after, actor.principal);
  });
}

/** Sets a new password (`user.manage`), checked by the policy; revokes the user's sessions. */
export async function resetPassword(db: Db, id: string, password: string, actor: Actor): Promise<void> {
  authorize(actor.principal, 'user.manage');
  const target = await visibleUserRow(db, actor.principal, id);
  if (target.kind !== 'user')
    throw new InvalidInputError('Service accounts have no password.', undefined, 'user.service_password');
  assertPasswordPolicy(password, target.username);
  const hash = await hashPassword(password);
  await inTransaction(db, actor, async (trx, events) => {
    await visibleUserRow(trx, actor.principal, id, true);
    events.push(principalInvalidatedEvent({ userId: id }, actor.now));
    await trx
      .updateTable('identity_user')
      .set({ password_hash: hash, password_changed_at: actor.now, updated_at: actor.now })
      .where('id', '=', id)
      .execute();
    await trx
      .updateTable('identity_session')
      .set({ revoked_at: actor.now })
      .where('user_id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
    await appendAudit(trx, {
      actor: actor.principal.username,
      action: 'user.password_reset',
      objectType: 'user',
      objectId: id,
      requestId: actor.requestId,
      at: actor.now,
    });
  });
}
