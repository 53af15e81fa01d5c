/**
 * SQL over `ngsi_ld_entity` and `ngsi_ld_attribute_instance`. Every user-supplied value is
 * a bound parameter; attribute paths go into `->` operators as parameters too.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../kernel/index.ts';
import { iso, LOCATION_IRI, locationBox, type StoredAttribute, type StoredEntity } from './entity-model.ts';
import { type GeoQuery, matchesGeoQuery, prefilterBox } from './geo.ts';
import { NgsiLdError } from './ngsi-ld-errors.ts';
import { compileQuery, type QNode } from './query-language.ts';

interface EntityRow {
  id: string;
  type: string;
  attrs: Record<string, StoredAttribute> | string;
  created_at: Date | string;
  modified_at: Date | string;
}

/** Where an entity comes from. */
export interface EntityOrigin {
  source: 'api' | 'datahub' | 'cases';
  deviceId?: string | null;
}

export const toEntity = (r: EntityRow): StoredEntity => ({
  id: r.id,
  type: r.type,
  attrs: typeof r.attrs === 'string' ? JSON.parse(r.attrs) : r.attrs,
  createdAt: iso(r.created_at),
  modifiedAt: iso(r.modified_at),
});

function rowOf(e: StoredEntity, origin: EntityOrigin = { source: 'api' }) {
  const box = locationBox(e.attrs);
  return {
    id: e.id,
    type: e.type,
    attrs: JSON.stringify(e.attrs),
    source: origin.source,
    device_id: origin.deviceId ?? null,
    min_lon: box?.[0] ?? null,
    min_lat: box?.[1] ?? null,
    max_lon: box?.[2] ?? null,
    max_lat: box?.[3] ?? null,
    created_at: e.createdAt,
    modified_at: e.modifiedAt,
  };
}

const COLUMNS = ['id', 'type', 'attrs', 'created_at', 'modified_at'] as const;

/** Inserts entities; returns the ids that were new (the others already existed). */
export async function insertEntities(
  db: Db,
  entities: StoredEntity[],
  origin?: EntityOrigin,
): Promise<Set<string>> {
  if (entities.length === 0) return new Set();
  const rows = await db
    .insertInto('ngsi_ld_entity')
    .values(entities.map((e) => rowOf(e, origin)))
    .onConflict((oc) => oc.column('id').doNothing())
    .returning('id')
    .execute();
  return new Set(rows.map((r) => r.id as string));
}

/** An entity to create with its first attribute instances. */
export interface EntityCreation {
  entity: StoredEntity;
  origin?: EntityOrigin;
  history: InstanceRecord[];
}

/** Bound parameters one creation takes in {@link createEntitiesAtomically}. */
export const creationParameters = (c: EntityCreation) => 11 + 7 * c.history.length;

/**
 * Creates entities and their first attribute instances in a single statement (one round
 * trip, atomic without an explicit transaction): the entities go in with `on conflict do
 * nothing` — the primary key is the existence check — and the instances only for the rows
 * that went in. Rows are written in id order so concurrent statements lock keys in the same
 * order. Returns the ids created; the others already existed. Ids must be distinct.
 */
