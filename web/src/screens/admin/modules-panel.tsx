import { api } from '../../api/client.ts';
import { ENDPOINTS } from '../../api/endpoints.ts';
import { type Answer, type Urgency, URGENCIES } from '../../api/types.ts';
import { useResource } from '../../api/use-resource.ts';
import { ErrorNote } from '../../components/waiting-for-api.tsx';
import type { MessageKey } from '../../i18n/en.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { URGENCY_LABEL } from '../../i18n/labels.ts';

type CatalogModule = Answer<'/api/v1/modules', 'get'>['modules'][number];
type StageLimits = NonNullable<CatalogModule['categories'][number]['timeLimits'][Urgency]>;
type Stage = keyof StageLimits['minutes'];
const STAGE_LABEL: Record<Stage, MessageKey> = {
  file: 'action.file',
  dispatch: 'action.dispatch',
  accept: 'action.accept',
  handle: 'action.handle',
  verify: 'action.verify',
};
const STAGES = Object.keys(STAGE_LABEL) as Stage[];
const BASIS_LABEL: Record<StageLimits['basis'], MessageKey> = {
  working: 'admin.workingTime',
  calendar: 'admin.calendarTime',
};
const KIND_LABEL: Record<CatalogModule['categories'][number]['kind'], MessageKey> = {
  component: 'admin.component',
  event: 'admin.event',
};

/** The enabled plates: each module's categories with their time limits per urgency (read-only). */
export function ModulesPanel() {
  const { t, loc, number } = useI18n();
  const modules = useResource(
    (s) => api.get<Answer<'/api/v1/modules', 'get'>>(ENDPOINTS.modules.path, { signal: s }),
    [],
  );
  const duration = (minutes: number) =>
    minutes < 60
      ? t('admin.minutes', { n: number(minutes) })
      : t('admin.hours', { n: number(Math.round((minutes / 60) * 10) / 10) });
  const limitsText = (limits: StageLimits | undefined) =>
    limits
      ? `${STAGES.filter((st) => limits.minutes[st] !== undefined)
          .map((st) => `${t(STAGE_LABEL[st])} ${duration(limits.minutes[st]!)}`)
          .join(' · ')} (${t(BASIS_LABEL[limits.basis])})`
      : '—';
  return (
    <section>
      <ErrorNote error={modules.error} />
      {(modules.data?.modules ?? []).map((m) => (
        <table key={m.id} data-module={m.id}>
          <caption>
            {loc(m.name)} ({m.id} {m.version})
          </caption>
          <thead>
            <tr>
              <th scope="col">{t('admin.code')}</th>
              <th scope="col">{t('admin.name')}</th>
              <th scope="col">{t('admin.kind')}</th>
              {URGENCIES.map((u) => (
                <th scope="col" key={u}>
                  {t('admin.limitsFor', { urgency: t(URGENCY_LABEL[u]) })}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {m.categories.map((c) => (
              <tr key={c.code} className={c.parent ? 'minor' : 'major'}>
                <td>{c.code}</td>
                <td>{loc(c.name)}</td>
                <td>{t(KIND_LABEL[c.kind])}</td>
                {URGENCIES.map((u) => (
                  <td key={u}>{limitsText(c.timeLimits[u])}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      ))}
    </section>
  );
}
