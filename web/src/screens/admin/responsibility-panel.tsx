import { type FormEvent, useState } from 'react';
import { useApiCatalog } from '../../api/catalog.tsx';
import { api } from '../../api/client.ts';
import { ENDPOINTS, pathOf } from '../../api/endpoints.ts';
import { listDepartments } from '../../api/queries.ts';
import type { Page } from '../../api/types.ts';
import { useResource } from '../../api/use-resource.ts';
import { ErrorNote } from '../../components/waiting-for-api.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { useSession } from '../../session/session.tsx';
import { CodeOptions, codesOf, RowActions, SaveOrCancel } from './admin-forms.tsx';

interface Rule {
  ruleId: string;
  category: string;
  divisionCode: string;
  lead: string;
  assist: string[];
  note: string;
  sinceVersion: number;
}

/**
 * The responsibility list of the current version. With `org.write`: add a rule, change a
 * rule's lead, assisting departments and note, or retire it — each change makes a new list
 * version, shown after it is saved.
 */
export function ResponsibilityPanel() {
  const { t, time } = useI18n();
  const { can } = useSession();
  const catalog = useApiCatalog();
  const rules = useResource(
    (s) =>
      api.get<Rule[] | { version: number; rules: Rule[] }>(ENDPOINTS.responsibilityRules.path, { signal: s }),
    [],
  );
  const versions = useResource(
    (s) =>
      api.get<
        | Array<{ version: number; createdAt: string; createdBy?: string; note?: string }>
        | Page<{ version: number; createdAt: string; note?: string }>
      >(ENDPOINTS.responsibilityVersions.path, { signal: s }),
    [],
    catalog.has(ENDPOINTS.responsibilityVersions),
  );
  const editable = can('org.write') && catalog.has(ENDPOINTS.responsibilityRuleCreate);
  const departments = useResource((s) => listDepartments(s), [], editable);
  const [editing, setEditing] = useState<Rule | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [saved, setSaved] = useState<number | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const data = rules.data;
  const list: Rule[] = Array.isArray(data) ? data : (data?.rules ?? []);
  const current = Array.isArray(data) ? null : (data?.version ?? null);
  const vlist = Array.isArray(versions.data) ? versions.data : (versions.data?.items ?? []);

  const afterChange = (listVersion: number) => {
    setSaved(listVersion);
    setEditing(null);
    setConfirming(null);
    rules.reload();
    versions.reload();
  };
  const onSave = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setError(null);
    setSaved(null);
    const form = new FormData(event.currentTarget);
    const note = String(form.get('note') ?? '');
    const body = {
      lead: String(form.get('lead')),
      assist: codesOf(String(form.get('assist') ?? '')),
      ...(note ? { note } : {}),
    };
    try {
      const answer = editing
        ? await api.patch<{ listVersion: number }>(
            pathOf(ENDPOINTS.responsibilityRuleUpdate, { ruleId: editing.ruleId }),
            body,
          )
        : await api.post<{ listVersion: number }>(ENDPOINTS.responsibilityRuleCreate.path, {
            ...body,
            category: String(form.get('category')).trim(),
            divisionCode: String(form.get('division')).trim(),
          });
      afterChange(answer.listVersion);
    } catch (err) {
      setError(err as Error);
    }
  };
  const onDelete = async (ruleId: string) => {
    setError(null);
    setSaved(null);
    try {
      const answer = await api.delete<{ listVersion: number }>(
        pathOf(ENDPOINTS.responsibilityRuleDelete, { ruleId }),
      );
      afterChange(answer.listVersion);
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <section>
      <ErrorNote error={rules.error} />
      {current !== null && (
        <p data-list-version={current}>{t('admin.currentVersion', { version: current })}</p>
      )}
      {saved !== null && (
        <p className="notice ok" role="status">
          {t('admin.ruleSaved', { version: saved })}
        </p>
      )}
      <table>
        <caption>{t('admin.responsibility')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('admin.rule')}</th>
            <th scope="col">{t('case.category')}</th>
            <th scope="col">{t('admin.division')}</th>
            <th scope="col">{t('case.lead')}</th>
            <th scope="col">{t('admin.assist')}</th>
            <th scope="col">{t('admin.since')}</th>
            {editable && <th scope="col">{t('admin.actionCol')}</th>}
          </tr>
        </thead>
        <tbody>
          {list.map((r) => (
            <tr key={r.ruleId} data-rule={r.ruleId}>
              <td>{r.ruleId}</td>
              <td>{r.category}</td>
              <td>{r.divisionCode}</td>
              <td>{r.lead}</td>
              <td>{r.assist.join(', ')}</td>
              <td>v{r.sinceVersion}</td>
              {editable && (
                <RowActions
                  editLabel={t('admin.editRule', { rule: r.ruleId })}
                  deleteLabel={t('admin.deleteRule', { rule: r.ruleId })}
                  deleteText={t('admin.delete')}
                  confirmText={t('admin.confirmDelete')}
                  confirming={confirming === r.ruleId}
                  onEdit={() => {
                    setEditing(r);
                    setConfirming(null);
                  }}
                  onAskDelete={() => setConfirming(r.ruleId)}
                  onDelete={() => onDelete(r.ruleId)}
                />
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {editable && (
        <form
          key={editing?.ruleId ?? 'new'}
          onSubmit={onSave}
          className="grid-form"
          aria-labelledby="rule-form-title"
        >
          <h2 id="rule-form-title">
            {editing ? t('admin.editRule', { rule: editing.ruleId }) : t('admin.newRule')}
          </h2>
          <div className="field">
            <label htmlFor="r-category">{t('case.category')}</label>
            <input
              id="r-category"
              name="category"
              required
              defaultValue={editing?.category ?? ''}
              readOnly={Boolean(editing)}
              placeholder="CM.E.01.01"
            />
          </div>
          <div className="field">
            <label htmlFor="r-division">{t('admin.division')}</label>
            <input
              id="r-division"
              name="division"
              required
              pattern="[0-9]{4,14}"
              defaultValue={editing?.divisionCode ?? ''}
              readOnly={Boolean(editing)}
            />
          </div>
          <div className="field">
            <label htmlFor="r-lead">{t('case.lead')}</label>
            <select id="r-lead" name="lead" required defaultValue={editing?.lead ?? ''}>
              <option value="">—</option>
              <CodeOptions items={departments.data ?? []} />
            </select>
          </div>
          <div className="field">
            <label htmlFor="r-assist">{t('admin.assistCodes')}</label>
            <input id="r-assist" name="assist" defaultValue={editing?.assist.join(', ') ?? ''} />
          </div>
          <div className="field">
            <label htmlFor="r-note">{t('form.note')}</label>
            <input id="r-note" name="note" defaultValue={editing?.note ?? ''} maxLength={500} />
          </div>
          <ErrorNote error={error} />
          <SaveOrCancel
            editing={Boolean(editing)}
            saveText={t('admin.saveRule')}
            onCancel={() => setEditing(null)}
          />
        </form>
      )}
      <h2>{t('admin.versions')}</h2>
      <ul className="plain">
        {vlist.map((v) => (
          <li key={v.version}>
            v{v.version} · {time(v.createdAt)} {v.note ?? ''}
          </li>
        ))}
      </ul>
    </section>
  );
}
