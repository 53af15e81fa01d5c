/** A list of cases; each row opens the case drawer (a button, so the keyboard reaches it). */
import type { CaseView } from '../api/types.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { LightDot, StateBadge, UrgencyLabel } from './badges.tsx';

export interface CaseTableProps {
  cases: readonly CaseView[];
  caption: string;
  onOpen(c: CaseView): void;
  /** Which deadline to show: the current stage's (default). */
  empty?: string;
}

export function CaseTable({ cases, caption, onOpen, empty }: CaseTableProps) {
  const { t, time } = useI18n();
  if (cases.length === 0) return <p className="empty">{empty ?? t('common.none')}</p>;
  return (
    <div className="table-wrap">
      <table className="cases">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('case.number')}</th>
            <th scope="col">{t('case.category')}</th>
            <th scope="col">{t('case.state')}</th>
            <th scope="col">{t('case.light')}</th>
            <th scope="col">{t('case.urgency')}</th>
            <th scope="col">{t('case.deadline')}</th>
            <th scope="col">{t('case.description')}</th>
          </tr>
        </thead>
        <tbody>
          {cases.map((c) => (
            <tr key={c.id} data-case-number={c.number}>
              <td>
                <button type="button" className="link" onClick={() => onOpen(c)}>
                  {c.number}
                </button>
              </td>
              <td>{c.category}</td>
              <td>
                <StateBadge state={c.state} />
              </td>
              <td>
                <LightDot light={c.light} />
              </td>
              <td>
                <UrgencyLabel urgency={c.urgency} />
              </td>
              <td>{time(c.stage?.deadline)}</td>
              <td className="desc">{c.description}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
