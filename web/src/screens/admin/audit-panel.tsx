import { useState } from 'react';
import { api } from '../../api/client.ts';
import { ENDPOINTS } from '../../api/endpoints.ts';
import type { Answer } from '../../api/types.ts';
import { useResource } from '../../api/use-resource.ts';
import { ErrorNote } from '../../components/waiting-for-api.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { useSession } from '../../session/session.tsx';

/** The audit log, fifty records a page, and (with `audit.verify`) verification of its hash chain. */
export function AuditPanel() {
  const { t, time } = useI18n();
  const { can } = useSession();
  const [cursor, setCursor] = useState<string | null>(null);
  const log = useResource(
    (s) =>
      api.get<Answer<'/api/v1/audit', 'get'>>(ENDPOINTS.audit.path, {
        query: { limit: 50, cursor: cursor ?? undefined },
        signal: s,
      }),
    [cursor],
  );
  const [verdict, setVerdict] = useState<Answer<'/api/v1/audit/verify', 'post'> | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const verify = async () => {
    setError(null);
    try {
      setVerdict(await api.post(ENDPOINTS.auditVerify.path, {}));
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <section>
      {can('audit.verify') && (
        <p>
          <button type="button" onClick={verify} className="primary">
            {t('admin.verifyChain')}
          </button>{' '}
          {verdict && (
            <span role="status" className={verdict.ok ? 'ok' : 'error-text'} data-audit-verdict={verdict.ok}>
              {verdict.ok
                ? t('admin.chainOk', { count: verdict.count })
                : t('admin.chainBroken', { seq: verdict.firstBadSeq ?? '?', reason: verdict.reason ?? '' })}
            </span>
          )}
        </p>
      )}
      <ErrorNote error={log.error ?? error} />
      <table>
        <caption>{t('admin.audit')}</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">{t('admin.time')}</th>
            <th scope="col">{t('admin.actor')}</th>
            <th scope="col">{t('admin.actionCol')}</th>
            <th scope="col">{t('admin.object')}</th>
            <th scope="col">{t('admin.hash')}</th>
          </tr>
        </thead>
        <tbody>
          {(log.data?.items ?? []).map((r) => (
            <tr key={r.seq}>
              <td>{r.seq}</td>
              <td>{time(r.at)}</td>
              <td>{r.actor}</td>
              <td>{r.action}</td>
              <td>
                {r.objectType} {r.objectId}
              </td>
              <td>
                <code>{r.hash.slice(0, 12)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {log.data?.nextCursor && (
        <button type="button" onClick={() => setCursor(log.data?.nextCursor ?? null)}>
          {t('common.more')}
        </button>
      )}
    </section>
  );
}