export async function createEntitiesAtomically(db: Db, creations: EntityCreation[]): Promise<Set<string>> {
  if (creations.length === 0) return new Set();
  const sorted = [...creations].sort((x, y) =>
    x.entity.id < y.entity.id ? -1 : x.entity.id > y.entity.id ? 1 : 0,
  );
  const rows = sorted.map(({ entity, origin }) => {
    const r = rowOf(entity, origin);
    return sql`(${r.id}, ${r.type}, ${r.attrs}::jsonb, ${r.source}, ${r.device_id}, ${r.min_lon}::float8, ${r.min_lat}::float8,
        ${r.max_lon}::float8, ${r.max_lat}::float8, ${r.created_at}::timestamptz, ${r.modified_at}::timestamptz)`;
  });
  const instances = sorted.flatMap(({ history }) =>
    history.map((h) => {
      const instanceId = `urn:ngsi-ld:attribute:instance:${randomUUID()}`;
      return sql`(${h.entityId}, ${h.entityType}, ${h.attr}, ${instanceId}, ${(h.instance.observedAt as string | undefined) ?? h.recordedAt}::timestamptz, ${h.recordedAt}::timestamptz, ${JSON.stringify({ ...h.instance, instanceId })}::jsonb)`;
    }),
  );
  const hist = instances.length
    ? sql`, hist as (
        insert into ngsi_ld_attribute_instance (entity_id, entity_type, attr, instance_id, observed_at, recorded_at, instance)
        select v.* from (values ${sql.join(instances)})
          as v (entity_id, entity_type, attr, instance_id, observed_at, recorded_at, instance)
        where v.entity_id in (select id from ins))`
    : sql``;
  const res = await sql<{ id: string }>`
    with ins as (
      insert into ngsi_ld_entity (id, type, attrs, source, device_id, min_lon, min_lat, max_lon, max_lat, created_at, modified_at)
      values ${sql.join(rows)}
      on conflict (id) do nothing returning id
    )${hist}
    select id from ins`.execute(db);
  return new Set(res.rows.map((r) => r.id));
}

/** Inserts or replaces entities (one statement); returns the ids that were created. */
export async function upsertEntities(
  db: Db,
  entities: StoredEntity[],
  origin?: EntityOrigin,
): Promise<Set<string>> {
  if (entities.length === 0) return new Set();
  const rows = await db
    .insertInto('ngsi_ld_entity')
    .values(entities.map((e) => rowOf(e, origin)))
    .onConflict((oc) =>
      oc.column('id').doUpdateSet((eb) => ({
        type: eb.ref('excluded.type'),
        attrs: eb.ref('excluded.attrs'),
        source: eb.ref('excluded.source'),
        device_id: eb.ref('excluded.device_id'),
        min_lon: eb.ref('excluded.min_lon'),
        min_lat: eb.ref('excluded.min_lat'),
        max_lon: eb.ref('excluded.max_lon'),
        max_lat: eb.ref('excluded.max_lat'),
        modified_at: eb.ref('excluded.modified_at'),
      })),
    )
    .returning(['id', sql<boolean>`(xmax = 0)`.as('inserted')])
    .execute();
  return new Set(rows.filter((r) => r.inserted).map((r) => r.id as string));
}

/** Writes the attributes of existing entities back (after a merge in the service). */
export async function saveEntity(db: Db, e: StoredEntity): Promise<void> {
  const row = rowOf(e);
  await db
    .updateTable('ngsi_ld_entity')
    .set({
      attrs: row.attrs,
      min_lon: row.min_lon,
      min_lat: row.min_lat,
      max_lon: row.max_lon,
      max_lat: row.max_lat,
      modified_at: row.modified_at,
    })
    .where('id', '=', e.id)
    .execute();
}

/** Loads entities by id (locking them when asked, for read-modify-write). */
export async function loadEntities(
  db: Db,
  ids: string[],
  forUpdate = false,
): Promise<Map<string, StoredEntity>> {
  if (ids.length === 0) return new Map();
  let query = db.selectFrom('ngsi_ld_entity').select(COLUMNS).where('id', 'in', ids);
  if (forUpdate) query = query.forUpdate();
  const rows = await query.execute();
  return new Map(rows.map((r) => [r.id, toEntity(r)]));
}

/** Loads one entity or throws ResourceNotFound. */
export async function loadEntity(db: Db, id: string, forUpdate = false): Promise<StoredEntity> {
  const e = (await loadEntities(db, [id], forUpdate)).get(id);
  if (!e) throw new NgsiLdError('ResourceNotFound', `Entity ${id} not found.`);
  return e;
}

