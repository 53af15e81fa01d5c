/**
 * The photos of a case. Citizens' photos are public by their content name
 * (`/api/v1/public/media/<name>`); staff evidence (`/api/v1/media/<name>`) is shown only
 * through the case that cites it, so it is fetched with the session and opened from a
 * local object URL. Other references (an evidence number, an outside URL) are shown as
 * text or a plain link.
 */
import { useEffect, useState } from 'react';
import { apiUrl, getToken } from '../api/client.ts';
import { ENDPOINTS, pathOf } from '../api/endpoints.ts';
import { useI18n } from '../i18n/i18n.tsx';

const CONTENT_NAME = /^[0-9a-f]{64}\.(jpg|png|webp)$/;
const STAFF_PREFIX = `${ENDPOINTS.media.path}/`;

/** How a media reference is shown. */
export function mediaLink(
  ref: string,
  caseId: string,
): { kind: 'image' | 'staff' | 'link' | 'text'; url?: string } {
  if (CONTENT_NAME.test(ref)) return { kind: 'image', url: `/api/v1/public/media/${ref}` };
  if (ref.startsWith(STAFF_PREFIX) && CONTENT_NAME.test(ref.slice(STAFF_PREFIX.length)))
    return {
      kind: 'staff',
      url: apiUrl(pathOf(ENDPOINTS.mediaOne, { name: ref.slice(STAFF_PREFIX.length) }), { case: caseId }),
    };
  if (/^https?:\/\/\S+$/.test(ref)) return { kind: 'link', url: ref };
  return { kind: 'text' };
}

/** A staff photo fetched with the session's token, shown and opened from an object URL. */
function StaffPhoto({ url, label }: { url: string; label: string }) {
  const { t } = useI18n();
  const [objectUrl, setObjectUrl] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    const controller = new AbortController();
    let made: string | null = null;
    const token = getToken();
    fetch(url, { signal: controller.signal, headers: token ? { authorization: `Bearer ${token}` } : {} })
      .then(async (res) => {
        if (!res.ok) throw new Error(String(res.status));
        made = URL.createObjectURL(await res.blob());
        setObjectUrl(made);
      })
      .catch((err: Error) => {
        if (err.name !== 'AbortError') setFailed(true);
      });
    return () => {
      controller.abort();
      if (made) URL.revokeObjectURL(made);
    };
  }, [url]);
  if (failed) return <span className="error-text">{t('case.photoUnavailable')}</span>;
  if (!objectUrl) return <span>{t('photo.loading')}</span>;
  return (
    <a className="media-link" href={objectUrl} target="_blank" rel="noreferrer" data-media="staff">
      <img className="thumb" src={objectUrl} alt={label} />
      {label}
    </a>
  );
}

/** The case's photos and evidence references as a list. */
export function CaseMedia({ refs, caseId }: { refs: readonly string[]; caseId: string }) {
  const { t } = useI18n();
  if (refs.length === 0) return null;
  return (
    <ul className="media">
      {refs.map((ref, i) => {
        const link = mediaLink(ref, caseId);
        const label = `${t('case.photo')} ${i + 1}`;
        return (
          <li key={ref}>
            {link.kind === 'staff' && <StaffPhoto url={link.url!} label={label} />}
            {link.kind === 'image' && (
              <a className="media-link" href={link.url} target="_blank" rel="noreferrer" data-media="public">
                <img className="thumb" src={link.url} alt={label} />
                {label}
              </a>
            )}
            {link.kind === 'link' && (
              <a href={link.url} target="_blank" rel="noreferrer">
                {label}
              </a>
            )}
            {link.kind === 'text' && (
              <span>
                {t('case.evidenceRef')}: {ref}
              </span>
            )}
          </li>
        );
      })}
    </ul>
  );
}
