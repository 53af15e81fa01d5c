/**
 * Intake: a report from any channel becomes a case in state `reported`, numbered, placed
 * in its divisions, with its stage clock running and its duplicate candidates attached.
 * Idempotent on the client request id of its channel.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { authorize, maskPersonalData, type Principal } from '../../identity/index.ts';
import {
  type Db,
  type GroupCommit,
  loopKey,
  InvalidInputError,
  type Outcome,
  type PlatformEvent,
  type RegisteredCategory,
  type Urgency,
} from '../../kernel/index.ts';
import type { CaseEngine, LocatedPoint } from '../case-engine.ts';
import {
  OPEN_CASE_NUMBER_SQL,
  OPEN_CASE_PLACE_SQL,
  OPEN_POINT_STATES_SQL,
} from '../store/case-migrations-0450.ts';
import type { CaseView, Channel, Reporter } from '../rules/case-model.ts';
import { formatCaseNumber } from '../rules/case-number.ts';
import { reserveCaseNumbers } from '../store/case-number-counter.ts';
import { recordCaseEvents } from '../store/case-outbox.ts';
import {
  type CaseRow,
  findCaseRow,
  loadCaseDetail,
  insertRowsTogether,
  type StageRow,
  toCaseView,
} from '../store/case-store.ts';
import { localDate, type StageClock, thresholds } from '../rules/sla-clock.ts';
import { nextThresholdJob } from '../timers/sla-timers.ts';
import { caseEvents } from '../rules/case-events.ts';

/** A report as any channel delivers it. */
export interface IntakeInput {
  channel: Channel;
  /** The caller's id of this report; a repeat with the same id returns the same case. */
  clientRequestId?: string;
  category: string;
  urgency?: Urgency;
  location: { lat: number; lon: number };
  address?: string;
  description: string;
  media?: string[];
  reporter?: { name?: string; phone?: string; email?: string; address?: string; consent?: boolean };
  /** The perception alert that raised the case. */
  parentAlertId?: string;
}

const EARTH_RADIUS_M = 6_371_008.8;

