/**
 * Whistle and report-in tracking (街乡吹哨、部门报到): the open whistles inside the caller's
 * jurisdiction with their case, place, summoned departments, report-in deadline, who
 * reported in and who missed (`GET /api/v1/linkage/whistles`).
 */
import { useState } from 'react';
import { api } from '../api/client.ts';
import { ENDPOINTS } from '../api/endpoints.ts';
import { listDepartments } from '../api/queries.ts';
import type { Answer } from '../api/types.ts';
import { useResource } from '../api/use-resource.ts';
import type { CaseActionName } from '../cases/case-actions.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { useSession } from '../session/session.tsx';
import { StateBadge } from './badges.tsx';
import { CaseDrawer } from './case-drawer.tsx';
import { ErrorNote, useMissing, WaitingForApi } from './waiting-for-api.tsx';

export interface WhistleTrackerProps {
  /** Changes when a whistle may have been blown elsewhere on the screen: the list reloads. */
  refreshKey?: number;
  actions?: readonly CaseActionName[];
}

export function WhistleTracker({ refreshKey = 0, actions }: WhistleTrackerProps) {
  const { t, time, loc } = useI18n();
  const { can } = useSession();
  const missing = useMissing(ENDPOINTS.linkageWhistles);
  const [all, setAll] = useState(false);
  const [open, setOpen] = useState<string | null>(null);
  const whistles = useResource(
    (signal) =>
      api.get<Answer<'/api/v1/linkage/whistles', 'get'>>(ENDPOINTS.linkageWhistles.path, {
        query: { state: all ? 'all' : 'open', limit: 200 },
        signal,
      }),
    [all, refreshKey],
    missing.length === 0,
  );
  const departments = useResource((s) => listDepartments(s), [], can('org.read'));
  const names = new Map((departments.data ?? []).map((d) => [d.code, loc(d.name)]));
  const nameOf = (code: string) => names.get(code) ?? code;
  const items = whistles.data?.items ?? [];
  const list = (codes: string[]) => (codes.length ? codes.map(nameOf).join('、') : '—');
  return (
    <section className="queue" aria-labelledby="whistles-title" data-queue="whistles">
      <header className="queue-head">
        <h2 id="whistles-title">
          {t('linkage.tracking')} <span className="count">({whistles.data?.total ?? items.length})</span>
        </h2>
        <label className="row">
          <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} />{' '}
          {t('linkage.showAll')}
        </label>
        <button type="button" onClick={whistles.reload}>
          {t('common.refresh')}
        </button>
      </header>
      <WaitingForApi endpoints={missing} />
      <ErrorNote error={whistles.error} />
      {whistles.data &&
        (items.length === 0 ? (
          <p className="empty">{t('linkage.none')}</p>
        ) : (
          <div className="table-wrap">
            <table className="cases">
              <caption>{t('linkage.tracking')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('case.number')}</th>
                  <th scope="col">{t('case.state')}</th>
                  <th scope="col">{t('linkage.place')}</th>
                  <th scope="col">{t('linkage.title')}</th>
                  <th scope="col">{t('linkage.deadlineCol')}</th>
                  <th scope="col">{t('linkage.reportedInCol')}</th>
                  <th scope="col">{t('linkage.missedCol')}</th>
                  <th scope="col">{t('linkage.waitingCol')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((w) => {
                  const reported = w.departments.filter((d) => d.reportedInAt);
                  const missed = w.departments.filter((d) => !d.reportedInAt && d.missed);
                  const waiting = w.departments.filter((d) => !d.reportedInAt && !d.missed);
                  return (
                    <tr key={w.whistleId} data-whistle={w.whistleId} data-case-number={w.caseNumber}>
                      <td>
                        <button type="button" className="link" onClick={() => setOpen(w.caseId)}>
                          {w.caseNumber}
                        </button>
                      </td>
                      <td>
                        <StateBadge state={w.caseState} />
                      </td>
                      <td>
                        {w.location.address ||
                          w.divisions.grid ||
                          w.divisions.street ||
                          `${w.location.lat.toFixed(5)}, ${w.location.lon.toFixed(5)}`}
                      </td>
                      <td>{list(w.departments.map((d) => d.department))}</td>
                      <td>
                        <time dateTime={w.deadline}>{time(w.deadline)}</time>
                      </td>
                      <td data-reported-in>
                        {reported.length
                          ? reported.map((d) => (
                              <div key={d.department}>
                                {nameOf(d.department)} · {time(d.reportedInAt)}
                              </div>
                            ))
                          : '—'}
                      </td>
                      <td data-missed className={missed.length ? 'missed' : undefined}>
                        {list(missed.map((d) => d.department))}
                      </td>
                      <td>{list(waiting.map((d) => d.department))}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        ))}
      {open && (
        <CaseDrawer caseId={open} only={actions} onClose={() => setOpen(null)} onChanged={whistles.reload} />
      )}
    </section>
  );
}
