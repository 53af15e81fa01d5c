/**
 * Command center — "one screen" (一屏观全域): the whole city on a full-screen map with
 * every case (clustered, coloured by SLA light and state, or as heat), sensors with their
 * latest values, today's indicators, a live event feed and a case drawer.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ENDPOINTS } from '../api/endpoints.ts';
import {
  listDatastreams,
  casesToFeatures,
  devicesToFeatures,
  getDivisionFeatures,
  listCases,
  listCasesForMap,
  listDevices,
} from '../api/queries.ts';
import { CASE_STATES, type CaseView, CHANNELS, URGENCIES } from '../api/types.ts';
import { useResource } from '../api/use-resource.ts';
import { CaseDrawer } from '../components/case-drawer.tsx';
import { IndicatorStrip } from '../components/indicator-strip.tsx';
import { ErrorNote, useMissing, WaitingForApi } from '../components/waiting-for-api.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { CHANNEL_LABEL, LIGHT_LABEL, STATE_LABEL, URGENCY_LABEL } from '../i18n/labels.ts';
import { type LiveEvent, STREAM_GAP, useEventStream } from '../live/event-stream.ts';
import { CityMap } from '../map/city-map.tsx';
import { LIGHT_COLORS } from '../map/map-style.ts';

/** The most cases the map loads (clustering keeps this smooth; see bench/map-render.bench.ts). */
const MAP_CASE_LIMIT = 50_000;
const POLL_MS = 2000;
const POLL_SIZE = 100;
/** How often the cases touched by live events are read back, and at most how many at once. */
const REFRESH_MS = 300;
/** 150 ids keep the request line under 8 KB, what common proxies accept (the API takes 200). */
const REFRESH_MAX = 150;

interface FeedLine {
  seq: number;
  id: string;
  type: string;
  at: string;
  caseId?: string;
  number?: string;
}

interface Filters {
  district: string;
  module: string;
  category: string;
  channel: string;
  urgency: string;
  state: string;
}
const NO_FILTERS: Filters = { district: '', module: '', category: '', channel: '', urgency: '', state: '' };

