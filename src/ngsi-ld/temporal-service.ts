/**
 * The temporal API (ETSI GS CIM 009 §5.6.11–§5.6.12, §5.7.3–§5.7.4): attribute instances
 * from `ngsi_ld_attribute_instance` (temporal entity creation, the history of entities
 * written through the API when NGSI_LD_HISTORY is on, and projected device observations);
 * device-backed entities are read from the data hub's `datahub_observation` table when it
 * exists (read-only SQL against the table docs/datahub.md documents).
 */
import { sql } from 'kysely';
import type { Clock, Db } from '../kernel/index.ts';
import { assertEntityId, expandType, iso, normalizeAttribute, type StoredAttribute } from './entity-model.ts';
import { type InstanceRecord, recordInstances } from './entity-store.ts';
import { type ActiveContext, compactIri, expandTerm } from './json-ld-context.ts';
import { NgsiLdError } from './ngsi-ld-errors.ts';
import { DEFAULT_NGSI_LD_SETTINGS } from './ngsi-ld-settings.ts';
import { withStatementTimeout } from './query-timeout.ts';
import { observedAttributeName } from './projections.ts';
import { evaluateQuery, type QNode } from './query-language.ts';

/** A temporal query, names expanded. */
export interface TemporalQuery {
  types?: string[];
  ids?: string[];
  idPattern?: string;
  attrs?: string[];
  q?: QNode;
  timerel?: 'before' | 'after' | 'between';
  timeAt?: Date;
  endTimeAt?: Date;
  timeproperty: 'observedAt' | 'createdAt' | 'modifiedAt';
  lastN?: number;
  limit: number;
  offset: number;
}

/** An entity's attribute instances, by expanded attribute IRI, oldest first. */
export interface TemporalEntity {
  id: string;
  type: string;
  attrs: Record<string, StoredAttribute[]>;
}

interface InstanceRow {
  entity_id: string;
  entity_type: string;
  attr: string;
  instance: StoredAttribute | string;
}

export interface TemporalServiceOptions {
  db: Db;
  clock: Clock;
  /** Statement timeout of the pattern-bearing statements of a query, on PostgreSQL (default 10 s). */
  queryTimeoutMs?: number;
  /** Expands a datahub property for an observed entity type (the projection's naming). */
  observedAttributeIri(property: string): string;
}

/** Temporal entity creation and queries. */
export class TemporalService {
  #datahub: boolean | null = null;
  constructor(private readonly o: TemporalServiceOptions) {}

  /** Creates or extends a temporal entity (§5.6.11): 201 when new, 204 when it existed. */
  async create(ctx: ActiveContext, body: unknown): Promise<{ id: string; created: boolean }> {
    if (!body || typeof body !== 'object' || Array.isArray(body))
      throw new NgsiLdError('BadRequestData', 'A temporal entity must be a JSON object.');
    const b = body as Record<string, unknown>;
    assertEntityId(b.id);
    const type = expandType(ctx, b.type);
    const now = this.o.clock.now().toISOString();
    const records: InstanceRecord[] = [];
    for (const [key, raw] of Object.entries(b)) {
      if (['id', 'type', '@context', 'createdAt', 'modifiedAt'].includes(key)) continue;
      const iri = expandTerm(ctx, key);
      for (const instance of Array.isArray(raw) ? raw : [raw])
        records.push({
          entityId: b.id,
          entityType: type,
          attr: iri,
          instance: normalizeAttribute(ctx, key, instance, now),
          recordedAt: now,
        });
    }
    return this.o.db.transaction().execute(async (trx) => {
      const existing = await trx
        .selectFrom('ngsi_ld_attribute_instance')
        .select('entity_type')
        .where('entity_id', '=', b.id as string)
        .limit(1)
        .executeTakeFirst();
      if (existing && existing.entity_type !== type)
        throw new NgsiLdError('BadRequestData', `Temporal entity ${b.id} has another type.`);
      await recordInstances(trx, records);
      return { id: b.id as string, created: !existing };
    });
  }

