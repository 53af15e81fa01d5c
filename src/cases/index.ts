/**
 * The closed loop (docs/design.md#the-closed-loop): intake, the state machine of two tracks, dispatch by the
 * responsibility list, the SLA clock and its timers, linkage (whistle and report-in) and
 * citizen evaluation. Other capabilities import only from here.
 */
import { type Capability, capabilitySettings, type Kernel } from '../kernel/index.ts';
import {
  createCaseEngine,
  platformDependencies,
  type CaseDependencies,
  type CaseEngine,
} from './case-engine.ts';
import { caseMigrations } from './case-migrations.ts';
import { caseMigrations0450 } from './case-migrations-0450.ts';
import { registerCaseRoutes } from './case-routes.ts';
import { CaseStreamHub, DEFAULT_STREAM_OPTIONS, type StreamOptions } from './case-stream.ts';
import { type CitizenNotifier, LogCitizenNotifier, registerCitizenUpdateJobs } from './citizen-updates.ts';
import { registerOutreachRoutes } from './outreach-routes.ts';
import { DEFAULT_WEBHOOK_POLICY, registerWebhookJobs, type WebhookPolicy } from './webhooks.ts';
import { CASE_SETTING_KEYS, type CaseSettings, caseSettingsFromEnv } from './case-settings.ts';
import { registerLinkageJobs } from './linkage.ts';
import { registerLinkageRoutes } from './linkage-routes.ts';
import { intakeBatcher } from './intake.ts';
import { registerSlaJobs } from './sla-timers.ts';
import { transitionBatcher } from './transition-batch.ts';

export { type ActionParams, applyAction } from './case-actions.ts';
export type { CaseDependencies, CaseEngine, LocatedPoint, Responsibility } from './case-engine.ts';
export { caseMigrations } from './case-migrations.ts';
export { CaseStreamHub, type StreamOptions } from './case-stream.ts';
export { type CitizenMessage, type CitizenNotifier, LogCitizenNotifier } from './citizen-updates.ts';
export {
  CITIZEN_CHANNELS,
  computeIndicators,
  DEFAULT_WEIGHTS,
  localMidnight,
  type IndicatorQuery,
  type IndicatorReport,
  rankIndicators,
} from './indicators.ts';
export { type SimulationOptions, type SimulationSummary, simulateCity } from './simulator.ts';
export { signWebhook, type WebhookPolicy, webhookBackoffSeconds } from './webhooks.ts';
export * from './case-model.ts';
export { type CaseList, type CaseListFilter, getCase, getCaseHistory, listCases } from './case-queries.ts';
export { type CaseReach, caseReadReach } from './case-store.ts';
export { type CaseSettings, caseSettingsFromEnv, DEFAULT_CASE_SETTINGS } from './case-settings.ts';
export { type AlongsideRow, distanceMeters, type IntakeInput, intakeBatcher, reportCase } from './intake.ts';
export * from './sla-clock.ts';
export {
  CASE_ACTIONS,
  type CaseAction,
  GUARDS,
  renderTransitionTable,
  TRANSITIONS,
  type Track,
  type Transition,
} from './transitions.ts';

/** The engine of a started cases capability, for services of other capabilities (participation). */
const engines = new WeakMap<Kernel, CaseEngine>();

/** The case engine of a kernel whose cases capability has started. */
export function caseEngineOf(kernel: Kernel): CaseEngine {
  const engine = engines.get(kernel);
  if (!engine) throw new Error('The cases capability has not started on this kernel.');
  return engine;
}

/** The live stream hub of a kernel whose cases capability has routes (metrics read its size). */
const streamHubs = new WeakMap<Kernel, CaseStreamHub>();

/** Live case streams (SSE) open on this node; 0 before the cases capability has routes. */
export function liveStreamsOpen(kernel: Kernel): number {
  return streamHubs.get(kernel)?.size ?? 0;
}

/**
 * Builds the cases capability. Settings come from the environment unless given; `deps`
 * replaces the org/audit contracts only in tests.
 */
export function createCasesCapability(
  options: {
    settings?: CaseSettings;
    deps?: Partial<CaseDependencies>;
    /** How citizens are contacted (default: the log adapter). */
    citizenNotifier?: CitizenNotifier;
    webhookPolicy?: WebhookPolicy;
    stream?: Partial<StreamOptions>;
  } = {},
): Capability {
  const hubs = new WeakMap<Kernel, CaseStreamHub>();
  let started: CaseStreamHub | null = null;
  let running: CaseEngine | null = null;
  // Per kernel: each app's config may carry its own settings.
  const settingsOf = new WeakMap<Kernel, CaseSettings>();
  const resolve = (kernel: Kernel) => {
    let settings = settingsOf.get(kernel);
    if (!settings) {
      settings = options.settings ?? caseSettingsFromEnv(capabilitySettings(kernel.config));
      settingsOf.set(kernel, settings);
    }
    return settings;
  };
  const streamOptionsOf = (kernel: Kernel): StreamOptions => {
    const settings = resolve(kernel);
    return {
      ...DEFAULT_STREAM_OPTIONS,
      maxPerPrincipal: settings.streamMaxPerPrincipal,
      maxPerNode: settings.streamMaxPerNode,
      ...options.stream,
    };
  };
  const engineOf = (kernel: Kernel) => {
    let engine = engines.get(kernel);
    if (!engine) {
      engine = createCaseEngine(kernel, resolve(kernel), { ...platformDependencies, ...options.deps });
      engines.set(kernel, engine);
    }
    return engine;
  };
  return {
    name: 'cases',
    settingKeys: CASE_SETTING_KEYS,
    migrations: { ...caseMigrations, ...caseMigrations0450 },
    routes(app, kernel) {
      resolve(kernel);
      const hubOf = () => {
        let hub = hubs.get(kernel);
        if (!hub) {
          hub = new CaseStreamHub(engineOf(kernel), streamOptionsOf(kernel));
          hubs.set(kernel, hub);
          streamHubs.set(kernel, hub);
        }
        return hub;
      };
      registerCaseRoutes(app, () => engineOf(kernel));
      registerOutreachRoutes(app, () => engineOf(kernel), hubOf);
      registerLinkageRoutes(app, () => engineOf(kernel));
    },
    start(kernel) {
      const engine = engineOf(kernel);
      registerSlaJobs(engine);
      registerLinkageJobs(engine);
      registerWebhookJobs(engine, options.webhookPolicy ?? DEFAULT_WEBHOOK_POLICY);
      registerCitizenUpdateJobs(engine, options.citizenNotifier ?? new LogCitizenNotifier(kernel.logger));
      let hub = hubs.get(kernel);
      if (!hub) {
        hub = new CaseStreamHub(engine, streamOptionsOf(kernel));
        hubs.set(kernel, hub);
        streamHubs.set(kernel, hub);
      }
      hub.start();
      started = hub;
      running = engine;
    },
    async stop() {
      started?.close();
      // Requests still queued for a group commit finish before storage closes.
      if (running) await Promise.all([intakeBatcher(running).idle(), transitionBatcher(running).idle()]);
    },
  };
}

/** The cases capability with settings from the environment. */
export const casesCapability: Capability = createCasesCapability();
