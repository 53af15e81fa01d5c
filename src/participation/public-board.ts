/**
 * The public board: open and closed cases on a map and counts and indicators per district,
 * for anyone, with no personal data. Each case appears at the centre of its ~200 m cell
 * (location-privacy.ts), with its category, status and dates only — no description,
 * address, photos or people. Figures are computed from one snapshot of the window's cases
 * read through the case engine, cached for 30 seconds per window so that public traffic
 * never reaches the database more than twice a minute.
 */
import { type CaseView, listCases } from '../cases/index.ts';
import { InvalidInputError } from '../kernel/index.ts';
import { CLOSED_STATES, open311Status, stateLabel } from './case-status.ts';
import { isoWithOffset } from './local-time.ts';
import { coarsenPoint } from './location-privacy.ts';
import { categoryName, isPublicService, type Language } from './open311-services.ts';
import { type BoardSnapshot, PUBLIC_READER, type Participation } from './participation-context.ts';

const CACHE_MS = 30_000;
const PAGE = 500;
/** At most this many cases feed one snapshot (newest first). */
export const SNAPSHOT_LIMIT = 20_000;

async function snapshot(p: Participation, days: number): Promise<BoardSnapshot> {
  const byDays = p.boardSnapshots;
  const hit = byDays.get(days);
  const nowMs = Date.now();
  if (hit && nowMs - hit.at < CACHE_MS) return hit;
  const from = new Date(p.kernel.clock.now().getTime() - days * 86_400_000);
  const cases: CaseView[] = [];
  let truncated = false;
  for (let offset = 0; ; offset += PAGE) {
    const page = await listCases(p.kernel.db, PUBLIC_READER, { reportedFrom: from, limit: PAGE, offset });
    for (const c of page.items) {
      const cat = p.kernel.modules.category(c.category);
      if (cat && isPublicService(cat)) cases.push(c);
    }
    if (page.items.length < PAGE) break;
    if (offset + PAGE >= SNAPSHOT_LIMIT) {
      truncated = true;
      break;
    }
  }
  const snap = { at: nowMs, cases, truncated };
  byDays.set(days, snap);
  return snap;
}

/** Forgets cached snapshots (tests, after a burst of changes). */
export function forgetBoardSnapshots(p: Participation): void {
  p.boardSnapshots.clear();
}

export interface BoardQuery {
  status?: 'open' | 'closed';
  service_code?: string;
  district?: string;
  days?: number;
}

function windowDays(days: number | undefined): number {
  const d = days ?? 30;
  if (!Number.isInteger(d) || d < 1 || d > 90)
    throw new InvalidInputError('days is a whole number from 1 to 90.', { field: 'days' });
  return d;
}

/** Cases on the map as a GeoJSON FeatureCollection. */
export async function publicCaseMap(p: Participation, q: BoardQuery, lang: Language) {
  const snap = await snapshot(p, windowDays(q.days));
  const tz = p.kernel.config.timeZone;
  const features = snap.cases
    .filter((c) => !q.status || open311Status(c.state) === q.status)
    .filter((c) => !q.service_code || c.category === q.service_code)
    .filter((c) => !q.district || c.divisions.district === q.district)
    .map((c) => {
      const point = coarsenPoint(c.location.lat, c.location.lon);
      return {
        type: 'Feature' as const,
        geometry: { type: 'Point' as const, coordinates: [point.lon, point.lat] },
        properties: {
          number: c.number,
          serviceCode: c.category,
          serviceName: categoryName(p.kernel.modules, c.category, lang),
          status: open311Status(c.state),
          stateLabel: stateLabel(c.state, lang),
          district: c.divisions.district,
          reportedAt: isoWithOffset(c.reportedAt, tz),
          closedAt: c.closedAt ? isoWithOffset(c.closedAt, tz) : null,
        },
      };
    });
  return { type: 'FeatureCollection' as const, features, truncated: snap.truncated };
}

/** Counts and indicators of one district over the window. */
export interface DistrictFigures {
  district: string;
  received: number;
  open: number;
  closed: number;
  /** Closed (closed or evaluated) ÷ received minus rejected and merged. */
  closureRate: number | null;
  rated: number;
  /** (satisfied + basically satisfied) ÷ rated, docs/indicators.md#definitions. */
  satisfactionRate: number | null;
}

const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 10_000) / 10_000 : null);

/** Counts and indicators per district. */
export async function districtFigures(p: Participation, q: { days?: number }) {
  const days = windowDays(q.days);
  const snap = await snapshot(p, days);
  const by = new Map<
    string,
    { received: number; open: number; closed: number; void: number; rated: number; satisfied: number }
  >();
  for (const c of snap.cases) {
    const d = c.divisions.district ?? 'unknown';
    let f = by.get(d);
    if (!f) {
      f = { received: 0, open: 0, closed: 0, void: 0, rated: 0, satisfied: 0 };
      by.set(d, f);
    }
    f.received++;
    if (!CLOSED_STATES.includes(c.state)) f.open++;
    else if (c.state === 'closed' || c.state === 'evaluated') f.closed++;
    else f.void++;
    if (c.satisfaction) {
      f.rated++;
      if (c.satisfaction !== 'unsatisfied') f.satisfied++;
    }
  }
  const districts: DistrictFigures[] = [...by.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([district, f]) => ({
      district,
      received: f.received,
      open: f.open,
      closed: f.closed,
      closureRate: ratio(f.closed, f.received - f.void),
      rated: f.rated,
      satisfactionRate: ratio(f.satisfied, f.rated),
    }));
  return { days, truncated: snap.truncated, districts };
}