/** Deletes entities; returns the ids that existed. */
export async function deleteEntities(db: Db, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.deleteFrom('ngsi_ld_entity').where('id', 'in', ids).returning('id').execute();
  return new Set(rows.map((r) => r.id as string));
}

/** The parameters of an entity query, with names already expanded. */
export interface EntityQuery {
  types?: string[];
  ids?: string[];
  idPattern?: string;
  q?: QNode;
  /** Entities must have at least one of these attributes. */
  attrs?: string[];
  geo?: GeoQuery | null;
  limit: number;
  offset: number;
  count?: boolean;
}

function whereOf(query: EntityQuery) {
  const parts = [sql`true`];
  if (query.types?.length) parts.push(sql`e.type in (${sql.join(query.types)})`);
  if (query.ids?.length) parts.push(sql`e.id in (${sql.join(query.ids)})`);
  if (query.idPattern) parts.push(sql`e.id ~ ${query.idPattern}`);
  if (query.attrs?.length)
    parts.push(
      sql`(${sql.join(
        query.attrs.map((a) => sql`e.attrs ? ${a}::text`),
        sql` or `,
      )})`,
    );
  if (query.q) parts.push(compileQuery(query.q, sql`e.attrs`));
  if (query.geo) {
    const box = prefilterBox(query.geo);
    if (query.geo.geoproperty === LOCATION_IRI) {
      parts.push(sql`e.min_lon is not null`);
      if (box)
        parts.push(
          sql`e.min_lon <= ${box[2]} and e.max_lon >= ${box[0]} and e.min_lat <= ${box[3]} and e.max_lat >= ${box[1]}`,
        );
    } else parts.push(sql`e.attrs ? ${query.geo.geoproperty}::text`);
  }
  return sql.join(parts, sql` and `);
}

/** Runs an entity query; geo relations are decided in JS on the box-prefiltered rows. */
export async function queryEntities(
  db: Db,
  query: EntityQuery,
): Promise<{ entities: StoredEntity[]; count: number | null }> {
  const where = whereOf(query);
  if (query.geo) {
    const geo = query.geo;
    const candidates = await sql<{ id: string; g: unknown }>`
      select e.id, coalesce(e.attrs -> ${geo.geoproperty}::text -> 'value',
        e.attrs -> ${geo.geoproperty}::text -> 0 -> 'value') as g
      from ngsi_ld_entity e where ${where} order by e.id`.execute(db);
    const matching = candidates.rows.filter((r) => matchesGeoQuery(geo, r.g)).map((r) => r.id);
    const page = matching.slice(query.offset, query.offset + query.limit);
    const loaded = await loadEntities(db, page);
    return {
      entities: page.map((id) => loaded.get(id)).filter((e): e is StoredEntity => !!e),
      count: query.count ? matching.length : null,
    };
  }
  const rows =
    query.limit === 0
      ? { rows: [] as EntityRow[] }
      : await sql<EntityRow>`
      select e.id, e.type, e.attrs, e.created_at, e.modified_at from ngsi_ld_entity e
      where ${where} order by e.id limit ${query.limit} offset ${query.offset}`.execute(db);
  let count: number | null = null;
  if (query.count) {
    const c = await sql<{
      n: number;
    }>`select count(*)::int as n from ngsi_ld_entity e where ${where}`.execute(db);
    count = Number(c.rows[0].n);
  }
  return { entities: rows.rows.map(toEntity), count };
}

/** One attribute instance for the temporal store. */
export interface InstanceRecord {
  entityId: string;
  entityType: string;
  attr: string;
  instance: StoredAttribute;
  recordedAt: string;
}

