/** A clear notice that part of a screen waits for a server API that is not there yet. */
import { useApiCatalog } from '../api/catalog.tsx';
import type { Endpoint } from '../api/endpoints.ts';
import { useI18n } from '../i18n/i18n.tsx';

/** The endpoints the server does not offer (none while the catalogue is loading). */
export function useMissing(...endpoints: Endpoint[]): Endpoint[] {
  const catalog = useApiCatalog();
  if (!catalog.loaded) return [];
  return endpoints.filter((e) => !catalog.has(e));
}

export function WaitingForApi({ endpoints }: { endpoints: Endpoint[] }) {
  const { t } = useI18n();
  if (endpoints.length === 0) return null;
  return (
    <div className="notice waiting" role="status" data-waiting-for-api>
      <strong>{t('waiting.title')}</strong> {t('waiting.body')}{' '}
      {endpoints.map((e) => (
        <code key={e.method + e.path}>
          {e.method} {e.path}
        </code>
      ))}
    </div>
  );
}

export function ErrorNote({ error }: { error: Error | null | undefined }) {
  const { t } = useI18n();
  if (!error) return null;
  return (
    <div className="notice error" role="alert">
      {t('common.error')}: {error.message}
    </div>
  );
}
