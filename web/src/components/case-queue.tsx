/**
 * A work queue: cases matching a query, sorted by deadline, each opening the drawer with
 * the actions of this queue. Reloads after an action and on demand.
 */
import { useState } from 'react';
import { ENDPOINTS } from '../api/endpoints.ts';
import { listCases } from '../api/queries.ts';
import type { CaseQuery, CaseView } from '../api/types.ts';
import { useResource } from '../api/use-resource.ts';
import type { CaseActionName } from '../cases/case-actions.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { CaseDrawer } from './case-drawer.tsx';
import { CaseTable } from './case-table.tsx';
import { ErrorNote, useMissing, WaitingForApi } from './waiting-for-api.tsx';

export interface CaseQueueProps {
  id: string;
  title: string;
  query: CaseQuery;
  actions?: readonly CaseActionName[];
  /** Keep only some of what the server answers (e.g. cases over their deadline). */
  keep?: (c: CaseView) => boolean;
  /** Told after an action on one of the queue's cases succeeded. */
  onChanged?(c: CaseView): void;
}

const byDeadline = (a: CaseView, b: CaseView) =>
  (a.stage?.deadline ?? '9999').localeCompare(b.stage?.deadline ?? '9999') ||
  a.number.localeCompare(b.number);

export function CaseQueue({ id, title, query, actions, keep, onChanged }: CaseQueueProps) {
  const { t } = useI18n();
  const missing = useMissing(ENDPOINTS.cases);
  const [open, setOpen] = useState<string | null>(null);
  const cases = useResource((s) => listCases(query, s), [JSON.stringify(query)], missing.length === 0);
  const items = (cases.data?.items ?? []).filter((c) => !keep || keep(c)).sort(byDeadline);
  return (
    <section className="queue" aria-labelledby={`${id}-title`} data-queue={id}>
      <header className="queue-head">
        <h2 id={`${id}-title`}>
          {title} <span className="count">({items.length})</span>
        </h2>
        <button type="button" onClick={cases.reload}>
          {t('common.refresh')}
        </button>
      </header>
      <WaitingForApi endpoints={missing} />
      <ErrorNote error={cases.error} />
      {cases.data && <CaseTable cases={items} caption={title} onOpen={(c) => setOpen(c.id)} />}
      {open && (
        <CaseDrawer
          caseId={open}
          only={actions}
          onClose={() => setOpen(null)}
          onChanged={(c) => {
            cases.reload();
            onChanged?.(c);
          }}
        />
      )}
    </section>
  );
}
