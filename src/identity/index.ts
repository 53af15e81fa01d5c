/**
 * Identity and access: users, roles, sessions, API keys, the permission matrix,
 * jurisdiction scope and personal-data masking. Other capabilities import only from here.
 */
import { type Capability, capabilitySettings, type Kernel } from '../kernel/index.ts';
import { guardBeforeValidation } from './authenticate.ts';
import { ensureAdminUser } from './bootstrap.ts';
import { identityEvents } from './identity-events.ts';
import { identityMigrations } from './identity-migrations.ts';
import { registerIdentityRoutes } from './identity-routes.ts';
import { scheduleThrottlePruning } from './login-throttle.ts';
import { registerRequestRateLimit } from './request-rate-limit.ts';
import { IDENTITY_SETTING_KEYS, type IdentitySettings, loadIdentitySettings } from './identity-settings.ts';
import {
  attachPrincipalCache,
  invalidationOf,
  PRINCIPAL_INVALIDATED,
  PrincipalCache,
  principalCacheOf,
} from './principal-cache.ts';

export { type Actor, SYSTEM_PRINCIPAL, systemActor } from './actor.ts';
export {
  type ApiKeyView,
  type IssueApiKeyInput,
  issueApiKey,
  listApiKeys,
  principalForApiKey,
  principalForApiKeyId,
  revokeApiKey,
} from './api-keys.ts';
export {
  accessOfRoute,
  actorOf,
  authenticate,
  authenticatePublic,
  guardBeforeValidation,
  type RouteAccess,
  requireAuthenticated,
  requirePermission,
  routeAccess,
} from './authenticate.ts';
export { type DemoScope, ensureAdminUser, ensureDemoUsers } from './bootstrap.ts';
export {
  type ApiKeyIssued,
  type ApiKeyRevoked,
  type IdentityEvent,
  type IdentityEventMap,
  identityEvents,
  type SessionCreated,
  type UserChanged,
  type UserCreated,
} from './identity-events.ts';
export { identityMigrations } from './identity-migrations.ts';
export { type IdentitySettings, loadIdentitySettings } from './identity-settings.ts';
export { assertInJurisdiction, inDepartments, inJurisdiction, isCityWide } from './jurisdiction.ts';
export {
  assertPasswordPolicy,
  generatePassword,
  hashPassword,
  passwordProblems,
  verifyPassword,
} from './password.ts';
export {
  ANONYMOUS,
  authorize,
  authorizeAny,
  CITY_WIDE_ROLES,
  hasPermission,
  PERMISSIONS,
  type Permission,
  type Principal,
  permissionsOf,
  ROLE_PERMISSIONS,
  ROLES,
  type Role,
} from './permissions.ts';
export {
  canSeePersonalData,
  maskAddress,
  maskEmail,
  maskName,
  maskPersonalData,
  maskPhone,
  type PersonalData,
} from './pii-masking.ts';
export {
  invalidatePrincipals,
  invalidationOf,
  PRINCIPAL_INVALIDATED,
  type PrincipalInvalidated,
  type PrincipalInvalidation,
  principalCacheOf,
} from './principal-cache.ts';
export {
  type LoginResult,
  login,
  principalForSessionId,
  principalForToken,
  revokeSession,
  revokeUserSessions,
} from './sessions.ts';
export {
  type CreateUserInput,
  createUser,
  getUser,
  type ListUsersQuery,
  listUsers,
  resetPassword,
  type UpdateUserInput,
  type UserView,
  updateUser,
} from './users.ts';

/**
 * Builds the identity capability. Settings come from the environment unless given; the
 * first start creates the `admin` user.
 */
export function createIdentityCapability(options: { settings?: Partial<IdentitySettings> } = {}): Capability {
  // Per kernel: each app's config may carry its own settings.
  const settingsOf = new WeakMap<Kernel, IdentitySettings>();
  const resolve = (kernel: Kernel) => {
    let settings = settingsOf.get(kernel);
    if (!settings) {
      settings = loadIdentitySettings(capabilitySettings(kernel.config), options.settings);
      settingsOf.set(kernel, settings);
    }
    return settings;
  };
  /** One principal cache per kernel (a capability object may serve several apps in tests). */
  const cacheFor = (kernel: Kernel): PrincipalCache => {
    let cache = principalCacheOf(kernel);
    if (!cache) {
      const s = resolve(kernel);
      cache = new PrincipalCache({ ttlMs: s.principalCacheSeconds * 1000, maxEntries: s.principalCacheSize });
      attachPrincipalCache(kernel, cache);
    }
    return cache;
  };
  const started = new WeakSet<Kernel>();
  return {
    name: 'identity',
    migrations: identityMigrations,
    settingKeys: IDENTITY_SETTING_KEYS,
    async routes(app, kernel: Kernel) {
      cacheFor(kernel);
      app.addHook('onRoute', guardBeforeValidation);
      await registerRequestRateLimit(app, kernel);
      registerIdentityRoutes(app, kernel, resolve(kernel));
    },
    async start(kernel: Kernel) {
      resolve(kernel);
      const cache = cacheFor(kernel);
      if (!started.has(kernel)) {
        started.add(kernel);
        // Other nodes' revocations (and this node's own, a second time: harmless).
        identityEvents.subscribe(kernel.bus, PRINCIPAL_INVALIDATED, (event) =>
          cache.invalidate(invalidationOf(event)),
        );
        await scheduleThrottlePruning(kernel, resolve(kernel));
      }
      // Test runs build many apps; a generated password nobody can read is fine there.
      await ensureAdminUser(kernel, process.env.NODE_ENV === 'test' ? { announce: () => {} } : {});
    },
  };
}

/** The identity capability with settings from the environment. */
export const identityCapability: Capability = createIdentityCapability();
