/**
 * Entity operations of the context broker (ETSI GS CIM 009 §5.6, §5.7): create, retrieve,
 * query, attribute append/update/partial update/delete, batch operations. Each write runs in
 * one transaction, records attribute instances for the temporal API when history is on,
 * and reports the change to the subscription engine after commit.
 */
import type { Clock, Db } from '../kernel/index.ts';
import {
  instancesOf,
  mergeInstances,
  normalizeAttribute,
  normalizeAttributes,
  normalizeEntity,
  packInstances,
  type StoredAttribute,
  type StoredEntity,
} from './entity-model.ts';
import { EntityCreateQueue } from './entity-create-queue.ts';
import {
  deleteEntities,
  type EntityOrigin,
  type EntityQuery,
  type InstanceRecord,
  insertEntities,
  loadEntities,
  loadEntity,
  type ProjectionWrite,
  projectEntities,
  queryEntities,
  recordInstances,
  saveEntity,
  upsertEntities,
} from './entity-store.ts';
import { type ActiveContext, compactIri, expandTerm } from './json-ld-context.ts';
import { NgsiLdError, type ProblemDetails, toProblemDetails } from './ngsi-ld-errors.ts';
import { DEFAULT_NGSI_LD_SETTINGS } from './ngsi-ld-settings.ts';
import { withStatementTimeout } from './query-timeout.ts';

/** What changed in one entity, for subscriptions. */
export interface EntityChange {
  kind: 'created' | 'updated' | 'deleted';
  entity: StoredEntity;
  /** Expanded IRIs of the attributes written. */
  attrs: string[];
  /** Per attribute, the instances written when not all of a multi-attribute's (§4.5.5). */
  written?: ReadonlyMap<string, StoredAttribute[]>;
}

/** Per-entity outcome of a batch operation (§5.2.16 BatchOperationResult). */
export interface BatchResult {
  success: string[];
  errors: Array<{ entityId: string; error: ProblemDetails }>;
  /** Ids created by an upsert (201 vs 204). */
  created: string[];
}

/** Outcome of an attribute append or update (§5.2.18 UpdateResult). */
export interface UpdateResult {
  updated: string[];
  notUpdated: Array<{ attributeName: string; reason: string }>;
}

/** One element of a batch with the context it is to be read with. */
export interface BatchItem {
  raw: unknown;
  ctx: ActiveContext;
}

export interface EntityServiceOptions {
  db: Db;
  clock: Clock;
  /** Record attribute instances on every write (temporal API over API-created entities). */
  history: boolean;
  /** Statement timeout of a query, on PostgreSQL (default 10 s). */
  queryTimeoutMs?: number;
  /** Record history of projected device entities (when the data hub's observations are not there to serve it). */
  projectionHistory?: boolean;
  /** Creation statements in flight at most (group commit; default 1, PGlite's one connection). */
  createConcurrency?: number;
  onChange(changes: EntityChange[]): void;
}

const idOf = (raw: unknown) =>
  raw && typeof raw === 'object' && typeof (raw as { id?: unknown }).id === 'string'
    ? (raw as { id: string }).id
    : '';

/** The entity operations. */
export class EntityService {
  readonly #creates: EntityCreateQueue;

  constructor(private readonly o: EntityServiceOptions) {
    this.#creates = new EntityCreateQueue({ db: o.db, concurrency: o.createConcurrency ?? 1 });
  }

  /** Whether projected device entities keep their own history (no data hub observations to read). */
  setProjectionHistory(on: boolean): void {
    this.o.projectionHistory = on;
  }

  /**
   * Work to settle before a read (the projections' pending writes), so that a change
   * published before a read is seen by it.
   */
  beforeRead: (() => Promise<void>) | null = null;

  /** Whether projected device entities keep their own history. */
  get projectionHistory(): boolean {
    return !!this.o.projectionHistory;
  }

  /** The database handle (discovery reads it directly). */
  get db(): Db {
    return this.o.db;
  }

