/**
 * Reporting a problem: a location (map pin, GPS, or typed coordinates), a category from
 * the catalogue, a description and a photo. Used by the citizen portal and the grid
 * worker's patrol report.
 */
import { type FormEvent, useId, useMemo, useState } from 'react';
import { useApiCatalog } from '../api/catalog.tsx';
import { ENDPOINTS } from '../api/endpoints.ts';
import { getPublicDivisionFeatures, listServices } from '../api/queries.ts';
import { useResource } from '../api/use-resource.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { CityMap } from '../map/city-map.tsx';
import { PhotoInput } from './photo-input.tsx';
import { ErrorNote, WaitingForApi } from './waiting-for-api.tsx';

export interface ReportInput {
  lat: number;
  lon: number;
  category: string;
  description: string;
  address: string;
  /** A stored media reference (grid patrol through the case API). */
  photo: string | null;
  /** The photo file itself (the citizen API takes it with the report). */
  photoFile: File | null;
}

export interface ReportFormProps {
  title: string;
  focusCodes?: string[];
  submit(input: ReportInput): Promise<void>;
  /** Pinned to a phone layout: map on top, form below. */
  compact?: boolean;
  /** 'file': the photo travels with the report; 'reference': uploaded first, its reference sent. */
  photoMode: 'file' | 'reference';
}

export function ReportForm({ title, focusCodes, submit, compact, photoMode }: ReportFormProps) {
  const { t, lang } = useI18n();
  const catalog = useApiCatalog();
  const id = useId();
  const services = useResource((s) => listServices(lang, s), [lang], catalog.has(ENDPOINTS.services));
  // The public outlines: the same for citizens and staff, and cached by the browser.
  const divisions = useResource(
    (s) => getPublicDivisionFeatures(s),
    [],
    catalog.has(ENDPOINTS.publicDivisions),
  );
  const [pin, setPin] = useState<[number, number] | null>(null);
  const [category, setCategory] = useState('');
  const [description, setDescription] = useState('');
  const [address, setAddress] = useState('');
  const [photo, setPhoto] = useState<string | null>(null);
  const [photoFile, setPhotoFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const [gpsError, setGpsError] = useState<string | null>(null);

  const groups = useMemo(() => {
    const byGroup = new Map<string, Array<{ code: string; name: string }>>();
    for (const svc of services.data ?? []) {
      const g = svc.group ?? '';
      byGroup.set(g, [...(byGroup.get(g) ?? []), { code: svc.service_code, name: svc.service_name }]);
    }
    return [...byGroup.entries()];
  }, [services.data]);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (!pin) {
      setError(new Error(t('report.needLocation')));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await submit({ lon: pin[0], lat: pin[1], category, description, address, photo, photoFile });
      setDescription('');
      setPhoto(null);
      setPhotoFile(null);
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };

  const locateMe = () => {
    setGpsError(null);
    if (!navigator.geolocation) {
      setGpsError(t('report.gpsUnavailable'));
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (p) => setPin([p.coords.longitude, p.coords.latitude]),
      () => setGpsError(t('report.gpsUnavailable')),
      { enableHighAccuracy: true, timeout: 10_000 },
    );
  };

  return (
    <form
      className={`report-form ${compact ? 'compact' : ''}`}
      onSubmit={onSubmit}
      aria-labelledby={`${id}-title`}
    >
      <h2 id={`${id}-title`}>{title}</h2>
      {!catalog.has(ENDPOINTS.publicDivisions) && catalog.loaded && (
        <WaitingForApi endpoints={[ENDPOINTS.publicDivisions]} />
      )}
      <CityMap
        label={t('report.mapLabel')}
        divisions={divisions.data ?? null}
        focusCodes={focusCodes}
        pin={pin}
        onPick={(lon, lat) => setPin([lon, lat])}
        className="pick"
      />
      <p className="hint">{t('report.pinHint')}</p>
      <div className="row">
        <div className="field">
          <label htmlFor={`${id}-lat`}>{t('report.lat')}</label>
          <input
            id={`${id}-lat`}
            type="number"
            step="0.00001"
            value={pin ? pin[1] : ''}
            onChange={(e) => setPin([pin?.[0] ?? 120.12, Number(e.target.value)])}
            required
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-lon`}>{t('report.lon')}</label>
          <input
            id={`${id}-lon`}
            type="number"
            step="0.00001"
            value={pin ? pin[0] : ''}
            onChange={(e) => setPin([Number(e.target.value), pin?.[1] ?? 30.25])}
            required
          />
        </div>
        <button type="button" onClick={locateMe}>
          {t('report.gps')}
        </button>
      </div>
      {gpsError && <p role="alert">{gpsError}</p>}
      <div className="field">
        <label htmlFor={`${id}-category`}>{t('report.category')}</label>
        {catalog.has(ENDPOINTS.services) ? (
          <select
            id={`${id}-category`}
            value={category}
            onChange={(e) => setCategory(e.target.value)}
            required
          >
            <option value="">—</option>
            {groups.map(([group, items]) => (
              <optgroup key={group} label={group}>
                {items.map((c) => (
                  <option key={c.code} value={c.code}>
                    {c.name}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        ) : (
          <>
            <input
              id={`${id}-category`}
              value={category}
              onChange={(e) => setCategory(e.target.value)}
              required
            />
            <WaitingForApi endpoints={catalog.loaded ? [ENDPOINTS.services] : []} />
          </>
        )}
      </div>
      <div className="field">
        <label htmlFor={`${id}-address`}>{t('report.address')}</label>
        <input id={`${id}-address`} value={address} onChange={(e) => setAddress(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-description`}>{t('report.description')}</label>
        <textarea
          id={`${id}-description`}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          required
          minLength={4}
        />
      </div>
      {photoMode === 'reference' ? (
        <PhotoInput label={t('report.photo')} value={photo} onChange={setPhoto} />
      ) : (
        <div className="field">
          <label htmlFor={`${id}-photo`}>{t('report.photo')}</label>
          <input
            id={`${id}-photo`}
            type="file"
            accept="image/jpeg,image/png,image/webp"
            capture="environment"
            onChange={(e) => setPhotoFile(e.target.files?.[0] ?? null)}
          />
        </div>
      )}
      <ErrorNote error={error} />
      <button type="submit" className="primary" disabled={busy}>
        {t('report.submit')}
      </button>
    </form>
  );
}
