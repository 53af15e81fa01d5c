import { type FormEvent, useState } from 'react';
import { api } from '../../api/client.ts';
import { ENDPOINTS, pathOf } from '../../api/endpoints.ts';
import type { Answer, ApiKeyView } from '../../api/types.ts';
import { useResource } from '../../api/use-resource.ts';
import { ErrorNote } from '../../components/waiting-for-api.tsx';
import { useI18n } from '../../i18n/i18n.tsx';

/** API keys: the list with revocation, and a form to issue one (the key is shown once). */
export function ApiKeysPanel() {
  const { t, time } = useI18n();
  const keys = useResource(
    (s) => api.get<Answer<'/api/v1/api-keys', 'get'>>(ENDPOINTS.apiKeys.path, { signal: s }),
    [],
  );
  const [issued, setIssued] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const list: ApiKeyView[] = keys.data?.items ?? [];
  const onIssue = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setError(null);
    const form = new FormData(event.currentTarget);
    try {
      const key = await api.post<Answer<'/api/v1/api-keys', 'post', 201>>(ENDPOINTS.apiKeyIssue.path, {
        account: String(form.get('account')),
        name: String(form.get('name')),
        scopes: String(form.get('scopes'))
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      });
      setIssued(key.key);
      keys.reload();
    } catch (err) {
      setError(err as Error);
    }
  };
  const revoke = async (id: string) => {
    setError(null);
    try {
      await api.delete(pathOf(ENDPOINTS.apiKeyRevoke, { id }));
      keys.reload();
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <section>
      <ErrorNote error={keys.error ?? error} />
      <table>
        <caption>{t('admin.apiKeys')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('admin.name')}</th>
            <th scope="col">{t('admin.account')}</th>
            <th scope="col">{t('admin.prefix')}</th>
            <th scope="col">{t('admin.scopes')}</th>
            <th scope="col">{t('admin.created')}</th>
            <th scope="col">{t('admin.state')}</th>
          </tr>
        </thead>
        <tbody>
          {list.map((k) => (
            <tr key={k.id}>
              <td>{k.name}</td>
              <td>{k.username}</td>
              <td>
                <code>{k.prefix}</code>
              </td>
              <td>{k.scopes.join(', ')}</td>
              <td>{time(k.createdAt)}</td>
              <td>
                {k.revokedAt ? (
                  t('admin.revoked')
                ) : (
                  <button type="button" onClick={() => revoke(k.id)}>
                    {t('admin.revoke')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form onSubmit={onIssue} className="grid-form" aria-labelledby="issue-title">
        <h2 id="issue-title">{t('admin.issueKey')}</h2>
        <div className="field">
          <label htmlFor="k-account">{t('admin.account')}</label>
          <input id="k-account" name="account" required />
        </div>
        <div className="field">
          <label htmlFor="k-name">{t('admin.name')}</label>
          <input id="k-name" name="name" required />
        </div>
        <div className="field">
          <label htmlFor="k-scopes">{t('admin.scopes')}</label>
          <input id="k-scopes" name="scopes" required placeholder="case.report, observation.ingest" />
        </div>
        <button type="submit" className="primary">
          {t('admin.issue')}
        </button>
      </form>
      {issued && (
        <p className="notice ok" role="status">
          {t('admin.keyOnce')} <code>{issued}</code>
        </p>
      )}
    </section>
  );
}
