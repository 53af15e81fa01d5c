/**
 * City objects as NGSI-LD entities with FIWARE Smart Data Models types: the broker listens
 * on the kernel bus (events are published after commit) and keeps one entity per device
 * (`Device`), per device's latest observations (`AirQualityObserved`, `NoiseLevelObserved`,
 * `WaterQualityObserved`…, the sensor type's `ngsiType`) and per case (`service_requests`,
 * dataModel.IssueTracking). Personal data of reporters is never projected.
 */
import { type CaseEngine, type CaseEvent, caseEvents, getCase } from '../cases/index.ts';
import { type DatahubEventMap, datahubEvents } from '../datahub/index.ts';
import { SYSTEM_PRINCIPAL } from '../identity/index.ts';
import { type EventOf, GroupCommit, type Kernel, type PlatformEvent } from '../kernel/index.ts';
import type { StoredAttribute } from './entity-model.ts';
import type { EntityService } from './entity-service.ts';
import type { ProjectionWrite } from './entity-store.ts';
import { type ActiveContext, type ContextResolver, expandTerm } from './json-ld-context.ts';

const SDM = (model: string) =>
  `https://raw.githubusercontent.com/smart-data-models/${model}/master/context.jsonld`;
/** Context URLs of the Smart Data Models the projections use (served offline). */
export const PROJECTION_CONTEXTS = {
  environment: SDM('dataModel.Environment'),
  device: SDM('dataModel.Device'),
  issueTracking: SDM('dataModel.IssueTracking'),
  streetlighting: SDM('dataModel.Streetlighting'),
} as const;

/** NGSI-LD types whose Smart Data Model lives outside dataModel.Environment. */
const TYPE_CONTEXT: Readonly<Record<string, keyof typeof PROJECTION_CONTEXTS>> = {
  Streetlight: 'streetlighting',
};

/** Datahub property → Smart Data Models attribute name, where they differ. */
const SDM_ATTRIBUTE: Readonly<Record<string, string>> = { aqi: 'airQualityIndex', laeq: 'LAeq', ph: 'pH' };

/** The attribute name a datastream property is published under. */
export const observedAttributeName = (property: string) => SDM_ATTRIBUTE[property] ?? property;

/** Entity id of a device. */
export const deviceEntityId = (deviceId: string) => `urn:ngsi-ld:Device:${deviceId}`;
/** Entity id of a device's latest observations. */
export const observedEntityId = (ngsiType: string, deviceId: string) => `urn:ngsi-ld:${ngsiType}:${deviceId}`;
/** Entity id of a case. */
export const caseEntityId = (number: string) => `urn:ngsi-ld:service_requests:${number}`;

interface DeviceView {
  id: string;
  name: string;
  sensorType: string;
  moduleId?: string;
  ngsiType?: string | null;
  location?: { lat: number; lon: number } | null;
  departmentCode?: string | null;
  divisionCode?: string | null;
  status?: string;
  offline?: boolean;
  lastSeenAt?: string | null;
}

/** A device's `device.registered` or `device.updated` event. */
type DeviceChangedEvent = EventOf<DatahubEventMap, 'device.registered' | 'device.updated'>;

interface LatestObservations {
  deviceId: string;
  sensorType: string;
  ngsiType: string | null;
  location: { type: string; coordinates: number[] } | { lat: number; lon: number } | null;
  values: Record<string, { value: number; unit?: string; time: string }>;
}

/** Observation entities waiting to be written at most; beyond it the publisher waits. */
const MAX_PENDING = 20_000;
/** Entities per statement at most. */
const MAX_BATCH = 1_000;
/** Under load, observation entities are written at most this often (events merge meanwhile). */
const MIN_WRITE_INTERVAL_MS = 250;
/** Attribute instances kept per pending entity at most (history mode only; oldest dropped). */
const MAX_PENDING_HISTORY = 1_000;

