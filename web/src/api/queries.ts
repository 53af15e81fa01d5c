/**
 * Reads the screens share: cases (paged), divisions as GeoJSON, departments, categories,
 * devices. Each tolerates `{ items }` pages and plain arrays.
 */
import { api } from './client.ts';
import { ENDPOINTS, pathOf } from './endpoints.ts';
import type {
  Answer,
  CasePage,
  CaseQuery,
  CaseView,
  Datastream,
  Department,
  Device,
  Division,
  HistoryEntry,
  Page,
  Responsibility,
  Service,
} from './types.ts';

const itemsOf = <T>(data: T[] | Page<T>): T[] => (Array.isArray(data) ? data : (data.items ?? []));

/** One page of cases matching the filters. */
export async function listCases(
  query: CaseQuery,
  signal?: AbortSignal,
): Promise<{ items: CaseView[]; total: number }> {
  const data = await api.get<CasePage>(ENDPOINTS.cases.path, { query: { limit: 200, ...query }, signal });
  return { items: data.items, total: data.total };
}

/** Every case matching the filters for the map, page by page up to `max`. */
export async function listCasesForMap(
  query: CaseQuery,
  max: number,
  signal?: AbortSignal,
): Promise<CaseView[]> {
  const out: CaseView[] = [];
  const pageSize = 500;
  while (out.length < max) {
    const page = await listCases(
      { ...query, limit: Math.min(pageSize, max - out.length), offset: out.length },
      signal,
    );
    out.push(...page.items);
    if (page.items.length === 0 || out.length >= page.total) break;
  }
  return out;
}

export const getCase = (id: string, signal?: AbortSignal) =>
  api.get<CaseView>(pathOf(ENDPOINTS.caseOne, { id }), { signal });

export async function getHistory(id: string, signal?: AbortSignal): Promise<HistoryEntry[]> {
  const data = await api.get<Answer<'/api/v1/cases/{id}/history', 'get'>>(
    pathOf(ENDPOINTS.caseHistory, { id }),
    { signal },
  );
  return data.entries;
}

/** Takes an action on a case with its version (a stale version answers 409). */
export const actOnCase = (
  c: Pick<CaseView, 'id' | 'version'>,
  action: string,
  params: Record<string, unknown> = {},
) =>
  api.post<CaseView>(pathOf(ENDPOINTS.caseAction, { id: c.id, action }), { version: c.version, ...params });

/** Every division with its boundary as one FeatureCollection (property `level` tells which). */
export async function getDivisionFeatures(
  signal?: AbortSignal,
): Promise<{ fc: GeoJSON.FeatureCollection; divisions: Division[] }> {
  const data = await api.get<Division[]>(ENDPOINTS.divisions.path, {
    query: { boundary: true },
    signal,
  });
  const divisions = data;
  return {
    divisions,
    fc: {
      type: 'FeatureCollection',
      features: divisions
        .filter((d) => d.boundary)
        .map((d) => ({
          type: 'Feature',
          id: d.code,
          properties: { code: d.code, level: d.level, parent: d.parentCode },
          geometry: d.boundary!,
        })),
    },
  };
}

/**
 * Division outlines for everyone (no sign-in, no `org.read`): the public, cacheable GeoJSON
 * with `code`, `level`, `parent` and the names.
 */
export const getPublicDivisionFeatures = (signal?: AbortSignal) =>
  api.get<GeoJSON.FeatureCollection>(ENDPOINTS.publicDivisions.path, { signal });

export async function listDepartments(signal?: AbortSignal): Promise<Department[]> {
  return itemsOf(await api.get<Department[] | Page<Department>>(ENDPOINTS.departments.path, { signal }));
}

/** The reportable categories: the Open311 service list, named in the app's language. */
export async function listServices(lang: string, signal?: AbortSignal): Promise<Service[]> {
  return api.get<Service[]>(ENDPOINTS.services.path, { signal, headers: { 'accept-language': lang } });
}

export async function listDevices(signal?: AbortSignal): Promise<Device[]> {
  return itemsOf(
    await api.get<Device[] | Page<Device>>(ENDPOINTS.devices.path, { signal, query: { limit: 1000 } }),
  );
}

export async function listDatastreams(deviceId: string, signal?: AbortSignal): Promise<Datastream[]> {
  return itemsOf(
    await api.get<Datastream[] | Page<Datastream>>(pathOf(ENDPOINTS.deviceStreams, { id: deviceId }), {
      signal,
    }),
  );
}

/** Local calendar day `YYYY-MM-DD`, `offset` days from today. */
export function day(offset = 0): string {
  const d = new Date();
  d.setDate(d.getDate() + offset);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** How many cases match (one row fetched; the answer carries the total). */
export async function countCases(query: CaseQuery, signal?: AbortSignal): Promise<number> {
  return (await listCases({ ...query, limit: 1 }, signal)).total;
}

/** Cases as map features: only what the map colours and filters by. */
export function casesToFeatures(cases: readonly CaseView[]): GeoJSON.FeatureCollection {
  return {
    type: 'FeatureCollection',
    features: cases.map((c) => ({
      type: 'Feature',
      properties: {
        id: c.id,
        state: c.state,
        light: c.light ?? 'none',
        urgency: c.urgency,
        category: c.category,
        channel: c.channel,
        district: c.divisions?.district,
      },
      geometry: { type: 'Point', coordinates: [c.location.lon, c.location.lat] },
    })),
  };
}

export function devicesToFeatures(devices: readonly Device[]): GeoJSON.FeatureCollection {
  return {
    type: 'FeatureCollection',
    features: devices
      .filter((d) => d.location)
      .map((d) => ({
        type: 'Feature',
        properties: { id: d.id },
        geometry: { type: 'Point', coordinates: [d.location!.lon, d.location!.lat] },
      })),
  };
}

export const resolveResponsibility = (category: string, division: string | null, signal?: AbortSignal) =>
  api.get<Responsibility>(ENDPOINTS.responsibilityResolve.path, {
    query: { category, division: division ?? undefined },
    signal,
  });
