/**
 * Devices (things) and their datastreams. A device has one sensor type from an enabled
 * plate; its datastreams are created from that type's datastreams and derived values.
 * Every change is audited in its transaction and announced on the bus after commit.
 */
import { appendAudit } from '../audit/index.ts';
import { type Actor, authorize, inJurisdiction, isCityWide, type Principal } from '../identity/index.ts';
import { ConflictError, type Db, InvalidInputError, NotFoundError } from '../kernel/index.ts';
import { type DatahubEvent, datahubEvents } from './datahub-events.ts';
import { newDeviceKey } from './device-key.ts';
import type { DatahubContext } from './datahub-context.ts';
import type { Selectable } from 'kysely';
import type { DatahubDeviceTable } from './datahub-tables.ts';
import type { DeviceStatus, DeviceView, GeoPoint } from './device-view.ts';

export { DEVICE_STATUSES, type DeviceStatus, type DeviceView, type GeoPoint } from './device-view.ts';

/** Bus event types the data hub publishes (payloads in docs/datahub.md). */
export const DEVICE_REGISTERED = 'device.registered';
export const DEVICE_UPDATED = 'device.updated';
export const DEVICE_DELETED = 'device.deleted';
export const DEVICE_KEY_ROTATED = 'device.key_rotated';

const DEVICE_ID = /^[a-z0-9][a-z0-9-]{1,63}$/;
const DEPARTMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export interface DatastreamView {
  /** Numeric id; also addressable as `{deviceId}.{property}`. */
  id: number;
  key: string;
  deviceId: string;
  property: string;
  name: { 'zh-CN': string; en: string };
  unit: string;
  min: number | null;
  max: number | null;
  /** Computed from the device's other datastreams on write (e.g. AQI); not ingestible. */
  derived: boolean;
  latest: { time: string; value: number; quality: string } | null;
}

export interface RegisterDeviceInput {
  id: string;
  name: string;
  sensorType: string;
  location?: GeoPoint | null;
  departmentCode?: string | null;
  status?: DeviceStatus;
}

export interface UpdateDeviceInput {
  name?: string;
  location?: GeoPoint | null;
  departmentCode?: string | null;
  status?: DeviceStatus;
}

export interface ListDevicesQuery {
  sensorType?: string;
  status?: DeviceStatus;
  offline?: boolean;
  division?: string;
  limit?: number;
  offset?: number;
}

/** A row of `datahub_device` without its key's hash. */
export type DeviceRow = Omit<Selectable<DatahubDeviceTable>, 'key_hash' | 'key_rotated_at'>;

