/**
 * City objects as NGSI-LD entities with FIWARE Smart Data Models types: the broker listens
 * on the kernel bus (events are published after commit) and keeps one entity per device
 * (`Device`), per device's latest observations (`AirQualityObserved`, `NoiseLevelObserved`,
 * `WaterQualityObserved`…, the sensor type's `ngsiType`) and per case (`service_requests`,
 * dataModel.IssueTracking). Personal data of reporters is never projected.
 */
import { caseEngineOf, getCase } from '../cases/index.ts';
import { SYSTEM_PRINCIPAL } from '../identity/index.ts';
import type { Kernel, PlatformEvent } from '../kernel/index.ts';
import type { StoredAttribute } from './entity-model.ts';
import type { EntityService } from './entity-service.ts';
import { type ActiveContext, type ContextResolver, expandTerm } from './json-ld-context.ts';

const SDM = (model: string) =>
  `https://raw.githubusercontent.com/smart-data-models/${model}/master/context.jsonld`;
/** Context URLs of the Smart Data Models the projections use (served offline). */
export const PROJECTION_CONTEXTS = {
  environment: SDM('dataModel.Environment'),
  device: SDM('dataModel.Device'),
  issueTracking: SDM('dataModel.IssueTracking'),
} as const;

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

interface LatestObservations {
  deviceId: string;
  sensorType: string;
  ngsiType: string | null;
  location: { type: string; coordinates: number[] } | { lat: number; lon: number } | null;
  values: Record<string, { value: number; unit?: string; time: string }>;
}

const CLOSED_STATES = new Set(['closed', 'evaluated', 'rejected', 'merged']);

/** Subscribes the projections to the bus; returns the unsubscribe function. */
export async function startProjections(
  kernel: Kernel,
  resolver: ContextResolver,
  entities: EntityService,
): Promise<() => void> {
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

  const projectDevice = async (event: PlatformEvent) => {
    const d = (event.data as { device?: DeviceView }).device;
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

  const projectLatest = async (event: PlatformEvent) => {
    const o = event.data as unknown as LatestObservations;
    if (!o?.deviceId || !o.ngsiType || !o.values) return;
    const times = Object.values(o.values)
      .map((v) => v.time)
      .sort();
    const attrs: Record<string, StoredAttribute | null> = {
      dateObserved: times.length ? prop({ '@type': 'DateTime', '@value': times[times.length - 1] }) : null,
      refDevice: {
        type: 'Relationship',
        object: deviceEntityId(o.deviceId),
        createdAt: now(),
        modifiedAt: now(),
      },
      location: geo(o.location),
    };
    for (const [property, v] of Object.entries(o.values))
      attrs[observedAttributeName(property)] = prop(v.value, {
        observedAt: new Date(v.time).toISOString(),
        ...(v.unit ? { unitCode: v.unit } : {}),
      });
    await entities.project(
      {
        id: observedEntityId(o.ngsiType, o.deviceId),
        type: expandTerm(env, o.ngsiType),
        attrs: attrsOf(env, attrs),
      },
      { source: 'datahub', deviceId: o.deviceId },
    );
  };

  const projectCase = async (event: PlatformEvent) => {
    const caseId = (event.data as { caseId?: string }).caseId;
    if (!caseId) return;
    let c: Awaited<ReturnType<typeof getCase>>;
    try {
      c = await getCase(caseEngineOf(kernel), SYSTEM_PRINCIPAL, caseId);
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

  const guard = (name: string, fn: (e: PlatformEvent) => Promise<void>) => async (e: PlatformEvent) => {
    try {
      await fn(e);
    } catch (err) {
      kernel.logger.warn({ err, eventType: e.type }, `NGSI-LD projection ${name} failed`);
    }
  };
  const offs = [
    kernel.bus.subscribe('device.registered', guard('device', projectDevice)),
    kernel.bus.subscribe('device.updated', guard('device', projectDevice)),
    kernel.bus.subscribe('observation.latest', guard('observation', projectLatest)),
    kernel.bus.subscribe('case.*', guard('case', projectCase)),
  ];
  return () => {
    for (const off of offs) off();
  };
}
