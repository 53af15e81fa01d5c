/**
 * Citizen participation: Open311 GeoReport v2 (`/open311/v2/`), the citizen API behind the
 * portal (`/api/v1/citizen/`), the public board (`/api/v1/public/`) and the Smart Data
 * Models mapping of cases. Other capabilities import only from here.
 */
import path from 'node:path';
import { caseEngineOf, caseEvents } from '../cases/index.ts';
import { type Capability, capabilitySettings, type Kernel } from '../kernel/index.ts';
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

export interface ParticipationOptions {
  settings?: ParticipationSettings;
  notifier?: StatusNotifier;
  media?: MediaStore;
  staffMedia?: MediaStore;
}

/** The participation context of a kernel whose capability has started (tests, other faces). */
const contexts = new WeakMap<Kernel, Participation>();

/** Builds the participation capability. Settings come from the environment unless given. */
export function createParticipationCapability(options: ParticipationOptions = {}): Capability & {
  /** Files every queued report now (queued intake); resolves when the queue is empty. */
  drainQueue(kernel: Kernel): Promise<void>;
} {
  // Per kernel: each app's config may carry its own settings.
  const settingsOf = new WeakMap<Kernel, ParticipationSettings>();
  const resolve = (kernel: Kernel) => {
    let settings = settingsOf.get(kernel);
    if (!settings) {
      settings = options.settings ?? participationSettingsFromEnv(capabilitySettings(kernel.config));
      settingsOf.set(kernel, settings);
    }
    return settings;
  };
  const writers = new WeakMap<Kernel, ReportWriter>();
  /** Writers of the kernels started and not yet stopped (stop waits for their rows). */
  const openWriters = new Set<ReportWriter>();
  const workers = new WeakMap<Kernel, ReportQueueWorker>();
  const unsubscribes: Array<() => void> = [];
  const started: ReportQueueWorker[] = [];

  const contextOf = (kernel: Kernel): Participation => {
    let p = contexts.get(kernel);
    if (!p) {
      const s = resolve(kernel);
      const uploadDir = s.uploadDir ?? path.join(kernel.config.dataDir, 'uploads');
      const s3 = s.uploadS3;
      p = Object.freeze({
        kernel,
        settings: s,
        engine: () => caseEngineOf(kernel),
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
        intakeLoad: { immediateInFlight: 0, backlog: false },
      });
      contexts.set(kernel, p);
    }
    return p;
  };
  const writerOf = (kernel: Kernel) => {
    let w = writers.get(kernel);
    if (!w) {
      w = new ReportWriter(kernel.db);
      writers.set(kernel, w);
      openWriters.add(w);
    }
    return w;
  };
  const workerOf = (kernel: Kernel) => {
    let w = workers.get(kernel);
    if (!w) {
      const writer = writerOf(kernel);
      w = new ReportQueueWorker(contextOf(kernel), { lastPostAt: () => writer.lastInsertAt });
      workers.set(kernel, w);
    }
    return w;
  };

  return {
    name: 'participation',
    settingKeys: PARTICIPATION_SETTING_KEYS,
    migrations: participationMigrations,
    routes(app, kernel) {
      resolve(kernel);
      app.addErrorFormatter(open311ErrorFormatter);
      const onQueued = () => void workerOf(kernel).kick();
      registerOpen311Routes(
        app,
        () => contextOf(kernel),
        () => writerOf(kernel),
        onQueued,
      );
      registerCitizenRoutes(
        app,
        () => contextOf(kernel),
        () => writerOf(kernel),
        onQueued,
      );
      registerMediaRoutes(app, () => contextOf(kernel));
    },
    start(kernel) {
      const p = contextOf(kernel);
      unsubscribes.push(kernel.bus.subscribe('identity.apikey.*', () => forgetApiKeys()));
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
        const worker = workerOf(kernel);
        worker.start();
        started.push(worker);
      }
    },
    async stop() {
      for (const u of unsubscribes.splice(0)) u();
      for (const w of started.splice(0)) await w.stop();
      // Reports accepted before the server stopped are written before the database closes.
      for (const w of openWriters) await w.idle();
      openWriters.clear();
    },
    drainQueue: (kernel) => workerOf(kernel).kick(),
  };
}

/** The participation capability with settings from the environment. */
export const participationCapability = createParticipationCapability();