export function CommandCenter() {
  const { t, time, loc } = useI18n();
  const missing = useMissing(ENDPOINTS.divisions, ENDPOINTS.cases, ENDPOINTS.devices, ENDPOINTS.stream);
  const hasCases = !missing.includes(ENDPOINTS.cases);
  const divisions = useResource((s) => getDivisionFeatures(s), [], !missing.includes(ENDPOINTS.divisions));
  const loaded = useResource((s) => listCasesForMap({}, MAP_CASE_LIMIT, s), [], hasCases);
  const loadedReload = useRef(loaded.reload);
  loadedReload.current = loaded.reload;
  const devices = useResource((s) => listDevices(s), [], !missing.includes(ENDPOINTS.devices));
  const [live, setLive] = useState<Map<string, CaseView>>(new Map());
  const liveRef = useRef(live);
  useEffect(() => {
    liveRef.current = live;
  }, [live]);
  const loadedById = useMemo(() => new Map((loaded.data ?? []).map((c) => [c.id, c])), [loaded.data]);
  const [feed, setFeed] = useState<FeedLine[]>([]);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [heat, setHeat] = useState(false);
  const [showSensors, setShowSensors] = useState(true);
  const [open, setOpen] = useState<string | null>(null);
  const [sensor, setSensor] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const [panel, setPanel] = useState(true);

  /** Cases touched by live events since they were last read back. */
  const changed = useRef(new Set<string>());
  /** Bumped on a stream gap: a read-back begun before it is stale and dropped. */
  const generation = useRef(0);
  const onEvent = useCallback(
    (event: LiveEvent) => {
      const id = event.case?.id;
      setFeed((f) =>
        [
          {
            id: event.id,
            type: event.type,
            at: event.occurredAt,
            caseId: id,
            number: event.case?.number,
            seq: (f[0]?.seq ?? 0) + 1,
          },
          ...f,
        ].slice(0, 50),
      );
      // Events were missed beyond what the server replays: the map reloads its cases.
      if (event.type === STREAM_GAP) {
        generation.current++;
        changed.current.clear();
        liveRef.current = new Map();
        setLive(new Map());
        loadedReload.current();
      }
      if (id && hasCases) changed.current.add(id);
    },
    [hasCases],
  );
  // The cases that events touched are read back together a few times a second (one list
  // request by ids, not one request per event): a busy city sends hundreds of events a
  // second to every open screen. A case that left this user's view is simply not returned;
  // its feed line stays.
  useEffect(() => {
    if (!hasCases) return;
    let busy = false;
    const timer = setInterval(async () => {
      if (busy || changed.current.size === 0) return;
      const ids = [...changed.current].slice(0, REFRESH_MAX);
      for (const id of ids) changed.current.delete(id);
      const asOf = generation.current;
      busy = true;
      try {
        const page = await listCases({ ids: ids.join(','), limit: ids.length });
        if (asOf !== generation.current) return;
        setLive((m) => {
          const next = new Map(m);
          for (const c of page.items) next.set(c.id, c);
          liveRef.current = next;
          return next;
        });
        setTick((n) => n + 1);
      } catch (error) {
        // Read them again next time, unless the server refused the request itself.
        const status = (error as { status?: number }).status;
        if (!(status && status >= 400 && status < 500) && asOf === generation.current)
          for (const id of ids) changed.current.add(id);
      } finally {
        busy = false;
      }
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [hasCases]);
  const streamStatus = useEventStream(onEvent);

  // Until the server has its event stream, the most recent cases are polled instead, so
  // new cases and their state changes still appear without a reload.
  useEffect(() => {
    if (streamStatus !== 'unavailable' || !hasCases) return;
    const timer = setInterval(async () => {
      try {
        const recent = await listCases({ limit: POLL_SIZE });
        const fresh = recent.items.filter((c) => {
          const known = liveRef.current.get(c.id) ?? loadedById.get(c.id);
          return !known || known.version !== c.version;
        });
        if (fresh.length === 0) return;
        setLive((m) => {
          const next = new Map(m);
          for (const c of fresh) next.set(c.id, c);
          liveRef.current = next;
          return next;
        });
        setFeed((f) =>
          [
            ...fresh.map((c, i) => ({
              id: `${c.id}@${c.version}`,
              type: `case.${c.state}`,
              at: c.updatedAt,
              caseId: c.id,
              number: c.number,
              seq: (f[0]?.seq ?? 0) + fresh.length - i,
            })),
            ...f,
          ].slice(0, 50),
        );
        setTick((n) => n + 1);
      } catch {
        // A failed poll is retried on the next tick.
      }
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [streamStatus, hasCases, loadedById]);

  const allCases = useMemo(() => {
    const byId = new Map(loadedById);
    for (const [id, c] of live) byId.set(id, c);
    return [...byId.values()];
  }, [loadedById, live]);

  const categories = useMemo(() => [...new Set(allCases.map((c) => c.category))].sort(), [allCases]);
  const modules = useMemo(
    () => [...new Set(allCases.map((c) => c.category.split('.')[0]))].sort(),
    [allCases],
  );
  const districts = useMemo(
    () => (divisions.data?.divisions ?? []).filter((d) => d.level === 'district'),
    [divisions.data],
  );

  const filtered = useMemo(
    () =>
      allCases.filter(
        (c) =>
          (!filters.district || c.divisions?.district === filters.district) &&
          (!filters.module || c.category.split('.')[0] === filters.module) &&
          (!filters.category || c.category === filters.category) &&
          (!filters.channel || c.channel === filters.channel) &&
          (!filters.urgency || c.urgency === filters.urgency) &&
          (!filters.state || c.state === filters.state),
      ),
    [allCases, filters],
  );
  const features = useMemo(
    () => (hasCases && loaded.data ? casesToFeatures(filtered) : undefined),
    [filtered, hasCases, loaded.data],
  );
  const sensorFeatures = useMemo(
    () => (showSensors && devices.data ? devicesToFeatures(devices.data) : undefined),
    [devices.data, showSensors],
  );

  const select = (key: keyof Filters, label: string, options: Array<[string, string]>) => (
    <div className="field" key={key}>
      <label htmlFor={`filter-${key}`}>{label}</label>
      <select
        id={`filter-${key}`}
        value={filters[key]}
        onChange={(e) => setFilters((f) => ({ ...f, [key]: e.target.value }))}
      >
        <option value="">{t('filter.all')}</option>
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );

  return (
    <div className="command-center">
      <h1 className="visually-hidden">{t('nav.command')}</h1>
      <CityMap
        label={t('map.city')}
        divisions={divisions.data?.fc ?? null}
        cases={features}
        sensors={sensorFeatures}
        heat={heat}
        focusCodes={filters.district ? [filters.district] : undefined}
        onCaseClick={setOpen}
        onSensorClick={(id) => {
          setPanel(true);
          setSensor(id);
        }}
        className="full"
      />
      <IndicatorStrip refreshKey={tick} />
      <button type="button" className="panel-toggle" aria-expanded={panel} onClick={() => setPanel(!panel)}>
        {panel ? t('command.hidePanel') : t('command.showPanel')}
      </button>
      {panel && (
        <section className="overlay left" aria-labelledby="filters-title">
          <h2 id="filters-title">{t('filter.title')}</h2>
          <WaitingForApi endpoints={missing} />
          <ErrorNote error={divisions.error ?? loaded.error ?? devices.error} />
          <p className="count" role="status">
            {loaded.loading && hasCases
              ? t('common.loading')
              : t('command.caseCount', { shown: filtered.length, total: allCases.length })}
          </p>
          {select(
            'district',
            t('filter.district'),
            districts.map((d) => [d.code, loc(d.name)]),
          )}
          {select(
            'module',
            t('filter.module'),
            modules.map((m) => [m, m]),
          )}
          {select(
            'category',
            t('filter.category'),
            categories.map((c) => [c, c]),
          )}
          {select(
            'channel',
            t('filter.channel'),
            CHANNELS.map((c) => [c, t(CHANNEL_LABEL[c])]),
          )}
          {select(
            'urgency',
            t('filter.urgency'),
            URGENCIES.map((u) => [u, t(URGENCY_LABEL[u])]),
          )}
          {select(
            'state',
            t('filter.state'),
            CASE_STATES.map((s) => [s, t(STATE_LABEL[s])]),
          )}
          <div className="field checkbox">
            <input
              id="layer-heat"
              type="checkbox"
              checked={heat}
              onChange={(e) => setHeat(e.target.checked)}
            />
            <label htmlFor="layer-heat">{t('layer.heat')}</label>
          </div>
          <div className="field checkbox">
            <input
              id="layer-sensors"
              type="checkbox"
              checked={showSensors}
              onChange={(e) => setShowSensors(e.target.checked)}
            />
            <label htmlFor="layer-sensors">{t('layer.sensors')}</label>
          </div>
          <ul className="legend" aria-label={t('map.legend')}>
            {(['green', 'yellow', 'red'] as const).map((l) => (
              <li key={l}>
                <span className="dot" style={{ background: LIGHT_COLORS[l] }} aria-hidden="true" />
                {t(LIGHT_LABEL[l])}
              </li>
            ))}
          </ul>
          {devices.data && devices.data.length > 0 && showSensors && (
            <div className="field">
              <label htmlFor="sensor-pick">{t('layer.sensorValues', { count: devices.data.length })}</label>
              <select
                id="sensor-pick"
                value={sensor ?? ''}
                onChange={(e) => setSensor(e.target.value || null)}
              >
                <option value="">—</option>
                {devices.data.map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.name}
                  </option>
                ))}
              </select>
            </div>
          )}
          {sensor && <SensorValues deviceId={sensor} />}
        </section>
      )}
      {panel && (
        <section className="overlay right" aria-labelledby="feed-title">
          <h2 id="feed-title">{t('feed.title')}</h2>
          <p className={`stream stream-${streamStatus}`} role="status" data-stream={streamStatus}>
            {streamStatus === 'open'
              ? t('feed.live')
              : streamStatus === 'unavailable'
                ? t('feed.polling')
                : streamStatus === 'error'
                  ? t('feed.error')
                  : t('feed.connecting')}
          </p>
          <ol className="feed" aria-live="polite">
            {feed.map((e) => (
              <li key={e.seq}>
                <time dateTime={e.at}>{time(e.at)}</time> <span className="event-type">{e.type}</span>{' '}
                {e.number && (
                  <button
                    type="button"
                    className="link"
                    onClick={() => setOpen(e.caseId ?? null)}
                    data-feed-case={e.number}
                  >
                    {e.number}
                  </button>
                )}
              </li>
            ))}
          </ol>
        </section>
      )}
      {open && (
        <CaseDrawer
          caseId={open}
          onClose={() => setOpen(null)}
          onChanged={(c) => setLive((m) => new Map(m).set(c.id, c))}
        />
      )}
    </div>
  );
}

/** The latest value of each datastream of one sensor. */
function SensorValues({ deviceId }: { deviceId: string }) {
  const { t, loc, time } = useI18n();
  const streams = useResource((s) => listDatastreams(deviceId, s), [deviceId]);
  return (
    <section aria-label={t('sensor.values')} className="sensors">
      <ErrorNote error={streams.error} />
      <ul className="plain">
        {(streams.data ?? []).map((d) => (
          <li key={d.id}>
            {loc(d.name)}:{' '}
            <strong>{d.latest ? `${d.latest.value}${d.unit ? ` ${d.unit}` : ''}` : '—'}</strong>{' '}
            {d.latest ? time(d.latest.time) : ''}
          </li>
        ))}
      </ul>
    </section>
  );
}
