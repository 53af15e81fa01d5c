/**
 * Intake: a report from any channel becomes a case in state `reported`, numbered, placed
 * in its divisions, with its stage clock running and its duplicate candidates attached.
 * Idempotent on the client request id of its channel.
 */
import { randomUUID } from 'node:crypto';
import { authorize, type Principal } from '../identity/index.ts';
import { createEvent, type Db, InvalidInputError, type Urgency } from '../kernel/index.ts';
import type { CaseEngine } from './case-engine.ts';
import { type CaseView, type Channel, OPEN_STATES } from './case-model.ts';
import { nextCaseNumber } from './case-number.ts';
import { appendHistory, type CaseRow, findCaseRow, loadCaseDetail } from './case-store.ts';
import { publishAfterCommit, startStage } from './sla-timers.ts';

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

/** Creates a case, or returns the one this client request already created (`created: false`). */
export async function reportCase(
  engine: CaseEngine,
  principal: Principal,
  input: IntakeInput,
): Promise<{ case: CaseView; created: boolean }> {
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

  const existing = await findByRequest(engine.db, input);
  if (existing) return { case: await loadCaseDetail(engine.db, principal, existing), created: false };

  const now = engine.clock.now();
  const id = randomUUID();
  let row: CaseRow;
  try {
    row = await engine.db.transaction().execute(async (trx) => {
      const number = await nextCaseNumber(trx, now, engine.calendar.timeZone);
      const inserted = (await trx
        .insertInto('case_record')
        .values({
          id,
          number,
          channel: input.channel,
          client_request_id: input.clientRequestId ?? null,
          category: category.code,
          urgency: input.urgency ?? category.defaultUrgency ?? 'normal',
          state: 'reported',
          lat,
          lon,
          address: input.address ?? null,
          grid_code: place.grid?.code ?? null,
          community_code: place.community?.code ?? null,
          street_code: place.street?.code ?? null,
          district_code: place.district?.code ?? null,
          description: input.description,
          media: JSON.stringify(input.media ?? []),
          reported_by: principal.id,
          parent_alert_id: input.parentAlertId ?? null,
          reported_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow()) as CaseRow;
      const r = input.reporter ?? {};
      await trx
        .insertInto('case_reporter')
        .values({
          case_id: id,
          source_case_id: id,
          user_id: principal.kind === 'user' ? principal.id : null,
          name: r.name ?? null,
          phone: r.phone ?? null,
          email: r.email ?? null,
          address: r.address ?? null,
          consent: r.consent ?? false,
          created_at: now,
        })
        .execute();
      const duplicates = await attachDuplicates(engine, trx, inserted, now);
      const patch = await startStage(engine, trx, inserted, 'file', now);
      await trx
        .updateTable('case_record')
        .set({ ...patch, deadlines: JSON.stringify(patch.deadlines ?? {}) })
        .where('id', '=', id)
        .execute();
      const params = { channel: input.channel, category: category.code, duplicates };
      await appendHistory(trx, {
        caseId: id,
        action: 'report',
        from: null,
        to: 'reported',
        actor: principal.id,
        roles: principal.roles,
        params,
        at: now,
      });
      await engine.deps.appendAudit(trx, {
        actor: principal.id,
        action: 'case.reported',
        objectType: 'case',
        objectId: id,
        after: { number, channel: input.channel, category: category.code, state: 'reported' },
        at: now,
      });
      await publishAfterCommit(
        engine,
        trx,
        createEvent(
          'case.reported',
          {
            caseId: id,
            number,
            category: category.code,
            channel: input.channel,
            districtCode: inserted.district_code,
          },
          now,
          `case:${number}`,
        ),
      );
      return (await findCaseRow(trx, id))!;
    });
  } catch (e) {
    // A concurrent repeat of the same client request won the race: answer with its case.
    if (isUniqueViolation(e) && input.clientRequestId) {
      const won = await findByRequest(engine.db, input);
      if (won) return { case: await loadCaseDetail(engine.db, principal, won), created: false };
    }
    throw e;
  }
  return { case: await loadCaseDetail(engine.db, principal, row), created: true };
}

async function findByRequest(db: Db, input: IntakeInput): Promise<CaseRow | undefined> {
  if (!input.clientRequestId) return undefined;
  return (await db
    .selectFrom('case_record')
    .selectAll()
    .where('channel', '=', input.channel)
    .where('client_request_id', '=', input.clientRequestId)
    .executeTakeFirst()) as CaseRow | undefined;
}

/** Open cases of the same category nearby and recent, recorded as duplicate candidates. */
async function attachDuplicates(engine: CaseEngine, trx: Db, row: CaseRow, now: Date): Promise<string[]> {
  const radius = engine.settings.duplicateRadiusMeters;
  const dLat = radius / 111_320;
  const dLon = radius / (111_320 * Math.max(0.01, Math.cos((row.lat * Math.PI) / 180)));
  const since = new Date(now.getTime() - engine.settings.duplicateWindowHours * 3_600_000);
  const near = await trx
    .selectFrom('case_record')
    .select(['id', 'number', 'lat', 'lon'])
    .where('category', '=', row.category)
    .where('state', 'in', OPEN_STATES)
    .where('id', '!=', row.id)
    .where('reported_at', '>=', since)
    .where('lat', '>=', row.lat - dLat)
    .where('lat', '<=', row.lat + dLat)
    .where('lon', '>=', row.lon - dLon)
    .where('lon', '<=', row.lon + dLon)
    .execute();
  const found = near
    .map((c) => ({ ...c, d: distanceMeters(row.lat, row.lon, c.lat, c.lon) }))
    .filter((c) => c.d <= radius);
  if (found.length)
    await trx
      .insertInto('case_duplicate')
      .values(found.map((c) => ({ case_id: row.id, candidate_id: c.id, distance_m: c.d })))
      .execute();
  return found.map((c) => c.number);
}
