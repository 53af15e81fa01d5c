/**
 * The kernel's public face: configuration, storage, errors, clock, events, scheduler,
 * module registry, group commit, the HTTP conventions and the public-address check of outbound
 * requests. Capabilities import only from here.
 */
export { type Clock, type ZonedParts, zonedParts, ManualClock, systemClock } from './clock.ts';
export {
  CONFIG_KEYS,
  capabilitySettings,
  type Config,
  ConfigError,
  type LoadConfigOptions,
  loadConfig,
  redactUrl,
  type TrustProxy,
} from './config.ts';
export * from './errors.ts';
export {
  createEvent,
  type EventBus,
  type EventHandler,
  InProcessEventBus,
  LocalDispatcher,
  matchesPattern,
  type PlatformEvent,
} from './events/event-bus.ts';
export {
  defineEvents,
  type EventFamily,
  type EventMap,
  type EventMatching,
  type EventOf,
  type EventPattern,
  type EventTypeOf,
} from './events/event-family.ts';
export { registerHealthRoutes } from './http/health-routes.ts';
export {
  GroupCommit,
  type GroupCommitOptions,
  GroupCommits,
  type LoopKey,
  loopKey,
  type Outcome,
} from './group-commit.ts';
export * from './http/index.ts';
export {
  type Capability,
  type CapabilityContext,
  type CapabilityHost,
  type CapabilityInstance,
  type CapabilityInstances,
  type CapabilityKey,
  CapabilityOrderError,
  capabilityKey,
  capabilityPlugin,
  checkCapabilityOrder,
  instantiateCapabilities,
} from './capability.ts';
export {
  type CreateKernelOptions,
  createKernel,
  defaultModulesDir,
  type Kernel,
  kernelMigrations,
} from './kernel.ts';
export { createLogger, type Logger, REDACTED_PATHS, redactUrlQuery } from './logger.ts';
export * from './modules/index.ts';
export {
  findNonPublicAddress,
  isPrivateAddress,
  type NonPublicTarget,
  type PublicPostRequest,
  postToPublicAddress,
  type ResolveAll,
} from './public-address.ts';
export * from './scheduler/index.ts';
export * from './storage/index.ts';
