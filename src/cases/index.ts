/**
 * The closed loop (docs/design.md#the-closed-loop): intake, the state machine of two tracks, dispatch by the
 * responsibility list, the SLA clock and its timers, linkage (whistle and report-in) and
 * citizen evaluation. Other capabilities import only from here.
 */
import { type Capability, capabilityKey, capabilitySettings } from '../kernel/index.ts';
import { ORG } from '../org/index.ts';
import {
  createCaseEngine,
  platformDependencies,
  type CaseDependencies,
  type CaseEngine,
} from './case-engine.ts';
import { caseMigrations } from './store/case-migrations.ts';
import { caseMigrations0450 } from './store/case-migrations-0450.ts';
import { registerCaseRoutes } from './workflow/case-routes.ts';
import { CaseStreamHub, DEFAULT_STREAM_OPTIONS, type StreamOptions } from './stream/case-stream.ts';
import {
  type CitizenNotifier,
  LogCitizenNotifier,
  registerCitizenUpdateJobs,
} from './outreach/citizen-updates.ts';
import { registerOutreachRoutes } from './outreach/outreach-routes.ts';
import { DEFAULT_WEBHOOK_POLICY, registerWebhookJobs, type WebhookPolicy } from './outreach/webhooks.ts';
import { CASE_SETTING_KEYS, type CaseSettings, caseSettingsFromEnv } from './case-settings.ts';
import { registerLinkageJobs } from './workflow/linkage.ts';
import { registerLinkageRoutes } from './workflow/linkage-routes.ts';
import { registerSlaJobs } from './timers/sla-timers.ts';

export { type ActionParams, applyAction } from './workflow/case-actions.ts';
export type { CaseDependencies, CaseEngine, LocatedPoint, Responsibility } from './case-engine.ts';
export {
  type CaseEscalatedBySla,
  type CaseEvent,
  type CaseEventMap,
  type CaseReported,
  type CaseReportInMissed,
  type CaseSlaYellow,
  type CaseSupervisedBySla,
  type CaseTransitioned,
  type CaseTransitionEvent,
  type CaseTransitionEventType,
  caseEvents,
  type EscalationParams,
} from './rules/case-events.ts';
export { caseMigrations } from './store/case-migrations.ts';
export { CaseStreamHub, type StreamOptions } from './stream/case-stream.ts';
export { type CitizenMessage, type CitizenNotifier, LogCitizenNotifier } from './outreach/citizen-updates.ts';
export {
  CITIZEN_CHANNELS,
  computeIndicators,
  DEFAULT_WEIGHTS,
  localMidnight,
  type IndicatorQuery,
  type IndicatorReport,
  rankIndicators,
} from './indicators/indicators.ts';
export { signWebhook, type WebhookPolicy, webhookBackoffSeconds } from './outreach/webhooks.ts';
export * from './rules/case-model.ts';
export {
  type CaseList,
  type CaseListFilter,
  getCase,
  getCaseHistory,
  listCases,
} from './store/case-queries.ts';
export { type CaseReach, caseReadReach } from './store/case-store.ts';
export { type CaseSettings, caseSettingsFromEnv, DEFAULT_CASE_SETTINGS } from './case-settings.ts';
export {
  type AlongsideRow,
  distanceMeters,
  type IntakeInput,
  intakeBatcher,
  reportCase,
} from './intake/intake.ts';
export * from './rules/sla-clock.ts';
export {
  CASE_ACTIONS,
  type CaseAction,
  GUARDS,
  renderTransitionTable,
  TRANSITIONS,
  type Track,
  type Transition,
} from './rules/transitions.ts';

/** What the cases capability hands to its dependents (participation, ngsi-ld, operations). */
export interface CasesServices {
  /** This app's case engine. */
  readonly engine: CaseEngine;
  /** Live case streams (SSE) open on this node. */
  liveStreamsOpen(): number;
}

/** The key of the cases capability's services. */
export const CASES = capabilityKey<CasesServices>('cases');

/**
 * Builds the cases capability. Settings come from the app's config (environment or file)
 * unless given; `deps` replaces the org/audit contracts only in tests.
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
): Capability<CasesServices> {
  return {
    name: 'cases',
    // Point lookup and the responsibility list (org's instance holds their caches).
    dependencies: ['org'],
    settingKeys: CASE_SETTING_KEYS,
    migrations: { ...caseMigrations, ...caseMigrations0450 },
    create({ kernel, use }) {
      const settings = options.settings ?? caseSettingsFromEnv(capabilitySettings(kernel.config));
      const engine = createCaseEngine(kernel, settings, {
        ...platformDependencies(use(ORG)),
        ...options.deps,
      });
      const hub = new CaseStreamHub(engine, {
        ...DEFAULT_STREAM_OPTIONS,
        maxPerPrincipal: settings.streamMaxPerPrincipal,
        maxPerNode: settings.streamMaxPerNode,
        ...options.stream,
      });
      let started = false;
      return {
        services: { engine, liveStreamsOpen: () => hub.size },
        routes(app) {
          registerCaseRoutes(app, () => engine);
          registerOutreachRoutes(
            app,
            () => engine,
            () => hub,
          );
          registerLinkageRoutes(app, () => engine);
        },
        start() {
          registerSlaJobs(engine);
          registerLinkageJobs(engine);
          registerWebhookJobs(engine, options.webhookPolicy ?? DEFAULT_WEBHOOK_POLICY);
          registerCitizenUpdateJobs(engine, options.citizenNotifier ?? new LogCitizenNotifier(kernel.logger));
          hub.start();
          started = true;
        },
        async stop() {
          if (!started) return;
          hub.close();
          // Requests still queued for a group commit finish before storage closes.
          await engine.loops.drain();
        },
      };
    },
  };
}

/** The cases capability with settings from the environment. */
export const casesCapability: Capability<CasesServices> = createCasesCapability();