const DEVICE_COLUMNS = [
  'id',
  'name',
  'sensor_type',
  'module_id',
  'lat',
  'lon',
  'division_code',
  'district_code',
  'department_code',
  'status',
  'offline',
  'last_seen_at',
  'key_prefix',
  'created_at',
  'updated_at',
] as const;

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/** The view of a device row. */
export function deviceView(row: DeviceRow, ngsiType: string | null): DeviceView {
  return {
    id: row.id,
    name: row.name,
    sensorType: row.sensor_type,
    moduleId: row.module_id,
    ngsiType,
    location: row.lat === null || row.lon === null ? null : { lat: row.lat, lon: row.lon },
    divisionCode: row.division_code,
    districtCode: row.district_code,
    departmentCode: row.department_code,
    status: row.status,
    offline: row.offline,
    lastSeenAt: iso(row.last_seen_at),
    keyPrefix: row.key_prefix,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** A device is visible inside the caller's jurisdiction or to its owner department. */
export function deviceVisibleTo(
  principal: Principal,
  row: Pick<DeviceRow, 'division_code' | 'department_code'>,
) {
  return (
    inJurisdiction(principal, row.division_code) ||
    (!!row.department_code && principal.departmentCodes.includes(row.department_code))
  );
}

function checkLocation(location: GeoPoint | null | undefined): void {
  if (!location) return;
  const { lat, lon } = location;
  if (typeof lat !== 'number' || !Number.isFinite(lat) || lat < -90 || lat > 90)
    throw new InvalidInputError('location.lat must be a number from -90 to 90.', { field: 'location.lat' });
  if (typeof lon !== 'number' || !Number.isFinite(lon) || lon < -180 || lon > 180)
    throw new InvalidInputError('location.lon must be a number from -180 to 180.', { field: 'location.lon' });
}

function checkDepartment(code: string | null | undefined): void {
  if (code !== null && code !== undefined && !DEPARTMENT.test(code))
    throw new InvalidInputError(`"${code}" is not a department code.`, { field: 'departmentCode' });
}

function divisionsOf(hub: DatahubContext, location: GeoPoint | null | undefined) {
  if (!location) return { division_code: null, district_code: null };
  const chain = hub.locate(location.lat, location.lon);
  const deepest = chain?.grid ?? chain?.community ?? chain?.street ?? chain?.district ?? null;
  return { division_code: deepest?.code ?? null, district_code: chain?.district?.code ?? null };
}

async function inTransaction<T>(
  db: Db,
  actor: Actor,
  work: (trx: Db, events: DatahubEvent[]) => Promise<T>,
): Promise<T> {
  const events: DatahubEvent[] = [];
  if (db.isTransaction) return work(db, events);
  const result = await db.transaction().execute((trx) => work(trx, events));
  if (actor.bus) for (const event of events) await actor.bus.publish(event);
  return result;
}

async function findRow(db: Db, id: string, forUpdate = false): Promise<DeviceRow | undefined> {
  let q = db.selectFrom('datahub_device').select(DEVICE_COLUMNS).where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  return await q.executeTakeFirst();
}

async function visibleRow(db: Db, principal: Principal, id: string, forUpdate = false): Promise<DeviceRow> {
  const row = await findRow(db, id, forUpdate);
  if (!row || !deviceVisibleTo(principal, row))
    throw new NotFoundError(`Device ${id} not found.`, 'device.not_found', { id });
  return row;
}

const ngsiTypeOf = (hub: DatahubContext, sensorType: string) =>
  hub.sensorTypes.get(sensorType)?.ngsiType ?? null;

/**
 * Registers a device (`device.write`) with the datastreams of its sensor type. Returns the
 * device and its key; the key is shown this once, only its SHA-256 is stored.
 */
export async function registerDevice(
  db: Db,
  hub: DatahubContext,
  input: RegisterDeviceInput,
  actor: Actor,
): Promise<{ device: DeviceView; key: string }> {
  authorize(actor.principal, 'device.write');
  const id = String(input.id ?? '').trim();
  if (!DEVICE_ID.test(id))
    throw new InvalidInputError(
      'id must be a slug: 2–64 lowercase letters, digits and hyphens, starting with a letter or digit.',
      { field: 'id' },
      'device.invalid_id',
    );
  const name = String(input.name ?? '').trim();
  if (!name) throw new InvalidInputError('name must not be empty.', { field: 'name' });
  const sensorType = hub.sensorTypes.get(input.sensorType);
  if (!sensorType)
    throw new InvalidInputError(
      `"${input.sensorType}" is not a sensor type of an enabled module.`,
      { field: 'sensorType', known: [...hub.sensorTypes.keys()] },
      'device.unknown_sensor_type',
    );
  checkLocation(input.location);
  checkDepartment(input.departmentCode);
  const status = input.status ?? 'active';
  const { key, prefix, hash } = newDeviceKey();
  const result = await inTransaction(db, actor, async (trx, events) => {
    if (await findRow(trx, id))
      throw new ConflictError(`Device ${id} already exists.`, 'device.exists', { id });
    const row = {
      id,
      name,
      sensor_type: sensorType.code,
      module_id: sensorType.moduleId,
      lat: input.location?.lat ?? null,
      lon: input.location?.lon ?? null,
      ...divisionsOf(hub, input.location),
      department_code: input.departmentCode ?? null,
      status,
      offline: false,
      last_seen_at: null,
      key_prefix: prefix,
      created_at: actor.now,
      updated_at: actor.now,
    } satisfies DeviceRow;
    await trx
      .insertInto('datahub_device')
      .values({ ...row, key_hash: hash, key_rotated_at: actor.now })
      .execute();
    const streams = [
      ...sensorType.datastreams.map((d) => ({
        device_id: id,
        property: d.property,
        name_zh: d.name['zh-CN'],
        name_en: d.name.en,
        unit: d.unit,
        min: d.min ?? null,
        max: d.max ?? null,
        derived: false,
      })),
      ...(sensorType.derived ?? []).map((d) => ({
        device_id: id,
        property: d.property,
        name_zh: d.name['zh-CN'],
        name_en: d.name.en,
        unit: d.unit,
        min: null,
        max: null,
        derived: true,
      })),
    ];
    if (streams.length) await trx.insertInto('datahub_datastream').values(streams).execute();
    const device = deviceView(row, sensorType.ngsiType ?? null);
    await appendAudit(trx, {
      actor: actor.principal.username,
      action: 'device.register',
      objectType: 'device',
      objectId: id,
      requestId: actor.requestId,
      after: device,
      at: actor.now,
    });
    events.push(datahubEvents.create(DEVICE_REGISTERED, { device }, actor.now, `device:${id}`));
    return device;
  });
  hub.catalog.forget(id);
  return { device: result, key };
}

/** One device inside the caller's scope (`device.read`). */
export async function getDevice(db: Db, hub: DatahubContext, principal: Principal, id: string) {
  authorize(principal, 'device.read');
  const row = await visibleRow(db, principal, id);
  return deviceView(row, ngsiTypeOf(hub, row.sensor_type));
}

/** Devices inside the caller's scope (`device.read`), by id. */
export async function listDevices(
  db: Db,
  hub: DatahubContext,
  principal: Principal,
  query: ListDevicesQuery = {},
): Promise<{ items: DeviceView[]; total: number }> {
  authorize(principal, 'device.read');
  let q = db.selectFrom('datahub_device');
  if (query.sensorType) q = q.where('sensor_type', '=', query.sensorType);
  if (query.status) q = q.where('status', '=', query.status);
  if (query.offline !== undefined) q = q.where('offline', '=', query.offline);
  if (query.division) q = q.where('division_code', 'like', `${query.division.replace(/[%_\\]/g, '')}%`);
  if (!isCityWide(principal)) {
    const prefixes = principal.divisionCodes;
    const departments = principal.departmentCodes;
    q = q.where((eb) =>
      eb.or([
        ...prefixes.map((p) => eb('division_code', 'like', `${p.replace(/[%_\\]/g, '')}%`)),
        ...(departments.length ? [eb('department_code', 'in', departments)] : []),
        eb.lit(false),
      ]),
    );
  }
  const total = Number(
    ((await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst()) as { n: number }).n,
  );
  const rows = await q
    .select(DEVICE_COLUMNS)
    .orderBy('id')
    .limit(query.limit ?? 100)
    .offset(query.offset ?? 0)
    .execute();
  return { items: rows.map((r) => deviceView(r, ngsiTypeOf(hub, r.sensor_type))), total };
}

/** Changes a device's name, location, owner department or status (`device.write`). */
export async function updateDevice(
  db: Db,
  hub: DatahubContext,
  id: string,
  input: UpdateDeviceInput,
  actor: Actor,
): Promise<DeviceView> {
  authorize(actor.principal, 'device.write');
  if (input.name !== undefined && !String(input.name).trim())
    throw new InvalidInputError('name must not be empty.', { field: 'name' });
  checkLocation(input.location);
  checkDepartment(input.departmentCode);
  const device = await inTransaction(db, actor, async (trx, events) => {
    const before = await visibleRow(trx, actor.principal, id, true);
    const changes: Partial<DeviceRow> = { updated_at: actor.now };
    if (input.name !== undefined) changes.name = String(input.name).trim();
    if (input.status !== undefined) changes.status = input.status;
    if (input.departmentCode !== undefined) changes.department_code = input.departmentCode;
    if (input.location !== undefined) {
      changes.lat = input.location?.lat ?? null;
      changes.lon = input.location?.lon ?? null;
      Object.assign(changes, divisionsOf(hub, input.location));
    }
    await trx.updateTable('datahub_device').set(changes).where('id', '=', id).execute();
    const ngsiType = ngsiTypeOf(hub, before.sensor_type);
    const after = deviceView({ ...before, ...changes }, ngsiType);
    await appendAudit(trx, {
      actor: actor.principal.username,
      action: 'device.update',
      objectType: 'device',
      objectId: id,
      requestId: actor.requestId,
      before: deviceView(before, ngsiType),
      after,
      at: actor.now,
    });
    events.push(datahubEvents.create(DEVICE_UPDATED, { device: after }, actor.now, `device:${id}`));
    return after;
  });
  hub.catalog.forget(id);
  return device;
}

/** Deletes a device with its datastreams, observations and rollups (`device.write`). */
export async function deleteDevice(db: Db, hub: DatahubContext, id: string, actor: Actor): Promise<void> {
  authorize(actor.principal, 'device.write');
  await inTransaction(db, actor, async (trx, events) => {
    const before = await visibleRow(trx, actor.principal, id, true);
    const streams = trx.selectFrom('datahub_datastream').select('id').where('device_id', '=', id);
    await trx.deleteFrom('datahub_observation').where('datastream_id', 'in', streams).execute();
    await trx.deleteFrom('datahub_observation_hourly').where('datastream_id', 'in', streams).execute();
    await trx.deleteFrom('datahub_device').where('id', '=', id).execute();
    await appendAudit(trx, {
      actor: actor.principal.username,
      action: 'device.delete',
      objectType: 'device',
      objectId: id,
      requestId: actor.requestId,
      before: deviceView(before, ngsiTypeOf(hub, before.sensor_type)),
      at: actor.now,
    });
    events.push(datahubEvents.create(DEVICE_DELETED, { deviceId: id }, actor.now, `device:${id}`));
  });
  hub.catalog.forget(id);
}

/** Replaces a device's key (`device.write`); the old key stops working at once on this node. */
export async function rotateDeviceKey(
  db: Db,
  hub: DatahubContext,
  id: string,
  actor: Actor,
): Promise<{ device: DeviceView; key: string }> {
  authorize(actor.principal, 'device.write');
  const { key, prefix, hash } = newDeviceKey();
  const device = await inTransaction(db, actor, async (trx, events) => {
    const before = await visibleRow(trx, actor.principal, id, true);
    await trx
      .updateTable('datahub_device')
      .set({ key_hash: hash, key_prefix: prefix, key_rotated_at: actor.now, updated_at: actor.now })
      .where('id', '=', id)
      .execute();
    const after = deviceView(
      { ...before, key_prefix: prefix, updated_at: actor.now },
      ngsiTypeOf(hub, before.sensor_type),
    );
    await appendAudit(trx, {
      actor: actor.principal.username,
      action: 'device.rotate_key',
      objectType: 'device',
      objectId: id,
      requestId: actor.requestId,
      before: { keyPrefix: before.key_prefix },
      after: { keyPrefix: prefix },
      at: actor.now,
    });
    events.push(datahubEvents.create(DEVICE_KEY_ROTATED, { deviceId: id }, actor.now, `device:${id}`));
    return after;
  });
  hub.catalog.forget(id);
  return { device, key };
}

/** The datastreams of a device with their latest values (`device.read`). */
export async function listDatastreams(
  db: Db,
  principal: Principal,
  deviceId: string,
): Promise<DatastreamView[]> {
  authorize(principal, 'device.read');
  await visibleRow(db, principal, deviceId);
  const rows = await db
    .selectFrom('datahub_datastream as s')
    .leftJoin('datahub_latest as l', 'l.datastream_id', 's.id')
    .select([
      's.id',
      's.device_id',
      's.property',
      's.name_zh',
      's.name_en',
      's.unit',
      's.min',
      's.max',
      's.derived',
      'l.time',
      'l.value',
      'l.quality',
    ])
    .where('s.device_id', '=', deviceId)
    .orderBy('s.id')
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    key: `${r.device_id}.${r.property}`,
    deviceId: r.device_id,
    property: r.property,
    name: { 'zh-CN': r.name_zh, en: r.name_en },
    unit: r.unit,
    min: r.min,
    max: r.max,
    derived: r.derived,
    // The left join's columns are all null or all set: a time means a latest-value row.
    latest: r.time ? { time: new Date(r.time).toISOString(), value: r.value!, quality: r.quality! } : null,
  }));
}

/**
 * Flags devices silent for longer than `offlineAfterSeconds` as offline; returns them.
 * Safe on several nodes: the update hands each device to one of them.
 */
export async function sweepOfflineDevices(
  db: Db,
  hub: DatahubContext,
  now: Date,
  offlineAfterSeconds: number,
): Promise<DeviceView[]> {
  const cutoff = new Date(now.getTime() - offlineAfterSeconds * 1000);
  const rows = await db
    .updateTable('datahub_device')
    .set({ offline: true, updated_at: now })
    .where('offline', '=', false)
    .where('status', '=', 'active')
    .where((eb) =>
      eb.or([
        eb('last_seen_at', '<', cutoff),
        eb.and([eb('last_seen_at', 'is', null), eb('created_at', '<', cutoff)]),
      ]),
    )
    .returning(DEVICE_COLUMNS)
    .execute();
  for (const r of rows) hub.catalog.forget(r.id);
  return rows.map((r) => deviceView(r, ngsiTypeOf(hub, r.sensor_type)));
}
