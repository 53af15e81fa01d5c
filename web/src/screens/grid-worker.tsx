/**
 * The grid worker's phone view: my grid on the map, a patrol report (camera and GPS),
 * and my verification tasks.
 */
import { useState } from 'react';
import { api } from '../api/client.ts';
import { ENDPOINTS } from '../api/endpoints.ts';
import type { CaseView } from '../api/types.ts';
import { CaseQueue } from '../components/case-queue.tsx';
import { type ReportInput, ReportForm } from '../components/report-form.tsx';
import { useMissing, WaitingForApi } from '../components/waiting-for-api.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { useSession } from '../session/session.tsx';

export function GridWorkerView() {
  const { t } = useI18n();
  const { me } = useSession();
  const missing = useMissing(ENDPOINTS.caseCreate);
  const [created, setCreated] = useState<CaseView | null>(null);
  const [tab, setTab] = useState<'tasks' | 'report'>('tasks');
  const submit = async (input: ReportInput) => {
    const c = await api.post<CaseView>(ENDPOINTS.caseCreate.path, {
      channel: 'grid_patrol',
      clientRequestId: crypto.randomUUID(),
      category: input.category,
      description: input.description,
      location: { lat: input.lat, lon: input.lon },
      address: input.address || undefined,
      media: input.photo ? [input.photo] : [],
    });
    setCreated(c);
  };
  return (
    <div className="workspace phone">
      <h1>{t('nav.grid')}</h1>
      <p>
        {t('grid.mine')}: <strong>{me?.divisionCodes.join(', ') || '—'}</strong>
      </p>
      <div className="tabs" role="tablist" aria-label={t('nav.grid')}>
        <button type="button" role="tab" aria-selected={tab === 'tasks'} onClick={() => setTab('tasks')}>
          {t('grid.tasks')}
        </button>
        <button type="button" role="tab" aria-selected={tab === 'report'} onClick={() => setTab('report')}>
          {t('grid.patrol')}
        </button>
      </div>
      {tab === 'tasks' && (
        <div role="tabpanel">
          <CaseQueue
            id="verify"
            title={t('grid.verifyTasks')}
            query={{ state: 'handled' }}
            actions={['verify']}
          />
        </div>
      )}
      {tab === 'report' && (
        <div role="tabpanel">
          <WaitingForApi endpoints={missing} />
          {created && (
            <p className="notice ok" role="status">
              {t('report.created', { number: created.number })}
            </p>
          )}
          <ReportForm
            title={t('grid.patrol')}
            focusCodes={me?.divisionCodes}
            submit={submit}
            compact
            photoMode="reference"
          />
        </div>
      )}
    </div>
  );
}
