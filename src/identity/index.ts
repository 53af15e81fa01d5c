/**
 * Identity and access: users, roles, sessions, API keys, the permission matrix,
 * jurisdiction scope and personal-data masking. Other capabilities import only from here.
 */
import { type Capability, capabilityKey, capabilitySettings } from '../kernel/index.ts';
import { guardBeforeValidation } from './authenticate.ts';
import { ensureAdminUser } from './bootstrap.ts';
import { identityEvents } from './identity-events.ts';
import { identityMigrations } from './identity-migrations.ts';
import { registerIdentityRoutes } from './identity-routes.ts';
import { scheduleThrottlePruning } from './login-throttle.ts';
import { registerRequestRateLimit } from './request-rate-limit.ts';
import { IDENTITY_SETTING_KEYS, type IdentitySettings, loadIdentitySettings } from './identity-settings.ts';
import { invalidationOf, PRINCIPAL_INVALIDATED, PrincipalCache } from './principal-cache.ts';

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
  invalidationOf,
  PRINCIPAL_INVALIDATED,
  PrincipalCache,
  type PrincipalInvalidated,
  type PrincipalInvalidation,
  type PrincipalInvalidator,
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

/** What the identity capability's instance hands out. */
export interface IdentityServices {
  readonly settings: IdentitySettings;
  /** This app's cache of resolved credentials (docs/identity.md). */
  readonly principalCache: PrincipalCache;
}

/** The key of the identity capability's services. */
export const IDENTITY = capabilityKey<IdentityServices>('identity');

/**
 * Builds the identity capability. Settings come from the app's config (environment or
 * file) unless given; the first start creates the `admin` user.
 */
export function createIdentityCapability(
  options: { settings?: Partial<IdentitySettings> } = {},
): Capability<IdentityServices> {
  return {
    name: 'identity',
    migrations: identityMigrations,
    settingKeys: IDENTITY_SETTING_KEYS,
    create({ kernel }) {
      const settings = loadIdentitySettings(capabilitySettings(kernel.config), options.settings);
      const cache = new PrincipalCache({
        ttlMs: settings.principalCacheSeconds * 1000,
        maxEntries: settings.principalCacheSize,
      });
      let unsubscribe: (() => void) | null = null;
      return {
        services: { settings, principalCache: cache },
        async routes(app) {
          // `authenticate` finds it on the app (request.server), whichever capability's route runs.
          app.decorate('principalCache', cache);
          app.addHook('onRoute', guardBeforeValidation);
          await registerRequestRateLimit(app, kernel);
          registerIdentityRoutes(app, kernel, settings);
        },
        async start() {
          // Other nodes' revocations (and this node's own, a second time: harmless).
          unsubscribe = identityEvents.subscribe(kernel.bus, PRINCIPAL_INVALIDATED, (event) =>
            cache.invalidate(invalidationOf(event)),
          );
          await scheduleThrottlePruning(kernel, settings);
          // Test runs build many apps; a generated password nobody can read is fine there.
          await ensureAdminUser(kernel, process.env.NODE_ENV === 'test' ? { announce: () => {} } : {});
        },
        stop() {
          unsubscribe?.();
          unsubscribe = null;
        },
      };
    },
  };
}

/** The identity capability with settings from the environment. */
export const identityCapability: Capability<IdentityServices> = createIdentityCapability();
