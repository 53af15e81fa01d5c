/**
 * Perception: rules on sensor data → alerts → cases (docs/perception.md). The rules wing is
 * the pure semantics; around it, the evaluator's state and the alerts in the database,
 * evaluation exactly once on any number of nodes, the cases alerts open, and the alerts API.
 * Other capabilities import only from here.
 */
import { CASES, caseEvents } from '../cases/index.ts';
import { datahubEvents } from '../datahub/index.ts';
import { type Capability, capabilityKey } from '../kernel/index.ts';
import { noteCaseClosed } from './alert-cases.ts';
import { perceptionMigrations } from './perception-migrations.ts';
import { registerPerceptionRoutes } from './perception-routes.ts';
import { PerceptionRunner } from './perception-runner.ts';
import { type RuleCatalog, ruleCatalog } from './rule-catalog.ts';
import type { EvaluatorOptions } from './rules/index.ts';

export * from './rules/index.ts';
export {
  ALERT_STATES,
  type AlertState,
  type AlertView,
  CASE_LINK_STATUSES,
  type CaseLinkStatus,
} from './alert-model.ts';
export { acknowledgeAlert, getAlert, type ListAlertsQuery, listAlerts, resolveAlert } from './alerts.ts';
export { PERCEPTION_PRINCIPAL } from './alert-cases.ts';
export { type EvaluationReport, evaluateDevices, PERCEPTION_ACTOR } from './evaluation.ts';
export {
  type AlertAcknowledged,
  type AlertRaised,
  type AlertResolved,
  type PerceptionEvent,
  type PerceptionEventMap,
  perceptionEvents,
} from './perception-events.ts';
export { perceptionMigrations } from './perception-migrations.ts';
export type { CatalogRule, RuleCatalog } from './rule-catalog.ts';

/** How often every watched device is ticked (absences, catching up). */
export const TICK_EVERY_MS = 15_000;

/** What the perception capability hands out (tests, the CLI). */
export interface PerceptionServices {
  /** The enabled plates' rules. */
  readonly catalog: RuleCatalog;
  /** Evaluates these devices now (what `observation.latest` does). */
  wake(deviceIds: Iterable<string>): void;
  /** Evaluates every watched device with the clock's time, then reports pending cases. */
  tick(): Promise<void>;
  /** Resolves once no evaluation or case report is waiting or running. */
  idle(): Promise<void>;
}

/** The key of the perception capability's services. */
export const PERCEPTION = capabilityKey<PerceptionServices>('perception');

export interface PerceptionOptions {
  /** Tick period (default {@link TICK_EVERY_MS}); 0: no periodic tick (tests tick by hand). */
  tickEveryMs?: number;
  evaluator?: EvaluatorOptions;
}

/**
 * Builds the perception capability. It reads the data hub's observations; with the cases
 * capability in the app, alerts of rules with `createCase` open cases, without it none.
 */
export function createPerceptionCapability(options: PerceptionOptions = {}): Capability<PerceptionServices> {
  return {
    name: 'perception',
    dependencies: ['datahub'],
    optionalDependencies: ['cases'],
    migrations: perceptionMigrations,
    create({ kernel, find }) {
      const catalog = ruleCatalog(kernel.modules);
      const engine = find(CASES)?.engine;
      const runner = new PerceptionRunner(
        {
          db: kernel.db,
          clock: kernel.clock,
          bus: kernel.bus,
          logger: kernel.logger,
          catalog,
          opensCases: engine !== undefined,
          options: options.evaluator,
        },
        engine,
      );
      const offs: Array<() => void> = [];
      let timer: NodeJS.Timeout | null = null;
      const tickSafely = () =>
        runner.tickAll().catch((err) => kernel.logger.error({ err }, 'perception: tick failed'));
      return {
        services: {
          catalog,
          wake: (ids) => runner.wake(ids),
          tick: () => runner.tickAll(),
          idle: () => runner.idle(),
        },
        routes(app) {
          registerPerceptionRoutes(app, kernel);
        },
        start() {
          const watched = new Set(catalog.sensorTypes);
          offs.push(
            datahubEvents.subscribe(kernel.bus, 'observation.latest', (event) => {
              if (watched.has(event.data.sensorType)) runner.wake([event.data.deviceId]);
            }),
          );
          if (engine)
            offs.push(
              // `close`, or `verify` with a pass: the case's transition ends in `closed`.
              caseEvents.subscribe(kernel.bus, 'case.*', async (event) => {
                const data = event.data as { caseId: string; to?: string };
                if (data.to === 'closed')
                  await noteCaseClosed(kernel.db, data.caseId, new Date(event.occurredAt));
              }),
            );
          const every = options.tickEveryMs ?? (kernel.config.schedulerEnabled ? TICK_EVERY_MS : 0);
          if (every > 0) {
            void tickSafely();
            timer = setInterval(() => void tickSafely(), every);
            timer.unref();
          }
        },
        async stop() {
          if (timer) clearInterval(timer);
          for (const off of offs) off();
          await runner.stop();
        },
      };
    },
  };
}

/** Perception with defaults. */
export const perceptionCapability: Capability<PerceptionServices> = createPerceptionCapability();
