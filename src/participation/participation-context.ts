/**
 * What the participation services need, gathered once per app: the case engine, the
 * settings, the media store, the rate limits, the status notifier and the principals the
 * services act as.
 */
import type { CaseEngine, CaseView } from '../cases/index.ts';
import type { Principal } from '../identity/index.ts';
import type { Kernel } from '../kernel/index.ts';
import type { DivisionIndex } from '../org/index.ts';
import type { MediaStore } from './media-store.ts';
import type { ParticipationSettings } from './participation-settings.ts';
import type { IntakeRateLimits } from './rate-limiter.ts';
import type { StatusNotifier } from './status-updates.ts';

export interface Participation {
  readonly kernel: Kernel;
  readonly settings: ParticipationSettings;
  /** The started case engine (resolved lazily: cases starts before participation). */
  engine(): CaseEngine;
  /** The app's division index (org), for placing addresses. */
  divisions(): DivisionIndex;
  /** Citizens' photos, served publicly by content name. */
  readonly media: MediaStore;
  /** Staff evidence photos (`<UPLOAD_DIR>/staff`), served only through a case that cites them. */
  readonly staffMedia: MediaStore;
  readonly limits: IntakeRateLimits;
  readonly notifier: StatusNotifier;
  /**
   * What `auto` intake decides by: reports this node is filing inside their POST right now,
   * and whether reports it queued may still wait (set when one is queued, cleared when the
   * worker finds the queue empty): while they wait, new posts queue behind them, first
   * come first numbered; and when this node last accepted a post (`performance.now()`), so
   * the queue worker files its backlog while posts pause (report-queue.ts).
   */
  readonly intakeLoad: { immediateInFlight: number; backlog: boolean; lastPostAt: number };
  /** The public board's snapshots of this app's cases, by window in days (public-board.ts). */
  readonly boardSnapshots: Map<number, BoardSnapshot>;
  /** Principals of api_keys seen lately (30 s; revocation events clear it: report-intake.ts). */
  readonly apiKeys: Map<string, { principal: Principal; until: number }>;
}

/** One read of a window's public cases, reused for 30 seconds. */
export interface BoardSnapshot {
  at: number;
  cases: CaseView[];
  truncated: boolean;
}

/** Who files reports that come in without an api_key (when anonymous posting is on). */
export const ANONYMOUS_REPORTER: Principal = Object.freeze({
  kind: 'service',
  id: 'system:participation-anonymous',
  username: 'anonymous-citizen',
  roles: ['citizen'],
  departmentCodes: [],
  divisionCodes: [],
}) as Principal;

/**
 * Who reads cases for the public faces (Open311 GET, public board): read-only, city-wide,
 * scoped to `case.read`. What it reads is stripped of personal data before it leaves.
 */
export const PUBLIC_READER: Principal = Object.freeze({
  kind: 'service',
  id: 'system:participation-public',
  username: 'public-reader',
  roles: ['auditor'],
  departmentCodes: [],
  divisionCodes: [],
  scopes: ['case.read'],
}) as Principal;