  #now() {
    return this.o.clock.now().toISOString();
  }

  #history(
    force: boolean,
    entities: Array<{ e: StoredEntity; attrs: string[]; written?: ReadonlyMap<string, StoredAttribute[]> }>,
    now: string,
  ): InstanceRecord[] {
    if (!this.o.history && !force) return [];
    const out: InstanceRecord[] = [];
    for (const { e, attrs, written } of entities)
      for (const attr of attrs) {
        for (const instance of written?.get(attr) ?? instancesOf(e.attrs[attr]))
          out.push({ entityId: e.id, entityType: e.type, attr, instance, recordedAt: now });
      }
    return out;
  }

  async #write<T>(
    work: (trx: Db, now: string) => Promise<{ result: T; changes: EntityChange[] }>,
    forceHistory = false,
  ): Promise<T> {
    const now = this.#now();
    const { result, changes } = await this.o.db.transaction().execute(async (trx) => {
      const out = await work(trx, now);
      await recordInstances(
        trx,
        this.#history(
          forceHistory,
          out.changes
            .filter((c) => c.kind !== 'deleted')
            .map((c) => ({ e: c.entity, attrs: c.attrs, written: c.written })),
          now,
        ),
      );
      return out;
    });
    if (changes.length) this.o.onChange(changes);
    return result;
  }

  /**
   * Creates an entity (409 AlreadyExists when the id is taken) in one statement, shared
   * with the creations that arrive while another is being written (group commit).
   */
  async create(ctx: ActiveContext, body: unknown, origin?: EntityOrigin): Promise<StoredEntity> {
    const now = this.#now();
    const entity = normalizeEntity(ctx, body, now);
    const attrs = Object.keys(entity.attrs);
    const created = await this.#creates.create({
      entity,
      origin,
      history: this.#history(false, [{ e: entity, attrs }], now),
    });
    if (!created) throw new NgsiLdError('AlreadyExists', `Entity ${entity.id} already exists.`);
    this.o.onChange([{ kind: 'created', entity, attrs }]);
    return entity;
  }

  /** Retrieves an entity (404 ResourceNotFound). */
  async retrieve(id: string): Promise<StoredEntity> {
    await this.beforeRead?.();
    return loadEntity(this.o.db, id);
  }

  /** Queries entities. */
  async query(query: EntityQuery) {
    await this.beforeRead?.();
    return withStatementTimeout(
      this.o.db,
      this.o.queryTimeoutMs ?? DEFAULT_NGSI_LD_SETTINGS.queryTimeoutMs,
      (trx) => queryEntities(trx, query),
    );
  }

  /** Deletes an entity. */
  async delete(id: string): Promise<void> {
    await this.#write(async (trx) => {
      const entity = await loadEntity(trx, id, true);
      await deleteEntities(trx, [id]);
      return { result: undefined, changes: [{ kind: 'deleted', entity, attrs: [] }] };
    });
  }

  /** Appends attributes (§5.6.3); with noOverwrite existing ones are left alone. */
  async appendAttrs(
    ctx: ActiveContext,
    id: string,
    body: unknown,
    noOverwrite: boolean,
  ): Promise<UpdateResult> {
    const fragment = asObject(body);
    return this.#write(async (trx, now) => {
      const e = await loadEntity(trx, id, true);
      const incoming = normalizeAttributes(ctx, fragment, now, e.attrs);
      const result: UpdateResult = { updated: [], notUpdated: [] };
      const written: string[] = [];
      const instances = new Map<string, StoredAttribute[]>();
      for (const [iri, attr] of Object.entries(incoming)) {
        // Instances replace the stored one with their datasetId; others are added (§4.5.5).
        const merged = mergeInstances(e.attrs[iri], attr, noOverwrite ? 'noOverwrite' : 'overwrite');
        if (merged.written.length === 0) {
          result.notUpdated.push({
            attributeName: compactIri(ctx, iri),
            reason: 'The attribute exists (noOverwrite).',
          });
          continue;
        }
        e.attrs[iri] = merged.attr!;
        instances.set(iri, merged.written);
        written.push(iri);
        result.updated.push(compactIri(ctx, iri));
      }
      if (written.length) {
        e.modifiedAt = now;
        await saveEntity(trx, e);
      }
      return {
        result,
        changes: written.length ? [{ kind: 'updated', entity: e, attrs: written, written: instances }] : [],
      };
    });
  }

  /** Updates existing attributes (§5.6.2); attributes the entity lacks are reported. */
  async updateAttrs(ctx: ActiveContext, id: string, body: unknown): Promise<UpdateResult> {
    const fragment = asObject(body);
    return this.#write(async (trx, now) => {
      const e = await loadEntity(trx, id, true);
      const incoming = normalizeAttributes(ctx, fragment, now, e.attrs);
      const result: UpdateResult = { updated: [], notUpdated: [] };
      const written: string[] = [];
      const instances = new Map<string, StoredAttribute[]>();
      for (const [iri, attr] of Object.entries(incoming)) {
        // Only stored instances (by datasetId) are updated (§4.5.5).
        const merged = mergeInstances(e.attrs[iri], attr, 'existingOnly');
        if (merged.written.length === 0) {
          result.notUpdated.push({
            attributeName: compactIri(ctx, iri),
            reason: e.attrs[iri]
              ? 'The attribute has no instance with that datasetId.'
              : 'The entity has no such attribute.',
          });
          continue;
        }
        e.attrs[iri] = merged.attr!;
        instances.set(iri, merged.written);
        written.push(iri);
        result.updated.push(compactIri(ctx, iri));
      }
      if (written.length) {
        e.modifiedAt = now;
        await saveEntity(trx, e);
      }
      return {
        result,
        changes: written.length ? [{ kind: 'updated', entity: e, attrs: written, written: instances }] : [],
      };
    });
  }

  /** Partial attribute update (§5.6.4): the fragment's members replace the attribute's. */
  async partialAttrUpdate(ctx: ActiveContext, id: string, attrName: string, body: unknown): Promise<void> {
    const fragment = asObject(body);
    const iri = expandTerm(ctx, attrName);
    await this.#write(async (trx, now) => {
      const e = await loadEntity(trx, id, true);
      // The instance addressed is the one with the fragment's datasetId (§4.5.5), else the default.
      const datasetId = fragment.datasetId as string | undefined;
      const previous = instancesOf(e.attrs[iri]).find((i) => i.datasetId === datasetId);
      if (!previous)
        throw new NgsiLdError(
          'ResourceNotFound',
          datasetId === undefined
            ? `Entity ${id} has no attribute ${attrName}.`
            : `Entity ${id} has no instance of ${attrName} with datasetId ${datasetId}.`,
        );
      if (fragment.type !== undefined && fragment.type !== previous.type)
        throw new NgsiLdError(
          'BadRequestData',
          `The type of ${attrName} cannot change from ${previous.type}.`,
        );
      // Stored sub-attributes are keyed by IRI, which expand to themselves; the fragment's
      // members come after them and so win.
      const { createdAt: _c, modifiedAt: _m, ...rest } = previous;
      const { '@context': _ctx, ...changes } = fragment;
      const merged = { ...rest, ...changes };
      const instance = normalizeAttribute(ctx, attrName, merged, now, previous);
      e.attrs[iri] = mergeInstances(e.attrs[iri], instance).attr!;
      e.modifiedAt = now;
      await saveEntity(trx, e);
      return {
        result: undefined,
        changes: [{ kind: 'updated', entity: e, attrs: [iri], written: new Map([[iri, [instance]]]) }],
      };
    });
  }

  /**
   * Deletes an attribute (§5.6.5): its default instance, the instance with `datasetId`, or
   * with `deleteAll` every instance (§4.5.5).
   */
  async deleteAttr(
    ctx: ActiveContext,
    id: string,
    attrName: string,
    which: { datasetId?: string; deleteAll?: boolean } = {},
  ): Promise<void> {
    const iri = expandTerm(ctx, attrName);
    await this.#write(async (trx, now) => {
      const e = await loadEntity(trx, id, true);
      const list = instancesOf(e.attrs[iri]);
      const kept = which.deleteAll ? [] : list.filter((i) => i.datasetId !== which.datasetId);
      if (list.length === 0 || kept.length === list.length)
        throw new NgsiLdError(
          'ResourceNotFound',
          which.datasetId === undefined || which.deleteAll
            ? `Entity ${id} has no attribute ${attrName}${which.deleteAll ? '' : ' without datasetId'}.`
            : `Entity ${id} has no instance of ${attrName} with datasetId ${which.datasetId}.`,
        );
      const rest = packInstances(kept);
      if (rest) e.attrs[iri] = rest;
      else delete e.attrs[iri];
      e.modifiedAt = now;
      await saveEntity(trx, e);
      return { result: undefined, changes: [{ kind: 'updated', entity: e, attrs: [] }] };
    });
  }

  #normalizeAll(items: BatchItem[], now: string, result: BatchResult): StoredEntity[] {
    const out: StoredEntity[] = [];
    for (const { raw, ctx } of items) {
      try {
        out.push(normalizeEntity(ctx, raw, now));
      } catch (err) {
        result.errors.push({ entityId: idOf(raw), error: toProblemDetails(err) });
      }
    }
    return out;
  }

  /** Batch create (§5.6.7). */
  async batchCreate(items: BatchItem[]): Promise<BatchResult> {
    const result: BatchResult = { success: [], errors: [], created: [] };
    const now = this.#now();
    const seen = new Set<string>();
    const entities: StoredEntity[] = [];
    for (const e of this.#normalizeAll(items, now, result)) {
      if (seen.has(e.id)) {
        result.errors.push({
          entityId: e.id,
          error: toProblemDetails(
            new NgsiLdError('AlreadyExists', `Entity ${e.id} appears twice in the batch.`),
          ),
        });
        continue;
      }
      seen.add(e.id);
      entities.push(e);
    }
    return this.#write(async (trx) => {
      const created = await insertEntities(trx, entities);
      const changes: EntityChange[] = [];
      for (const e of entities) {
        if (created.has(e.id)) {
          result.success.push(e.id);
          result.created.push(e.id);
          changes.push({ kind: 'created', entity: e, attrs: Object.keys(e.attrs) });
        } else
          result.errors.push({
            entityId: e.id,
            error: toProblemDetails(new NgsiLdError('AlreadyExists', `Entity ${e.id} already exists.`)),
          });
      }
      return { result, changes };
    });
  }

  /** Batch upsert (§5.6.8): `replace` (default) or `update` existing entities. */
  async batchUpsert(items: BatchItem[], mode: 'replace' | 'update'): Promise<BatchResult> {
    const result: BatchResult = { success: [], errors: [], created: [] };
    const now = this.#now();
    const normalized = this.#normalizeAll(items, now, result);
    return this.#write(async (trx) => {
      const existing =
        mode === 'update'
          ? await loadEntities(trx, [...new Set(normalized.map((e) => e.id))], true)
          : new Map();
      const merged = new Map<
        string,
        { e: StoredEntity; attrs: Set<string>; written?: Map<string, StoredAttribute[]> }
      >();
      for (const e of normalized) {
        const base =
          merged.get(e.id) ??
          (existing.has(e.id) ? { e: existing.get(e.id)!, attrs: new Set(), written: new Map() } : undefined);
        if (!base || mode === 'replace') {
          merged.set(e.id, { e, attrs: new Set(Object.keys(e.attrs)) });
          continue;
        }
        for (const [iri, a] of Object.entries(e.attrs)) {
          const m = mergeInstances(base.e.attrs[iri], a);
          base.e.attrs[iri] = m.attr!;
          base.written?.set(iri, [...(base.written.get(iri) ?? []), ...m.written]);
          base.attrs.add(iri);
        }
        base.e.modifiedAt = now;
        merged.set(e.id, base);
      }
      const all = [...merged.values()];
      const created = await upsertEntities(
        trx,
        all.map((m) => m.e),
      );
      const changes: EntityChange[] = [];
      for (const { e, attrs, written } of all) {
        result.success.push(e.id);
        if (created.has(e.id)) result.created.push(e.id);
        changes.push({
          kind: created.has(e.id) ? 'created' : 'updated',
          entity: e,
          attrs: [...attrs],
          written,
        });
      }
      return { result, changes };
    });
  }

  /** Batch update (§5.6.9): attributes of existing entities; noOverwrite keeps existing ones. */
  async batchUpdate(items: BatchItem[], noOverwrite: boolean): Promise<BatchResult> {
    const result: BatchResult = { success: [], errors: [], created: [] };
    const now = this.#now();
    const normalized = this.#normalizeAll(items, now, result);
    return this.#write(async (trx) => {
      const existing = await loadEntities(trx, [...new Set(normalized.map((e) => e.id))], true);
      const touched = new Map<
        string,
        { e: StoredEntity; attrs: Set<string>; written: Map<string, StoredAttribute[]> }
      >();
      for (const n of normalized) {
        const base =
          touched.get(n.id) ??
          (existing.has(n.id)
            ? {
                e: existing.get(n.id)!,
                attrs: new Set<string>(),
                written: new Map<string, StoredAttribute[]>(),
              }
            : null);
        if (!base) {
          result.errors.push({
            entityId: n.id,
            error: toProblemDetails(new NgsiLdError('ResourceNotFound', `Entity ${n.id} not found.`)),
          });
          continue;
        }
        for (const [iri, a] of Object.entries(n.attrs)) {
          const merged = mergeInstances(base.e.attrs[iri], a, noOverwrite ? 'noOverwrite' : 'overwrite');
          if (merged.written.length === 0) continue;
          base.e.attrs[iri] = merged.attr!;
          base.written.set(iri, [...(base.written.get(iri) ?? []), ...merged.written]);
          base.attrs.add(iri);
        }
        base.e.modifiedAt = now;
        touched.set(n.id, base);
      }
      const all = [...touched.values()];
      await upsertEntities(
        trx,
        all.map((m) => m.e),
      );
      for (const { e } of all) result.success.push(e.id);
      return {
        result,
        changes: all.map(({ e, attrs, written }) => ({
          kind: 'updated' as const,
          entity: e,
          attrs: [...attrs],
          written,
        })),
      };
    });
  }

  /** Batch delete (§5.6.10): a list of entity ids. */
  async batchDelete(ids: unknown[]): Promise<BatchResult> {
    const result: BatchResult = { success: [], errors: [], created: [] };
    const valid: string[] = [];
    for (const id of ids) {
      if (typeof id === 'string' && id) valid.push(id);
      else
        result.errors.push({
          entityId: String(id ?? ''),
          error: toProblemDetails(new NgsiLdError('BadRequestData', 'An entity id must be a string.')),
        });
    }
    return this.#write(async (trx) => {
      const before = await loadEntities(trx, valid, true);
      const deleted = await deleteEntities(trx, valid);
      for (const id of valid) {
        if (deleted.has(id)) result.success.push(id);
        else
          result.errors.push({
            entityId: id,
            error: toProblemDetails(new NgsiLdError('ResourceNotFound', `Entity ${id} not found.`)),
          });
      }
      return {
        result,
        changes: [...before.values()].map((entity) => ({ kind: 'deleted' as const, entity, attrs: [] })),
      };
    });
  }

  /**
   * Writes projected entities in one statement (see {@link projectEntities}); history only
   * when projected device entities keep their own. Ids must be distinct.
   */
  async projectMany(writes: ProjectionWrite[]): Promise<void> {
    if (writes.length === 0) return;
    const keep = !!this.o.projectionHistory;
    const written = await projectEntities(
      this.o.db,
      keep ? writes : writes.map((w) => ({ ...w, history: [] })),
      this.#now(),
    );
    const attrsOf = new Map(writes.map((w) => [w.entity.id, Object.keys(w.entity.attrs)]));
    this.o.onChange(
      written.map(({ entity, created }) => ({
        kind: created ? ('created' as const) : ('updated' as const),
        entity,
        attrs: attrsOf.get(entity.id) ?? [],
      })),
    );
  }

  /**
   * Writes a projected entity (devices, observations, cases): creates it, or replaces the
   * given attributes and keeps the others.
   */
  async project(
    entity: { id: string; type: string; attrs: Record<string, StoredAttribute> },
    origin: EntityOrigin,
  ): Promise<void> {
    await this.#write(
      async (trx, now) => {
        const current = (await loadEntities(trx, [entity.id], true)).get(entity.id);
        const e: StoredEntity = current ?? {
          id: entity.id,
          type: entity.type,
          attrs: {},
          createdAt: now,
          modifiedAt: now,
        };
        for (const [iri, a] of Object.entries(entity.attrs))
          e.attrs[iri] = mergeInstances(e.attrs[iri], a).attr!;
        e.type = entity.type;
        e.modifiedAt = now;
        await upsertEntities(trx, [e], origin);
        return {
          result: undefined,
          changes: [{ kind: current ? 'updated' : 'created', entity: e, attrs: Object.keys(entity.attrs) }],
        };
      },
      origin.source === 'datahub' && !!this.o.projectionHistory,
    );
  }
}

function asObject(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new NgsiLdError('BadRequestData', 'The body must be a JSON object of attributes.');
  return body as Record<string, unknown>;
}