const CLOSED_STATES = new Set(['closed', 'evaluated', 'rejected', 'merged']);

/**
 * Subscribes the projections to the bus; returns the function that unsubscribes and writes
 * what is still pending.
 */
export async function startProjections(
  kernel: Kernel,
  resolver: ContextResolver,
  entities: EntityService,
  /** The app's case engine, when it has the cases capability (cases are projected then). */
  caseEngine?: CaseEngine,
): Promise<() => Promise<void>> {
  const env = await resolver.resolve([PROJECTION_CONTEXTS.environment]);
  const dev = await resolver.resolve([PROJECTION_CONTEXTS.device]);
  const issues = await resolver.resolve([PROJECTION_CONTEXTS.issueTracking]);
  const now = () => kernel.clock.now().toISOString();
  const prop = (value: unknown, extra: Record<string, unknown> = {}): StoredAttribute => ({
    type: 'Property',
    value,
    ...extra,
    createdAt: now(),
    modifiedAt: now(),
  });
  const geo = (location: LatestObservations['location']): StoredAttribute | null => {
    if (!location) return null;
    const value =
      'lat' in location
        ? { type: 'Point', coordinates: [location.lon, location.lat] }
        : (location as { type: string });
    return { type: 'GeoProperty', value, createdAt: now(), modifiedAt: now() };
  };
  const attrsOf = (ctx: ActiveContext, attrs: Record<string, StoredAttribute | null | undefined>) => {
    const out: Record<string, StoredAttribute> = {};
    for (const [name, a] of Object.entries(attrs)) if (a) out[expandTerm(ctx, name)] = a;
    return out;
  };

  const projectDevice = async (event: DeviceChangedEvent) => {
    const d: DeviceView | undefined = event.data.device;
    if (!d?.id) return;
    const controlled = kernel.modules.modules
      .flatMap((m) => m.sensorTypes ?? [])
      .find((s) => s.code === d.sensorType)
      ?.datastreams.map((s) => observedAttributeName(s.property));
    await entities.project(
      {
        id: deviceEntityId(d.id),
        type: expandTerm(dev, 'Device'),
        attrs: attrsOf(dev, {
          name: prop(d.name),
          category: prop(['sensor']),
          deviceCategory: prop([d.sensorType]),
          controlledProperty: controlled ? prop(controlled) : null,
          deviceState: prop(d.offline ? 'offline' : (d.status ?? 'active')),
          owner: d.departmentCode ? prop([d.departmentCode]) : null,
          areaServed: d.divisionCode ? prop(d.divisionCode) : null,
          dateLastValueReported: d.lastSeenAt ? prop({ '@type': 'DateTime', '@value': d.lastSeenAt }) : null,
          location: d.location ? geo(d.location) : null,
        }),
      },
      { source: 'datahub', deviceId: d.id },
    );
  };

  const streetlighting = await resolver.resolve([PROJECTION_CONTEXTS.streetlighting]);
  const contextOf = (ngsiType: string) =>
    TYPE_CONTEXT[ngsiType] === 'streetlighting' ? streetlighting : env;

  /** The attributes of a device's latest observations, by the Smart Data Model of its type. */
  const latestAttrs = (o: LatestObservations): Record<string, StoredAttribute | null> => {
    const times = Object.values(o.values)
      .map((v) => v.time)
      .sort();
    const newest = times.length ? new Date(times[times.length - 1]).toISOString() : null;
    const observed = (v: { value: unknown; time: string; unit?: string }, value: unknown = v.value) =>
      prop(value, { observedAt: new Date(v.time).toISOString(), ...(v.unit ? { unitCode: v.unit } : {}) });
    if (o.ngsiType === 'Streetlight') return streetlightAttrs(o, newest, observed);
    const attrs: Record<string, StoredAttribute | null> = {
      dateObserved: newest ? prop({ '@type': 'DateTime', '@value': newest }) : null,
      refDevice: {
        type: 'Relationship',
        object: deviceEntityId(o.deviceId),
        createdAt: now(),
        modifiedAt: now(),
      },
      location: geo(o.location),
    };
    for (const [property, v] of Object.entries(o.values))
      attrs[observedAttributeName(property)] = observed(v);
    return attrs;
  };

  /**
   * dataModel.Streetlighting `Streetlight`: lamp status 0/1 → `powerState` on/off, power →
   * `powerConsumption` (W), energy → `lifetimePowerConsumption` (kWh), the derived fault →
   * `status` (`defectiveLamp` or `ok`), the ambient illuminance as `illuminance` (lx; the
   * model's `illuminanceLevel` is a relative dimming level, which the lamps do not report).
   */
  const streetlightAttrs = (
    o: LatestObservations,
    newest: string | null,
    observed: (v: { value: unknown; time: string; unit?: string }, value?: unknown) => StoredAttribute,
  ): Record<string, StoredAttribute | null> => {
    const v = o.values;
    const attrs: Record<string, StoredAttribute | null> = {
      observationDateTime: newest ? prop({ '@type': 'DateTime', '@value': newest }) : null,
      refDevice: {
        type: 'Relationship',
        object: [deviceEntityId(o.deviceId)],
        createdAt: now(),
        modifiedAt: now(),
      },
      location: geo(o.location),
    };
    if (v.status)
      attrs.powerState = observed({ ...v.status, unit: undefined }, v.status.value >= 0.5 ? 'on' : 'off');
    if (v.power) attrs.powerConsumption = observed(v.power);
    if (v.energy) attrs.lifetimePowerConsumption = observed(v.energy);
    if (v.illuminance) attrs.illuminance = observed(v.illuminance);
    if (v.fault)
      attrs.status = observed({ ...v.fault, unit: undefined }, v.fault.value >= 0.5 ? 'defectiveLamp' : 'ok');
    return attrs;
  };

  // Latest observations are coalesced: each event replaces the pending values of its entity
  // (newest time per property), and pending entities are written together when the previous
  // write finishes, through the kernel's group commit (docs/architecture.md#group-commit): its
  // commands are the ids of the pending entities, and a batch takes every one queued, written
  // {@link MAX_BATCH} to a statement. A lone event is written on the next turn.
  interface Pending {
    o: LatestObservations;
    /** Per event, its attributes, for projected entities that keep their own history. */
    history: Array<Record<string, StoredAttribute | null>>;
  }
  const pending = new Map<string, Pending>();
  let stopped = false;

  const writeBatch = async (batch: Array<[string, Pending]>) => {
    const keepHistory = entities.projectionHistory;
    const writes: ProjectionWrite[] = batch.map(([id, p]) => {
      const ctx = contextOf(p.o.ngsiType!);
      return {
        entity: { id, type: expandTerm(ctx, p.o.ngsiType!), attrs: attrsOf(ctx, latestAttrs(p.o)) },
        origin: { source: 'datahub', deviceId: p.o.deviceId },
        history: keepHistory
          ? p.history.flatMap((h) =>
              Object.entries(attrsOf(ctx, h)).map(([attr, instance]) => ({ attr, instance })),
            )
          : [],
      };
    });
    try {
      await entities.projectMany(writes);
    } catch (err) {
      kernel.logger.warn({ err, entities: writes.length }, 'NGSI-LD projection observation failed');
    }
  };

  /**
   * At rest on the next turn (the events of one data hub write, published one after another
   * in microtasks, share the statement); under load at most one write per
   * {@link MIN_WRITE_INTERVAL_MS}, so that several data hub writes share it. Later events for
   * an entity being written wait for the next write.
   */
  const commit = new GroupCommit<string, void>({
    maxBatch: Number.POSITIVE_INFINITY,
    maxQueued: MAX_PENDING,
    minIntervalMs: MIN_WRITE_INTERVAL_MS,
    isolateFailures: false,
    runBatch: async (ids) => {
      // Taken out of `pending` before the first await: events from now on start a new entry.
      const batch = ids.map((id): [string, Pending] => [id, pending.get(id)!]);
      for (const id of ids) pending.delete(id);
      for (let at = 0; at < batch.length; at += MAX_BATCH) await writeBatch(batch.slice(at, at + MAX_BATCH));
      return ids.map(() => ({ ok: true, value: undefined }));
    },
  });

  const projectLatest = async (event: EventOf<DatahubEventMap, 'observation.latest'>) => {
    const o: LatestObservations = event.data;
    if (!o?.deviceId || !o.ngsiType || !o.values || stopped) return;
    const id = observedEntityId(o.ngsiType, o.deviceId);
    const waiting = pending.get(id);
    const history = entities.projectionHistory ? latestAttrs(o) : null;
    if (!waiting) {
      pending.set(id, {
        o: { ...o, values: { ...o.values } },
        history: history ? [history] : [],
      });
      commit.submit(id).catch((err) => kernel.logger.warn({ err }, 'NGSI-LD projection observation failed'));
    } else {
      const values = waiting.o.values;
      for (const [property, v] of Object.entries(o.values))
        if (!values[property] || values[property].time <= v.time) values[property] = v;
      if (o.location) waiting.o.location = o.location;
      if (history) {
        waiting.history.push(history);
        if (waiting.history.length > MAX_PENDING_HISTORY) waiting.history.shift();
      }
    }
    // Bounded: far behind, the publisher waits (and the data hub merges its next events).
    if (pending.size >= MAX_PENDING && commit.busy) await commit.whenRoom(1);
  };

  const projectCase = async (event: CaseEvent) => {
    const caseId = event.data.caseId;
    if (!caseId || !caseEngine) return;
    let c: Awaited<ReturnType<typeof getCase>>;
    try {
      c = await getCase(kernel.db, SYSTEM_PRINCIPAL, caseId);
    } catch (err) {
      kernel.logger.debug({ err, caseId }, 'NGSI-LD: case not projected');
      return;
    }
    await entities.project(
      {
        id: caseEntityId(c.number),
        type: expandTerm(issues, 'service_requests'),
        attrs: attrsOf(issues, {
          service_request_id: prop(c.number),
          service_code: prop(c.category),
          status: prop(CLOSED_STATES.has(c.state) ? 'closed' : 'open'),
          status_notes: prop(c.state),
          description: prop(c.description),
          agency_responsible: c.leadDepartment ? prop(c.leadDepartment) : null,
          requested_datetime: prop({ '@type': 'DateTime', '@value': c.reportedAt }),
          updated_datetime: prop({ '@type': 'DateTime', '@value': c.updatedAt }),
          address_string: c.location.address ? prop(c.location.address) : null,
          media_url: c.media[0] ? prop(c.media[0]) : null,
          location: geo(c.location),
        }),
      },
      { source: 'cases' },
    );
  };

  const guard =
    <E extends PlatformEvent>(name: string, fn: (e: E) => Promise<void>) =>
    async (e: E) => {
      try {
        await fn(e);
      } catch (err) {
        kernel.logger.warn({ err, eventType: e.type }, `NGSI-LD projection ${name} failed`);
      }
    };
  const offs = [
    datahubEvents.subscribe(kernel.bus, 'device.registered', guard('device', projectDevice)),
    datahubEvents.subscribe(kernel.bus, 'device.updated', guard('device', projectDevice)),
    datahubEvents.subscribe(kernel.bus, 'observation.latest', guard('observation', projectLatest)),
    caseEvents.subscribe(kernel.bus, 'case.*', guard('case', projectCase)),
  ];
  entities.beforeRead = () => (pending.size || commit.busy ? commit.drain() : Promise.resolve());
  return async () => {
    for (const off of offs) off();
    await commit.drain();
    stopped = true;
    entities.beforeRead = null;
  };
}
