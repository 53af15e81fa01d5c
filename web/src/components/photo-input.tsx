/**
 * A photo taken with the camera (phones) or chosen from files, uploaded to the platform's
 * media store; the caller receives the stored reference to attach as evidence.
 */
import { useId, useState } from 'react';
import { api } from '../api/client.ts';
import { ENDPOINTS } from '../api/endpoints.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { useMissing, WaitingForApi } from './waiting-for-api.tsx';

export interface PhotoInputProps {
  label: string;
  value: string | null;
  onChange(ref: string | null): void;
  required?: boolean;
}

type MediaAnswer = { id?: string; url?: string; ref?: string };

export function PhotoInput({ label, value, onChange, required }: PhotoInputProps) {
  const { t } = useI18n();
  const id = useId();
  const missing = useMissing(ENDPOINTS.media);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  if (missing.length)
    return (
      <div className="field photo">
        <WaitingForApi endpoints={missing} />
        <label htmlFor={id}>
          {t('photo.reference')}
          {required ? ' *' : ''}
        </label>
        <input
          id={id}
          value={value ?? ''}
          onChange={(e) => onChange(e.target.value || null)}
          required={required}
        />
      </div>
    );
  return (
    <div className="field photo">
      <label htmlFor={id}>
        {label}
        {required ? ' *' : ''}
      </label>
      <input
        id={id}
        type="file"
        accept="image/jpeg,image/png,image/webp"
        capture="environment"
        required={required && !value}
        disabled={busy}
        onChange={async (event) => {
          const file = event.target.files?.[0];
          if (!file) return;
          setBusy(true);
          setError(null);
          try {
            const form = new FormData();
            form.append('file', file, file.name);
            const stored = await api.post<MediaAnswer>(ENDPOINTS.media.path, form);
            onChange(stored.url ?? stored.ref ?? stored.id ?? null);
            setPreview(URL.createObjectURL(file));
          } catch (err) {
            setError((err as Error).message);
            onChange(null);
          } finally {
            setBusy(false);
          }
        }}
      />
      {busy && <span role="status">{t('photo.uploading')}</span>}
      {value && !busy && (
        <span role="status" className="ok">
          {t('photo.attached')}
        </span>
      )}
      {preview && <img className="preview" src={preview} alt={t('photo.preview')} />}
      {error && (
        <span role="alert" className="error-text">
          {error}
        </span>
      )}
    </div>
  );
}