  async #hasDatahub(): Promise<boolean> {
    if (this.#datahub === null) {
      const r = await sql<{ t: string | null }>`select to_regclass('datahub_observation')::text as t`.execute(
        this.o.db,
      );
      const s = await sql<{ t: string | null }>`select to_regclass('datahub_datastream')::text as t`.execute(
        this.o.db,
      );
      this.#datahub = !!r.rows[0]?.t && !!s.rows[0]?.t;
    }
    return this.#datahub;
  }

  /** Runs a temporal query; returns entities in id order. */
  async query(query: TemporalQuery): Promise<TemporalEntity[]> {
    const { db } = this.o;
    const idFilter = [sql`true`];
    if (query.types?.length) idFilter.push(sql`entity_type in (${sql.join(query.types)})`);
    if (query.ids?.length) idFilter.push(sql`entity_id in (${sql.join(query.ids)})`);
    if (query.idPattern) idFilter.push(sql`entity_id ~ ${query.idPattern}`);
    const datahub = await this.#hasDatahub();
    // Device-backed entities are served from the data hub's observations when it is there.
    const deviceBacked = new Map<string, { type: string; deviceId: string }>();
    // The statements that select entities (by idPattern too) run under the statement timeout.
    const own = await withStatementTimeout(
      db,
      this.o.queryTimeoutMs ?? DEFAULT_NGSI_LD_SETTINGS.queryTimeoutMs,
      async (trx) => {
        if (datahub) {
          const f = [sql`e.device_id is not null`, sql`e.id not like 'urn:ngsi-ld:Device:%'`];
          if (query.types?.length) f.push(sql`e.type in (${sql.join(query.types)})`);
          if (query.ids?.length) f.push(sql`e.id in (${sql.join(query.ids)})`);
          if (query.idPattern) f.push(sql`e.id ~ ${query.idPattern}`);
          const rows = await sql<{ id: string; type: string; device_id: string }>`
            select e.id, e.type, e.device_id from ngsi_ld_entity e where ${sql.join(f, sql` and `)}`.execute(
            trx,
          );
          for (const r of rows.rows) deviceBacked.set(r.id, { type: r.type, deviceId: r.device_id });
        }
        return sql<{ entity_id: string; entity_type: string }>`
          select entity_id, min(entity_type) as entity_type from ngsi_ld_attribute_instance
          where ${sql.join(idFilter, sql` and `)} group by entity_id`.execute(trx);
      },
    );
    const all = new Map<string, string>();
    for (const r of own.rows) all.set(r.entity_id, r.entity_type);
    for (const [id, d] of deviceBacked) all.set(id, d.type);
    const ids = [...all.keys()].sort();

    const out: TemporalEntity[] = [];
    // q is evaluated against the latest instance of each attribute in the window.
    let skipped = 0;
    for (let i = 0; i < ids.length && out.length < query.limit; i++) {
      const id = ids[i];
      const dev = deviceBacked.get(id);
      const entity = dev
        ? await this.#fromDatahub(id, dev.type, dev.deviceId, query)
        : await this.#fromInstances(id, all.get(id)!, query);
      if (Object.keys(entity.attrs).length === 0) continue;
      if (query.q) {
        const latest: Record<string, StoredAttribute> = {};
        for (const [iri, list] of Object.entries(entity.attrs)) latest[iri] = list[list.length - 1];
        if (!evaluateQuery(query.q, latest)) continue;
      }
      if (skipped < query.offset) {
        skipped++;
        continue;
      }
      out.push(entity);
    }
    return out;
  }

  #window(column: string, query: TemporalQuery) {
    const col = sql.ref(column);
    const parts = [sql`true`];
    if (query.timerel === 'before') parts.push(sql`${col} < ${query.timeAt!}`);
    else if (query.timerel === 'after') parts.push(sql`${col} > ${query.timeAt!}`);
    else if (query.timerel === 'between')
      parts.push(sql`${col} >= ${query.timeAt!} and ${col} < ${query.endTimeAt!}`);
    return sql.join(parts, sql` and `);
  }

  async #fromInstances(id: string, type: string, query: TemporalQuery): Promise<TemporalEntity> {
    const timeColumn = query.timeproperty === 'observedAt' ? 'observed_at' : 'recorded_at';
    const attrFilter = query.attrs?.length ? sql`and attr in (${sql.join(query.attrs)})` : sql``;
    const lastN = query.lastN ?? 0;
    const rows = await sql<InstanceRow>`
      select entity_id, entity_type, attr, instance from (
        select *, row_number() over (partition by attr order by ${sql.ref(timeColumn)} desc, seq desc) as rn
        from ngsi_ld_attribute_instance
        where entity_id = ${id} ${attrFilter} and ${this.#window(timeColumn, query)}
      ) x where ${lastN > 0 ? sql`rn <= ${lastN}` : sql`true`}
      order by attr, ${sql.ref(timeColumn)}, seq`.execute(this.o.db);
    const attrs: Record<string, StoredAttribute[]> = {};
    for (const r of rows.rows) {
      const instance =
        typeof r.instance === 'string' ? (JSON.parse(r.instance) as StoredAttribute) : r.instance;
      attrs[r.attr] ??= [];
      attrs[r.attr].push(instance);
    }
    return { id, type, attrs };
  }

  async #fromDatahub(
    id: string,
    type: string,
    deviceId: string,
    query: TemporalQuery,
  ): Promise<TemporalEntity> {
    const lastN = query.lastN ?? 0;
    const rows = await sql<{
      property: string;
      unit: string;
      time: Date;
      value: number;
      datastream_id: number;
    }>`
      select property, unit, time, value, datastream_id from (
        select d.property, d.unit, o.time, o.value, o.datastream_id,
          row_number() over (partition by o.datastream_id order by o.time desc) as rn
        from datahub_observation o join datahub_datastream d on d.id = o.datastream_id
        where d.device_id = ${deviceId} and ${this.#window('o.time', query)}
      ) x where ${lastN > 0 ? sql`rn <= ${lastN}` : sql`true`}
      order by property, time`.execute(this.o.db);
    const attrs: Record<string, StoredAttribute[]> = {};
    for (const r of rows.rows) {
      const iri = this.o.observedAttributeIri(r.property);
      if (query.attrs?.length && !query.attrs.includes(iri)) continue;
      const at = iso(r.time);
      attrs[iri] ??= [];
      attrs[iri].push({
        type: 'Property',
        value: Number(r.value),
        observedAt: at,
        unitCode: r.unit,
        instanceId: `urn:ngsi-ld:datahub:observation:${r.datastream_id}:${at}`,
        createdAt: at,
        modifiedAt: at,
      });
    }
    return { id, type, attrs };
  }
}

/** Renders a temporal entity (§4.5.7): normalized instance arrays, or temporalValues pairs. */
export function renderTemporal(
  ctx: ActiveContext,
  e: TemporalEntity,
  options: { temporalValues?: boolean; sysAttrs?: boolean },
): Record<string, unknown> {
  const out: Record<string, unknown> = { id: e.id, type: compactIri(ctx, e.type) };
  for (const [iri, list] of Object.entries(e.attrs)) {
    const name = compactIri(ctx, iri);
    if (options.temporalValues) {
      out[name] = {
        type: list[0]?.type ?? 'Property',
        values: list.map((i) => [i.value ?? i.object, i.observedAt ?? i.createdAt]),
      };
      continue;
    }
    out[name] = list.map((i) => {
      const { createdAt, modifiedAt, ...rest } = i;
      const r: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(rest)) r[k.includes('://') ? compactIri(ctx, k) : k] = v;
      if (options.sysAttrs) Object.assign(r, { createdAt, modifiedAt });
      return r;
    });
  }
  return out;
}

/** The attribute IRI a datahub property is published under (environment context). */
export function observedAttributeIriFor(env: ActiveContext) {
  return (property: string) => expandTerm(env, observedAttributeName(property));
}