/** Appends attribute instances (history). */
export async function recordInstances(db: Db, records: InstanceRecord[]): Promise<void> {
  if (records.length === 0) return;
  for (let i = 0; i < records.length; i += 2000) {
    await db
      .insertInto('ngsi_ld_attribute_instance')
      .values(
        records.slice(i, i + 2000).map((r) => {
          const instanceId = `urn:ngsi-ld:attribute:instance:${randomUUID()}`;
          return {
            entity_id: r.entityId,
            entity_type: r.entityType,
            attr: r.attr,
            instance_id: instanceId,
            observed_at: (r.instance.observedAt as string | undefined) ?? r.recordedAt,
            recorded_at: r.recordedAt,
            instance: JSON.stringify({ ...r.instance, instanceId }),
          };
        }),
      )
      .execute();
  }
}

/** The instances of the attribute `a.value` as a jsonb array (a multi-attribute is one already). */
const INSTANCES = sql`case when jsonb_typeof(a.value) = 'array' then a.value else jsonb_build_array(a.value) end`;

/** Type discovery: per type, its entity count and attribute names with their types. */
export async function typeDetails(
  db: Db,
  type?: string,
): Promise<Array<{ type: string; count: number; attrs: Array<{ attr: string; attrTypes: string[] }> }>> {
  const filter = type ? sql`where e.type = ${type}` : sql``;
  const counts = await sql<{ type: string; n: number }>`
    select e.type, count(*)::int as n from ngsi_ld_entity e ${filter} group by e.type order by e.type`.execute(
    db,
  );
  const attrs = await sql<{ type: string; attr: string; attr_type: string }>`
    select distinct e.type, a.key as attr, i.value ->> 'type' as attr_type
    from ngsi_ld_entity e cross join lateral jsonb_each(e.attrs) a
      cross join lateral jsonb_array_elements(${INSTANCES}) i ${filter}
    order by 1, 2, 3`.execute(db);
  return counts.rows.map((c) => {
    const mine = attrs.rows.filter((a) => a.type === c.type);
    const byAttr = new Map<string, string[]>();
    for (const a of mine) byAttr.set(a.attr, [...(byAttr.get(a.attr) ?? []), a.attr_type]);
    return {
      type: c.type,
      count: Number(c.n),
      attrs: [...byAttr].map(([attr, attrTypes]) => ({ attr, attrTypes })),
    };
  });
}

/** Attribute discovery: per attribute, how many entities carry it, its types and entity types. */
export async function attributeDetails(
  db: Db,
  attr?: string,
): Promise<Array<{ attr: string; count: number; attrTypes: string[]; types: string[] }>> {
  const filter = attr ? sql`where a.key = ${attr}` : sql``;
  const rows = await sql<{ attr: string; n: number; attr_types: string[]; types: string[] }>`
    select a.key as attr, count(*)::int as n,
      array_agg(distinct (
        select i.value ->> 'type' from jsonb_array_elements(${INSTANCES}) i limit 1)) as attr_types,
      array_agg(distinct e.type) as types
    from ngsi_ld_entity e cross join lateral jsonb_each(e.attrs) a ${filter}
    group by a.key order by a.key`.execute(db);
  return rows.rows.map((r) => ({
    attr: r.attr,
    count: Number(r.n),
    attrTypes: r.attr_types,
    types: r.types,
  }));
}

/** One projected entity to write: the attributes it brings and, with history, their instances. */
export interface ProjectionWrite {
  entity: { id: string; type: string; attrs: Record<string, StoredAttribute> };
  origin: EntityOrigin;
  /** Attribute instances to keep (oldest first), when projected entities keep their own history. */
  history: Array<{ attr: string; instance: StoredAttribute }>;
}

/**
 * Writes projected entities in one statement: a multi-row upsert that merges the given
 * attributes into the stored ones (keeping each attribute's `createdAt`, and the location box
 * when no location comes), with the attribute instances in the same statement. Ids must be
 * distinct. Returns the entities as stored, and whether each was created.
 */
