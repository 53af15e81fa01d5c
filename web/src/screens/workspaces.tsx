/**
 * The role workspaces of the two tracks and the departments (docs/design.md#two-tracks):
 * supervision (intake and verification), dispatch (command), department (my tasks).
 */
import { CaseQueue } from '../components/case-queue.tsx';
import { IndicatorStrip } from '../components/indicator-strip.tsx';
import { WhistleTracker } from '../components/whistle-tracker.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { useSession } from '../session/session.tsx';
import { useState } from 'react';

const isOverdue = (c: { light: string | null }) => c.light === 'red';

/** Supervision track: intake queue (file, reject, merge) and verification queue (pass/fail). */
export function SupervisionWorkspace() {
  const { t } = useI18n();
  return (
    <div className="workspace">
      <h1>{t('nav.supervision')}</h1>
      <CaseQueue
        id="intake"
        title={t('supervision.intake')}
        query={{ state: 'reported' }}
        actions={['file', 'reject', 'merge']}
      />
      <CaseQueue
        id="verification"
        title={t('supervision.verification')}
        query={{ state: 'handled' }}
        actions={['verify', 'close']}
      />
      <CaseQueue
        id="closed"
        title={t('supervision.callback')}
        query={{ state: 'closed' }}
        actions={['evaluate']}
      />
    </div>
  );
}

/**
 * Command track: dispatch with the responsibility list, extensions, overdue and supervision,
 * whistles and the tracking of their report-ins.
 */
export function DispatchWorkspace() {
  const { t } = useI18n();
  const { hasRole } = useSession();
  const [whistled, setWhistled] = useState(0);
  return (
    <div className="workspace">
      <h1>{t('nav.dispatch')}</h1>
      {hasRole('dispatcher') && (
        <>
          <CaseQueue
            id="to-dispatch"
            title={t('dispatch.queue')}
            query={{ state: 'filed' }}
            actions={['dispatch', 'defer', 'park']}
          />
          <CaseQueue
            id="extensions"
            title={t('dispatch.extensions')}
            query={{ state: 'extension_pending' }}
            actions={['decide-extension']}
          />
          <CaseQueue
            id="overdue"
            title={t('dispatch.overdue')}
            query={{ light: 'red' }}
            keep={isOverdue}
            actions={['supervise', 'escalate']}
          />
          <CaseQueue
            id="parked"
            title={t('dispatch.parked')}
            query={{ state: 'parked' }}
            actions={['unpark']}
          />
        </>
      )}
      <CaseQueue
        id="linkage"
        title={t('dispatch.linkage')}
        query={{ state: 'in_progress' }}
        actions={['whistle', 'rate-linkage']}
        onChanged={() => setWhistled((n) => n + 1)}
      />
      <WhistleTracker refreshKey={whistled} actions={['whistle', 'rate-linkage']} />
    </div>
  );
}

/** Department: my tasks by deadline; accept, return, extension, handle with a photo. */
export function DepartmentWorkspace() {
  const { t } = useI18n();
  const { me } = useSession();
  const department = me?.departmentCodes[0];
  return (
    <div className="workspace">
      <h1>{t('nav.department')}</h1>
      <p>
        {t('department.mine')}: <strong>{me?.departmentCodes.join(', ') || '—'}</strong>
      </p>
      <IndicatorStrip refreshKey={0} department={department} />
      <CaseQueue
        id="incoming"
        title={t('department.incoming')}
        query={{ state: 'dispatched', department }}
        actions={['accept', 'return', 'report-in']}
      />
      <CaseQueue
        id="working"
        title={t('department.working')}
        query={{ state: 'in_progress', department }}
        actions={['handle', 'request-extension', 'report-in']}
      />
      <CaseQueue
        id="rework"
        title={t('department.rework')}
        query={{ state: 'rework', department }}
        actions={['handle', 'request-extension']}
      />
    </div>
  );
}
