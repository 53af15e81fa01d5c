/**
 * Citizen participation: Open311 GeoReport v2 (`/open311/v2/`), the citizen API behind the
 * portal (`/api/v1/citizen/`), the public board (`/api/v1/public/`) and the Smart Data
 * Models mapping of cases. Other capabilities import only from here.
 */
import path from 'node:path';
import { CASES, caseEvents } from '../cases/index.ts';
import { type Capability, capabilityKey, capabilitySettings } from '../kernel/index.ts';
import { ORG } from '../org/index.ts';
import { registerCitizenRoutes } from './citizen-routes.ts';
import { registerMediaRoutes } from './media-routes.ts';
import { FileSystemMediaStore, type MediaStore } from './media-store.ts';
import { open311ErrorFormatter } from './open311-errors.ts';
import { registerOpen311Routes } from './open311-routes.ts';
import type { Participation } from './participation-context.ts';
import { participationMigrations } from './participation-migrations.ts';
import {
  PARTICIPATION_SETTING_KEYS,
  type ParticipationSettings,
  participationSettingsFromEnv,
} from './participation-settings.ts';
import { IntakeRateLimits } from './rate-limiter.ts';
import { forgetApiKeys } from './report-intake.ts';
import { ReportQueueWorker } from './report-queue.ts';
import { ReportWriter, reportsOfCase } from './report-store.ts';
import { S3MediaStore } from './s3-media-store.ts';
import { isCitizenVisibleEvent, LogStatusNotifier, type StatusNotifier } from './status-updates.ts';

export { ANONYMOUS_REPORTER, type Participation, PUBLIC_READER } from './participation-context.ts';
export { participationMigrations } from './participation-migrations.ts';
export {
  DEFAULT_PARTICIPATION_SETTINGS,
  type IntakeMode,
  type ParticipationSettings,
  participationSettingsFromEnv,
  s3SettingsFromEnv,
} from './participation-settings.ts';
export { FileSystemMediaStore, type MediaStore, type StoredMedia } from './media-store.ts';
export { S3MediaStore, type S3MediaStoreOptions, type S3StoreSettings } from './s3-media-store.ts';
export { type MediaReference, STAFF_MEDIA_PATH } from './staff-media.ts';
export { sanitizeImage, sniffImageType, stripJpeg, stripPng, stripWebp } from './image-sanitizer.ts';
export {
  caseToIssueReporting,
  caseToServiceRequestEntity,
  type EntityContext,
  ISSUE_TRACKING_CONTEXT,
} from './smart-data-models.ts';
export { coarsenPoint, PUBLIC_CELL_DEGREES, redactContactDetails } from './location-privacy.ts';
export {
  LogStatusNotifier,
  MemoryStatusNotifier,
  type StatusNotifier,
  type StatusUpdate,
} from './status-updates.ts';
export { TokenBuckets } from './rate-limiter.ts';
export { spamReason } from './spam-check.ts';
export { toXml } from './open311-xml.ts';
export type {
  Open311Discovery,
  Open311Request,
  Open311Service,
  Open311ServiceDefinition,
  Open311Token,
} from './open311-documents.ts';

export interface ParticipationOptions {
  settings?: ParticipationSettings;
  notifier?: StatusNotifier;
  media?: MediaStore;
  staffMedia?: MediaStore;
}

/** What the participation capability's instance hands out (tests, benchmarks). */
export interface ParticipationServices {
  /** This app's participation context (settings, stores, limits, notifier). */
  readonly context: Participation;
  /** Files every queued report now (queued intake); resolves when the queue is empty. */
  drainQueue(): Promise<void>;
}

/** The key of the participation capability's services. */
export const PARTICIPATION = capabilityKey<ParticipationServices>('participation');

/**
 * Builds the participation capability. Settings come from the app's config (environment
 * or file) unless given; reports become cases through the cases capability's engine, and
 * addresses are placed with org's division index.
 */
export function createParticipationCapability(
  options: ParticipationOptions = {},
): Capability<ParticipationServices> {
  return {
    name: 'participation',
    dependencies: ['org', 'cases'],
    settingKeys: PARTICIPATION_SETTING_KEYS,
    migrations: participationMigrations,
    create({ kernel, use }) {
      const org = use(ORG);
      const { engine } = use(CASES);
      const s = options.settings ?? participationSettingsFromEnv(capabilitySettings(kernel.config));
      const uploadDir = s.uploadDir ?? path.join(kernel.config.dataDir, 'uploads');
      const s3 = s.uploadS3;
      const p: Participation = Object.freeze({
        kernel,
        settings: s,
        engine: () => engine,
        divisions: () => org.divisions(),
        media:
          options.media ??
          (s3 ? new S3MediaStore({ ...s3, logger: kernel.logger }) : new FileSystemMediaStore(uploadDir)),
        staffMedia:
          options.staffMedia ??
          (s3
            ? new S3MediaStore({ ...s3, prefix: `${s3.prefix}staff/`, logger: kernel.logger })
            : new FileSystemMediaStore(path.join(uploadDir, 'staff'))),
        limits: new IntakeRateLimits({
          perKey: s.ratePerKeyPerMinute,
          perDevice: s.ratePerDevicePerMinute,
          perAddress: s.ratePerAddressPerMinute,
        }),
        notifier: options.notifier ?? new LogStatusNotifier(kernel.logger),
        intakeLoad: { immediateInFlight: 0, backlog: false, lastPostAt: Number.NEGATIVE_INFINITY },
        boardSnapshots: new Map(),
        apiKeys: new Map(),
      });
      const writer = new ReportWriter(kernel.db);
      const worker = new ReportQueueWorker(p);
      const unsubscribes: Array<() => void> = [];
      let workerStarted = false;
      return {
        services: { context: p, drainQueue: () => worker.kick() },
        routes(app) {
          app.addErrorFormatter(open311ErrorFormatter);
          const onQueued = () => void worker.kick();
          registerOpen311Routes(
            app,
            () => p,
            () => writer,
            onQueued,
          );
          registerCitizenRoutes(
            app,
            () => p,
            () => writer,
            onQueued,
          );
          registerMediaRoutes(app, () => p);
        },
        start() {
          unsubscribes.push(kernel.bus.subscribe('identity.apikey.*', () => forgetApiKeys(p)));
          unsubscribes.push(
            caseEvents.subscribe(kernel.bus, 'case.*', async (event) => {
              if (!isCitizenVisibleEvent(event)) return;
              const d = event.data;
              for (const r of await reportsOfCase(kernel.db, d.caseId))
                await p.notifier.notify({
                  caseNumber: d.number,
                  token: r.token,
                  state: d.to,
                  event: event.type,
                  at: event.occurredAt,
                  contact: { email: r.contact_email, phone: r.contact_phone, deviceId: r.device_id },
                });
            }),
          );
          if (p.settings.intakeMode !== 'immediate') {
            worker.start();
            workerStarted = true;
          }
        },
        async stop() {
          for (const u of unsubscribes.splice(0)) u();
          if (workerStarted) await worker.stop();
          workerStarted = false;
          // Reports accepted before the server stopped are written before the database closes.
          await writer.drain();
        },
      };
    },
  };
}

/** The participation capability with settings from the environment. */
export const participationCapability: Capability<ParticipationServices> = createParticipationCapability();