export async function projectEntities(
  db: Db,
  writes: ProjectionWrite[],
  now: string,
): Promise<Array<{ entity: StoredEntity; created: boolean }>> {
  if (writes.length === 0) return [];
  const rows = [...writes]
    .sort((x, y) => (x.entity.id < y.entity.id ? -1 : x.entity.id > y.entity.id ? 1 : 0))
    .map(({ entity, origin, history }) => {
      const box = locationBox(entity.attrs);
      return {
        id: entity.id,
        type: entity.type,
        attrs: entity.attrs,
        source: origin.source,
        device_id: origin.deviceId ?? null,
        min_lon: box?.[0] ?? null,
        min_lat: box?.[1] ?? null,
        max_lon: box?.[2] ?? null,
        max_lat: box?.[3] ?? null,
        hist: history.map((h) => ({
          attr: h.attr,
          instance: { ...h.instance, instanceId: `urn:ngsi-ld:attribute:instance:${randomUUID()}` },
        })),
      };
    });
  const res = await sql<EntityRow & { inserted: boolean }>`
    with v as (
      select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v (id text, type text, attrs jsonb,
        source text, device_id text, min_lon float8, min_lat float8, max_lon float8, max_lat float8, hist jsonb)
    ), up as (
      insert into ngsi_ld_entity as e (id, type, attrs, source, device_id, min_lon, min_lat, max_lon, max_lat, created_at, modified_at)
      select id, type, attrs, source, device_id, min_lon, min_lat, max_lon, max_lat, ${now}::timestamptz, ${now}::timestamptz
      from v order by id
      on conflict (id) do update set
        type = excluded.type,
        attrs = e.attrs || coalesce((
          select jsonb_object_agg(n.key, case
            -- A multi-attribute (§4.5.5): the projected default instance replaces the stored
            -- default one; the instances with a datasetId stay.
            when jsonb_typeof(e.attrs -> n.key) = 'array' then (
              select jsonb_agg(x.v) from (
                select d.v from jsonb_array_elements(e.attrs -> n.key) d (v) where d.v ? 'datasetId'
                union all
                select n.value || coalesce((
                  select jsonb_build_object('createdAt', d.v -> 'createdAt')
                  from jsonb_array_elements(e.attrs -> n.key) d (v)
                  where not d.v ? 'datasetId' limit 1), '{}'::jsonb)
              ) x (v))
            when e.attrs -> n.key ? 'datasetId' then jsonb_build_array(e.attrs -> n.key, n.value)
            when e.attrs -> n.key -> 'createdAt' is null then n.value
            else n.value || jsonb_build_object('createdAt', e.attrs -> n.key -> 'createdAt') end)
          from jsonb_each(excluded.attrs) n), '{}'::jsonb),
        source = excluded.source,
        device_id = excluded.device_id,
        min_lon = case when excluded.min_lon is null then e.min_lon else excluded.min_lon end,
        min_lat = case when excluded.min_lon is null then e.min_lat else excluded.min_lat end,
        max_lon = case when excluded.min_lon is null then e.max_lon else excluded.max_lon end,
        max_lat = case when excluded.min_lon is null then e.max_lat else excluded.max_lat end,
        modified_at = excluded.modified_at
      returning e.id, e.type, e.attrs, e.created_at, e.modified_at, (xmax = 0) as inserted
    ), hist as (
      insert into ngsi_ld_attribute_instance (entity_id, entity_type, attr, instance_id, observed_at, recorded_at, instance)
      select v.id, v.type, h.value ->> 'attr', h.value -> 'instance' ->> 'instanceId',
        coalesce((h.value -> 'instance' ->> 'observedAt')::timestamptz, ${now}::timestamptz), ${now}::timestamptz,
        h.value -> 'instance'
      from v cross join lateral jsonb_array_elements(v.hist) with ordinality as h (value, ord)
      order by v.id, h.ord
    )
    select * from up`.execute(db);
  return res.rows.map((r) => ({ entity: toEntity(r), created: !!r.inserted }));
}
