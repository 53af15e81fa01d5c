/**
 * Reading whistles (街乡吹哨) and report-ins (部门报到) across cases: the dispatch
 * workspace's tracking list. Read-only; only cases the caller may see are listed (the same
 * jurisdiction rule as the case lists).
 */
import type { FastifyInstance } from 'fastify';
import { authorize, type Principal, requirePermission } from '../../identity/index.ts';
import { type Db, pageOf } from '../../kernel/index.ts';
import type { CaseEngine } from '../case-engine.ts';
import { CASE_STATES, type CaseState, TERMINAL_STATES } from '../rules/case-model.ts';
import { visibleTo } from '../store/case-store.ts';

/** One summoned department of a whistle. */
export interface WhistleDepartment {
  department: string;
  reportedInAt: string | null;
  reportedInBy: string | null;
  missed: boolean;
  rating: number | null;
}

/** One whistle with its case and summoned departments. */
export interface WhistleView {
  whistleId: number;
  caseId: string;
  caseNumber: string;
  caseState: CaseState;
  category: string;
  location: { lat: number; lon: number; address: string | null };
  divisions: { grid: string | null; street: string | null; district: string | null };
  whistledBy: string;
  note: string | null;
  whistledAt: string;
  deadline: string;
  departments: WhistleDepartment[];
  /** Summoned departments that have not reported in (missed ones included). */
  pending: number;
  missed: number;
}

const strOrNull = { type: ['string', 'null'] } as const;
const time = { type: 'string', format: 'date-time' } as const;
const timeOrNull = { type: ['string', 'null'], format: 'date-time' } as const;

/** {@link WhistleView}, what the serialiser writes (every property, or it is dropped). */
export const whistleViewSchema = {
  type: 'object',
  properties: {
    whistleId: { type: 'integer' },
    caseId: { type: 'string' },
    caseNumber: { type: 'string' },
    caseState: { type: 'string', enum: CASE_STATES },
    category: { type: 'string' },
    location: {
      type: 'object',
      properties: { lat: { type: 'number' }, lon: { type: 'number' }, address: strOrNull },
    },
    divisions: {
      type: 'object',
      properties: { grid: strOrNull, street: strOrNull, district: strOrNull },
    },
    whistledBy: { type: 'string' },
    note: strOrNull,
    whistledAt: time,
    deadline: time,
    departments: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          department: { type: 'string' },
          reportedInAt: timeOrNull,
          reportedInBy: strOrNull,
          missed: { type: 'boolean' },
          rating: { type: ['integer', 'null'] },
        },
      },
    },
    pending: { type: 'integer', description: 'Summoned departments that have not reported in' },
    missed: { type: 'integer' },
  },
} as const;

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());

/**
 * Whistles on visible cases (`case.read`), most recent first. `open`: the case is not finished and some
 * summoned department has not reported in yet (missed ones included); `all`: every whistle.
 */
export async function listWhistles(
  db: Db,
  principal: Principal,
  filter: { state: 'open' | 'all'; limit: number; offset: number },
): Promise<{ items: WhistleView[]; total: number; limit: number; offset: number }> {
  authorize(principal, 'case.read');
  let q = db
    .selectFrom('case_whistle as w')
    .innerJoin('case_record', 'case_record.id', 'w.case_id')
    .where(visibleTo(principal, 'jurisdiction'));
  if (filter.state === 'open')
    q = q
      .where('case_record.state', 'not in', [...TERMINAL_STATES])
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('case_linkage as l')
            .select('l.whistle_id')
            .whereRef('l.whistle_id', '=', 'w.id')
            .where('l.reported_in_at', 'is', null),
        ),
      );
  const [rows, count] = await Promise.all([
    q
      .select([
        'w.id as whistle_id',
        'w.whistled_by',
        'w.note',
        'w.deadline',
        'w.created_at',
        'case_record.id as case_id',
        'case_record.number',
        'case_record.state',
        'case_record.category',
        'case_record.lat',
        'case_record.lon',
        'case_record.address',
        'case_record.grid_code',
        'case_record.street_code',
        'case_record.district_code',
      ])
      .orderBy('w.created_at', 'desc')
      .orderBy('w.id', 'desc')
      .limit(filter.limit)
      .offset(filter.offset)
      .execute(),
    q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst(),
  ]);
  const ids = rows.map((r) => r.whistle_id);
  const links = ids.length
    ? await db
        .selectFrom('case_linkage')
        .select(['whistle_id', 'department', 'reported_in_at', 'reported_in_by', 'missed', 'rating'])
        .where('whistle_id', 'in', ids)
        .orderBy('department')
        .execute()
    : [];
  const byWhistle = new Map<string, WhistleDepartment[]>();
  for (const l of links) {
    const key = String(l.whistle_id);
    const list = byWhistle.get(key) ?? [];
    list.push({
      department: l.department as string,
      reportedInAt: iso(l.reported_in_at as Date | null),
      reportedInBy: (l.reported_in_by as string | null) ?? null,
      missed: Boolean(l.missed),
      rating: (l.rating as number | null) ?? null,
    });
    byWhistle.set(key, list);
  }
  return {
    items: rows.map((r) => {
      const departments = byWhistle.get(String(r.whistle_id)) ?? [];
      return {
        whistleId: Number(r.whistle_id),
        caseId: r.case_id as string,
        caseNumber: r.number as string,
        caseState: r.state as CaseState,
        category: r.category as string,
        location: { lat: Number(r.lat), lon: Number(r.lon), address: (r.address as string | null) ?? null },
        divisions: {
          grid: (r.grid_code as string | null) ?? null,
          street: (r.street_code as string | null) ?? null,
          district: (r.district_code as string | null) ?? null,
        },
        whistledBy: r.whistled_by as string,
        note: (r.note as string | null) ?? null,
        whistledAt: iso(r.created_at as Date)!,
        deadline: iso(r.deadline as Date)!,
        departments,
        pending: departments.filter((d) => d.reportedInAt === null).length,
        missed: departments.filter((d) => d.missed).length,
      };
    }),
    total: Number(count?.n ?? 0),
    limit: filter.limit,
    offset: filter.offset,
  };
}

/** Registers `GET /api/v1/linkage/whistles`. */
export function registerLinkageRoutes(app: FastifyInstance, engine: () => CaseEngine): void {
  app.get(
    '/api/v1/linkage/whistles',
    {
      preHandler: requirePermission('case.read'),
      schema: {
        tags: ['cases'],
        summary: 'Whistles and report-ins on the cases inside your jurisdiction (街乡吹哨、部门报到)',
        description:
          '`state=open` (default): whistles on unfinished cases with a summoned department that has not reported in yet (missed ones included); `state=all`: every whistle. Most recent first.',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            state: { type: 'string', enum: ['open', 'all'], default: 'open' },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
            offset: { type: 'integer', minimum: 0, default: 0 },
          },
        },
        response: { 200: pageOf(whistleViewSchema, { window: true }) },
      },
    },
    async (request) => {
      const q = request.query as { state?: 'open' | 'all'; limit?: number; offset?: number };
      return listWhistles(engine().db, request.principal, {
        state: q.state ?? 'open',
        limit: q.limit ?? 100,
        offset: q.offset ?? 0,
      });
    },
  );
}