/** Great-circle distance in metres. */
export function distanceMeters(aLat: number, aLon: number, bLat: number, bLon: number): number {
  const rad = Math.PI / 180;
  const dLat = (bLat - aLat) * rad;
  const dLon = (bLon - aLon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(aLat * rad) * Math.cos(bLat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

const isUniqueViolation = (e: unknown) => (e as { code?: string })?.code === '23505';

/**
 * What the duplicate probe looks for: open cases of a category reported since a moment,
 * nearest to a place given on the Mercator plane of the probe's index ({@link mercator}).
 */
export interface DuplicateProbe {
  category: string;
  lat: number;
  lon: number;
  /** The place on the Mercator plane. */
  x: number;
  y: number;
  since: Date;
  /** A case that is not its own duplicate. */
  exclude?: string;
}

/**
 * A place on the Mercator plane, as `OPEN_CASE_PLACE_SQL` computes it for the index (the
 * latitude held within ±85°).
 */
function mercator(lat: number, lon: number): { x: number; y: number } {
  const rad = Math.PI / 180;
  const phi = Math.max(-85, Math.min(85, lat)) * rad;
  return { x: lon * rad, y: Math.log(Math.tan(Math.PI / 4 + phi / 2)) };
}

/** The probe of a report of `category` at a place, received at `now`. */
export function probeOf(
  engine: CaseEngine,
  category: string,
  lat: number,
  lon: number,
  now: Date,
): DuplicateProbe {
  return {
    category,
    lat,
    lon,
    ...mercator(lat, lon),
    since: new Date(now.getTime() - engine.settings.duplicateWindowHours * 3_600_000),
  };
}

/**
 * The statement of {@link openCasesNear}: for each probe, one walk of the GiST index of open
 * cases (`case_record_open_nearest`, migration 0462) that takes its category and window as
 * index conditions and its order from the index (distance on the Mercator plane, then
 * number), so it reads the `most` rows it answers however many open cases share the place.
 * It looks beyond the radius when fewer are inside; callers keep those within it. `most` is a
 * setting, written as a literal so that the planner knows how few rows are wanted.
 */
export function openCasesNearQuery(probes: DuplicateProbe[], most: number) {
  const walks = probes.map((p, i) => ({
    i,
    category: p.category,
    x: p.x,
    y: p.y,
    since: p.since,
    exclude: p.exclude ?? null,
  }));
  return sql<{ i: number; id: string; number: string; lat: number; lon: number }>`
    select b.i, c.id, c.number, c.lat, c.lon
    from jsonb_to_recordset(${JSON.stringify(walks)}::jsonb)
      as b(i int, category text, x float8, y float8, since timestamptz, exclude text)
    cross join lateral (
      select c.id, c.number, c.lat, c.lon from case_record c
      where c.category = b.category
        and c.state in (${sql.raw(OPEN_POINT_STATES_SQL)})
        and c.reported_at >= b.since
        and c.id is distinct from b.exclude
      order by ${sql.raw(OPEN_CASE_PLACE_SQL)} <-> point(b.x, b.y),
        ${sql.raw(OPEN_CASE_NUMBER_SQL)} <-> point(0, 0)
      limit ${sql.lit(most)}
    ) c`;
}

/**
 * The `most` nearest open cases of each probe's category reported since its window began
 * (see {@link openCasesNearQuery}).
 */
async function openCasesNear(trx: Db, probes: DuplicateProbe[], most: number) {
  return (await openCasesNearQuery(probes, most).execute(trx)).rows;
}

/**
 * Case numbers in number order: a day's numbers have 13 digits and grow a 14th beyond 99,999
 * a day (`formatCaseNumber`), so the shorter is the lower.
 */
const byNumber = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

/**
 * Nearest first; at the same distance the lower case number (the probe's index order), so
 * the candidates kept and the order shown never depend on the order rows came back in.
 */
const byDistance = (a: { d: number; number: string }, b: { d: number; number: string }) =>
  a.d - b.d || byNumber(a.number, b.number);

/** The `most` nearest of some candidates (see `byDistance`). */
function nearest<T extends { d: number; number: string }>(candidates: T[], most: number): T[] {
  return [...candidates].sort(byDistance).slice(0, most);
}

/** What intake answers. */
export interface IntakeResult {
  case: CaseView;
  created: boolean;
}

/**
 * A row another capability records with a new case, in the transaction that creates it
 * (participation's report row of an Open311 post): its table, and the row once the case's id
 * and number are known. It is written only when the report creates a case.
 */
export interface AlongsideRow {
  table: string;
  row(created: { id: string; number: string }): Record<string, unknown>;
}

/** A checked report waiting for its batch. */
interface IntakeCommand {
  principal: Principal;
  input: IntakeInput;
  category: RegisteredCategory;
  place: LocatedPoint;
  now: Date;
  alongside?: AlongsideRow;
}

/** Most reports committed in one transaction. */
export const INTAKE_BATCH = 256;

/** The engine's intake group-commit loop (made with its first report, kept on the engine). */
export function intakeBatcher(engine: CaseEngine): GroupCommit<IntakeCommand, IntakeResult> {
  return engine.loops.of(INTAKE_LOOP, () => ({
    maxBatch: INTAKE_BATCH,
    runBatch: (commands) => reportBatch(engine, commands),
    runOne: (command) => reportAlone(engine, command),
  }));
}

const INTAKE_LOOP = loopKey<IntakeCommand, IntakeResult>('cases.intake');

/**
 * One report as a batch of one (after its batch failed as a whole). A concurrent repeat of
 * the same client request that won the race makes the insert fail on its key: the report
 * then runs once more, and finds that case.
 */
async function reportAlone(engine: CaseEngine, command: IntakeCommand): Promise<IntakeResult> {
  let outcome: Outcome<IntakeResult>;
  try {
    [outcome] = await reportBatch(engine, [command]);
  } catch (e) {
    if (!(isUniqueViolation(e) && command.input.clientRequestId)) throw e;
    [outcome] = await reportBatch(engine, [command]);
  }
  if (outcome.ok) return outcome.value;
  throw outcome.error;
}

/**
 * Creates a case, or returns the one this client request already created (`created: false`).
 * Checks (permission, category, place) happen here, before the report joins a batch; the
 * batch commits it with the others (the kernel's group commit), and its `case.reported` event is
 * published right after that commit. `alongside` is a row of another capability written in
 * the same transaction when the case is created.
 */
export async function reportCase(
  engine: CaseEngine,
  principal: Principal,
  input: IntakeInput,
  options: { alongside?: AlongsideRow } = {},
): Promise<IntakeResult> {
  authorize(principal, 'case.report');
  const category = engine.modules.category(input.category);
  if (!category)
    throw new InvalidInputError(
      `Category ${input.category} is not in the catalogue.`,
      { category: input.category },
      'case.unknown_category',
    );
  const { lat, lon } = input.location;
  const place = engine.deps.locate(lat, lon);
  if (!place?.grid && !place?.district)
    throw new InvalidInputError(
      `The location ${lat},${lon} is outside the city.`,
      { lat, lon },
      'case.location_outside_city',
    );
  return intakeBatcher(engine).submit({
    principal,
    input,
    category,
    place,
    now: engine.clock.now(),
    alongside: options.alongside,
  });
}

/** The stage clock of a new case: its `file` stage, computed without the database. */
function firstStage(engine: CaseEngine, category: string, urgency: Urgency, now: Date) {
  const limits = engine.modules.stageLimits(category, urgency) ?? engine.settings.defaultLimits[urgency];
  const minutes = limits.minutes.file ?? engine.settings.defaultLimits[urgency].minutes.file;
  if (!minutes) return null;
  const clock: StageClock = {
    basis: limits.basis,
    totalMinutes: minutes,
    consumedMinutes: 0,
    runningSince: now,
  };
  return { basis: limits.basis, minutes, ...thresholds(clock, engine.calendar)! };
}

const requestKey = (input: IntakeInput) => `${input.channel}\u0000${input.clientRequestId}`;

/**
 * One transaction for many reports, set-based: the existing cases of repeated client
 * request ids, one counter update per local day for all the numbers, one duplicate probe,
 * then one multi-row insert each for cases, reporters, duplicates, stages, timer jobs,
 * history, audit records (chained in order under one lock) and outbox events.
 */
async function reportBatch(
  engine: CaseEngine,
  commands: IntakeCommand[],
): Promise<Array<Outcome<IntakeResult>>> {
  type Plan =
    | { kind: 'new'; id: string; urgency: Urgency; number?: string }
    | { kind: 'existing'; row: CaseRow }
    | { kind: 'same-as'; index: number };
  const events: PlatformEvent[] = [];
  const built = new Map<number, CaseView>();
  // The batch is one moment: its reports are received when it starts, which also lets the
  // stage thresholds (working-time arithmetic) be computed once per category and urgency.
  const now = engine.clock.now();
  commands = commands.map((c) => ({ ...c, now }));
  const stageMemo = new Map<string, ReturnType<typeof firstStage>>();
  const plans = await engine.db.transaction().execute(async (trx) => {
    const keyed = commands.filter((c) => c.input.clientRequestId);
    const existing = new Map<string, CaseRow>();
    if (keyed.length) {
      // A join against the batch's keys, so that the partial unique index answers it
      // whatever the batch size (an OR of many pairs can end as a scan of every case).
      const found = (
        await sql<CaseRow>`
          select * from case_record
          where client_request_id is not null
            and (channel, client_request_id) in (
              select k.channel, k.id from unnest(
                ${keyed.map((c) => c.input.channel)}::text[],
                ${keyed.map((c) => c.input.clientRequestId!)}::text[]
              ) as k(channel, id))`.execute(trx)
      ).rows;
      for (const r of found) existing.set(`${r.channel}\u0000${r.client_request_id}`, r);
    }
    const firstOf = new Map<string, number>();
    const plans: Plan[] = commands.map((c, i) => {
      if (c.input.clientRequestId) {
        const k = requestKey(c.input);
        const row = existing.get(k);
        if (row) return { kind: 'existing', row };
        const first = firstOf.get(k);
        if (first !== undefined) return { kind: 'same-as', index: first };
        firstOf.set(k, i);
      }
      return {
        kind: 'new',
        id: randomUUID(),
        urgency: c.input.urgency ?? c.category.defaultUrgency ?? 'normal',
      };
    });
    const fresh = plans
      .map((p, i) => ({ p, c: commands[i], i }))
      .filter(
        (x): x is { p: Extract<Plan, { kind: 'new' }>; c: IntakeCommand; i: number } => x.p.kind === 'new',
      );
    if (fresh.length === 0) return plans;

    // Numbers: one counter update per local day reserves the day's block, in arrival order.
    const byDay = new Map<string, typeof fresh>();
    for (const x of fresh) {
      const day = localDate(x.c.now, engine.calendar.timeZone).replaceAll('-', '');
      byDay.set(day, [...(byDay.get(day) ?? []), x]);
    }
    for (const [day, xs] of byDay) {
      const last = await reserveCaseNumbers(trx, day, xs.length);
      xs.forEach((x, k) => {
        x.p.number = formatCaseNumber(day, last - xs.length + 1 + k);
      });
    }

    // Duplicate candidates: one probe for the batch against committed cases; reports of
    // this batch see the earlier ones of the batch, as if they had come one by one.
    const radius = engine.settings.duplicateRadiusMeters;
    const probes = fresh.map(({ c }) =>
      probeOf(engine, c.category.code, c.input.location.lat, c.input.location.lon, c.now),
    );
    const most = engine.settings.duplicateMaxCandidates;
    const near = await openCasesNear(trx, probes, most);
    const candidates: Array<Array<{ id: string; number: string; d: number }>> = fresh.map(() => []);
    for (const r of near) {
      const p = probes[r.i];
      const d = distanceMeters(p.lat, p.lon, r.lat, r.lon);
      if (d <= radius) candidates[r.i].push({ id: r.id, number: r.number, d });
    }
    fresh.forEach((_x, i) => {
      const p = probes[i];
      for (let j = 0; j < i; j++) {
        const q = probes[j];
        if (q.category !== p.category || fresh[j].c.now < p.since) continue;
        const d = distanceMeters(p.lat, p.lon, q.lat, q.lon);
        if (d <= radius) candidates[i].push({ id: fresh[j].p.id, number: fresh[j].p.number!, d });
      }
      candidates[i] = nearest(candidates[i], most);
    });

    const stages = fresh.map(({ c, p }) => {
      const k = `${c.category.code}\u0000${p.urgency}`;
      if (!stageMemo.has(k)) stageMemo.set(k, firstStage(engine, c.category.code, p.urgency, now));
      return stageMemo.get(k)!;
    });
    // The rows are built here and written without `returning *`: parsing 48 columns back is
    // a measurable part of a batch on PGlite.
    const rows: CaseRow[] = fresh.map(({ c, p }, i) => {
      const st = stages[i];
      // One literal with every column: spreading a constant of defaults into a literal of
      // this size is slow for V8 to build and to serialize (docs/benchmarks-log.md, the
      // 2026-11-28 session from 20:56 UTC).
      return {
        id: p.id,
        number: p.number!,
        channel: c.input.channel,
        client_request_id: c.input.clientRequestId ?? null,
        category: c.category.code,
        urgency: p.urgency,
        state: 'reported' as const,
        lat: c.input.location.lat,
        lon: c.input.location.lon,
        address: c.input.address ?? null,
        grid_code: c.place.grid?.code ?? null,
        community_code: c.place.community?.code ?? null,
        street_code: c.place.street?.code ?? null,
        district_code: c.place.district?.code ?? null,
        description: c.input.description,
        media: [...(c.input.media ?? [])],
        reported_by: c.principal.id,
        parent_alert_id: c.input.parentAlertId ?? null,
        stage: 'file' as const,
        light: st ? ('green' as const) : null,
        deadlines: st ? { file: st.deadline.toISOString() } : {},
        reported_at: c.now,
        updated_at: c.now,
        // The columns a new case leaves to their defaults (as the table defines them).
        resume_state: null,
        version: 1,
        lead_department: null,
        assist_departments: [],
        responsibility_rule_id: null,
        responsibility_list_version: null,
        dispatch_override: false,
        escalation_level: 0,
        handle_deadline: null,
        extension_status: null,
        extension_minutes: 0,
        extension_requested_minutes: null,
        was_deferred: false,
        satisfaction: null,
        merged_into_id: null,
        duplicate_of_id: null,
        handled_by: null,
        filed_at: null,
        dispatched_at: null,
        accepted_at: null,
        handled_at: null,
        closed_at: null,
        evaluated_at: null,
      };
    });
    const rowById = new Map(rows.map((r) => [r.id, r]));
    const reporterRows = fresh.map(({ c, p }) => {
      const r = c.input.reporter ?? {};
      return {
        case_id: p.id,
        source_case_id: p.id,
        user_id: c.principal.kind === 'user' ? c.principal.id : null,
        name: r.name ?? null,
        phone: r.phone ?? null,
        email: r.email ?? null,
        address: r.address ?? null,
        consent: r.consent ?? false,
        created_at: c.now,
      };
    });
    const duplicateRows = fresh.flatMap(({ p }, i) =>
      candidates[i].map((d) => ({
        case_id: p.id,
        candidate_id: d.id,
        candidate_number: d.number,
        distance_m: d.d,
      })),
    );
    const historyRows = fresh.map(({ c, p }, i) => ({
      case_id: p.id,
      action: 'report',
      from_state: null,
      to_state: 'reported',
      actor: c.principal.id,
      actor_roles: c.principal.roles,
      params: {
        channel: c.input.channel,
        category: c.category.code,
        duplicates: candidates[i].map((d) => d.number),
      },
      at: c.now,
    }));
    const staged = fresh.map((x, i) => ({ ...x, st: stages[i] })).filter((x) => x.st);
    const stageValues = staged.map(({ p, c, st }) => ({
      case_id: p.id,
      stage: 'file' as const,
      round: 1,
      basis: st!.basis,
      limit_minutes: st!.minutes,
      running_since: c.now,
      started_at: c.now,
      yellow_at: st!.yellowAt,
      deadline: st!.deadline,
      light: 'green' as const,
    }));
    // Other capabilities' rows of the new cases, one part per table.
    const alongside = new Map<string, Array<Record<string, unknown>>>();
    for (const { c, p } of fresh)
      if (c.alongside) {
        const list = alongside.get(c.alongside.table) ?? [];
        list.push(c.alongside.row({ id: p.id, number: p.number! }));
        alongside.set(c.alongside.table, list);
      }
    // Cases, reporters, duplicate links, history, rows alongside and stages in one statement;
    // stages last, for their ids.
    const stageIds = await insertRowsTogether<{ id: string; case_id: string }>(
      trx,
      [
        {
          table: 'case_record',
          rows,
        },
        { table: 'case_reporter', rows: reporterRows },
        { table: 'case_duplicate', rows: duplicateRows },
        { table: 'case_history', rows: historyRows },
        ...[...alongside].map(([table, rows]) => ({ table, rows })),
        { table: 'case_stage', rows: stageValues },
      ],
      { returning: ['id', 'case_id'] },
    );
    const idOfStage = new Map(stageIds.map((r) => [r.case_id, Number(r.id)]));
    const stageRows: StageRow[] = stageValues.map((v) => ({
      ...v,
      id: idOfStage.get(v.case_id)!,
      extension_minutes: 0,
      consumed_minutes: 0,
      supervised_at: null,
      escalated_at: null,
      ended_at: null,
    }));
    const stageOf = new Map(stageRows.map((s) => [s.case_id, s]));

    await engine.deps.appendAuditBatch(
      trx,
      fresh.map(({ c, p }) => ({
        actor: c.principal.id,
        action: 'case.reported',
        objectType: 'case',
        objectId: p.id,
        after: { number: p.number, channel: c.input.channel, category: c.category.code, state: 'reported' },
        at: c.now,
      })),
    );
    for (const { c, p } of fresh)
      events.push(
        caseEvents.create(
          'case.reported',
          {
            caseId: p.id,
            number: p.number!,
            category: c.category.code,
            channel: c.input.channel,
            districtCode: rowById.get(p.id)!.district_code,
          },
          c.now,
          `case:${p.number}`,
        ),
      );
    // The audit append above took the commit-order lock; the events are numbered under it.
    const owed = await recordCaseEvents(
      trx,
      events.map((event) => ({ event, row: rowById.get((event.data as { caseId: string }).caseId)! })),
      { commitOrderLockHeld: true },
    );
    // The stages' first timers and the events' jobs in one statement.
    await engine.scheduler.scheduleMany(
      [
        ...stageRows.map((s) => nextThresholdJob(s, { yellowAt: s.yellow_at!, deadline: s.deadline! }, now)),
        ...owed,
      ],
      trx,
    );

    fresh.forEach(({ c, p, i }, k) => {
      const row = rowById.get(p.id)!;
      const r = c.input.reporter ?? {};
      const data = {
        name: r.name ?? null,
        phone: r.phone ?? null,
        email: r.email ?? null,
        address: r.address ?? null,
      };
      const own = c.principal.kind === 'user';
      const shown = own ? data : maskPersonalData(c.principal, data);
      built.set(
        i,
        toCaseView(row, {
          stage: stageOf.get(p.id) ?? null,
          duplicates: [...candidates[k]]
            .sort(byDistance)
            .map((d) => ({ id: d.id, number: d.number, distanceMeters: Math.round(d.d) })),
          reporters: [{ ...shown, consent: r.consent ?? false, sourceCaseId: p.id } as Reporter],
          linkage: [],
        }),
      );
    });
    return plans;
  });
  publishAll(engine, events);

  const outcomes: Array<Outcome<IntakeResult>> = [];
  for (let i = 0; i < commands.length; i++) {
    const p = plans[i];
    try {
      if (p.kind === 'new') outcomes.push({ ok: true, value: { case: built.get(i)!, created: true } });
      else {
        const row =
          p.kind === 'existing'
            ? p.row
            : (await findCaseRow(engine.db, (plans[p.index] as { id: string }).id))!;
        outcomes.push({
          ok: true,
          value: { case: await loadCaseDetail(engine.db, commands[i].principal, row), created: false },
        });
      }
    } catch (error) {
      outcomes.push({ ok: false, error });
    }
  }
  return outcomes;
}

/** Publishes committed events in order without making the batch loop wait for subscribers. */
function publishAll(engine: CaseEngine, events: readonly PlatformEvent[]): void {
  void (async () => {
    for (const e of events)
      try {
        await engine.bus.publish(e);
      } catch {
        // The event is in case_event: streams replay it on reconnection.
      }
  })();
}
