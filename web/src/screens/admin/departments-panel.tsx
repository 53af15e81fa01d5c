import { type FormEvent, useState } from 'react';
import { useApiCatalog } from '../../api/catalog.tsx';
import { api } from '../../api/client.ts';
import { ENDPOINTS, pathOf } from '../../api/endpoints.ts';
import { listDepartments } from '../../api/queries.ts';
import { DEPARTMENT_KINDS, type Department, type DepartmentKind } from '../../api/types.ts';
import { useResource } from '../../api/use-resource.ts';
import { ErrorNote } from '../../components/waiting-for-api.tsx';
import type { MessageKey } from '../../i18n/en.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useSession } from '../../session/session.tsx';
import { CodeOptions, codesOf, RowActions, SaveOrCancel } from './admin-forms.tsx';

const KIND_NAME: Record<DepartmentKind, MessageKey> = {
  bureau: 'admin.kindBureau',
  district_government: 'admin.kindDistrictGovernment',
  street_office: 'admin.kindStreetOffice',
  utility: 'admin.kindUtility',
  enterprise: 'admin.kindEnterprise',
  center: 'admin.kindCenter',
};
const kindName = (kind: string | undefined): MessageKey | null =>
  kind && kind in KIND_NAME ? KIND_NAME[kind as DepartmentKind] : null;

/**
 * Departments. With `org.write`: create one, rename it, change its kind, parent and the
 * divisions it serves, or delete it when nothing uses it; the server's answer (a cycle of
 * parents, an unknown division, a department still in use…) is shown as it comes.
 */
export function DepartmentsPanel() {
  const { t, loc } = useI18n();
  const { can } = useSession();
  const catalog = useApiCatalog();
  const departments = useResource((s) => listDepartments(s), []);
  const editable = can('org.write') && catalog.has(ENDPOINTS.departmentCreate);
  const [editing, setEditing] = useState<Department | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const list = departments.data ?? [];
  const nameOf = (code: string | null | undefined) => {
    if (!code) return '—';
    const d = list.find((x) => x.code === code);
    return d ? `${loc(d.name)} (${code})` : code;
  };
  const onSave = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setError(null);
    setDone(null);
    const form = new FormData(event.currentTarget);
    const parent = String(form.get('parentCode') ?? '');
    const body = {
      name: { 'zh-CN': String(form.get('nameZh')).trim(), en: String(form.get('nameEn')).trim() },
      kind: String(form.get('kind')),
      parentCode: parent || null,
      divisionCodes: codesOf(String(form.get('divisionCodes') ?? '')),
    };
    try {
      const code = editing ? editing.code : String(form.get('code')).trim();
      if (editing) await api.patch(pathOf(ENDPOINTS.departmentUpdate, { code }), body);
      else await api.post(ENDPOINTS.departmentCreate.path, { code, ...body });
      setDone(t('admin.departmentSaved', { code }));
      setEditing(null);
      setConfirming(null);
      departments.reload();
    } catch (err) {
      setError(err as Error);
    }
  };
  const onDelete = async (code: string) => {
    setError(null);
    setDone(null);
    try {
      await api.delete(pathOf(ENDPOINTS.departmentDelete, { code }));
      setDone(t('admin.departmentDeleted', { code }));
      setConfirming(null);
      if (editing?.code === code) setEditing(null);
      departments.reload();
    } catch (err) {
      setConfirming(null);
      setError(err as Error);
    }
  };
  return (
    <section>
      <ErrorNote error={departments.error} />
      {done && (
        <p className="notice ok" role="status">
          {done}
        </p>
      )}
      <div className="table-wrap">
        <table>
          <caption>{t('admin.departments')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('admin.code')}</th>
              <th scope="col">{t('admin.name')}</th>
              <th scope="col">{t('admin.kind')}</th>
              <th scope="col">{t('admin.parentDepartment')}</th>
              <th scope="col">{t('admin.servedDivisions')}</th>
              <th scope="col">{t('admin.source')}</th>
              {editable && <th scope="col">{t('admin.actionCol')}</th>}
            </tr>
          </thead>
          <tbody>
            {list.map((d) => {
              const kind = kindName(d.kind);
              return (
                <tr key={d.code} data-department={d.code}>
                  <td>{d.code}</td>
                  <td>{loc(d.name)}</td>
                  <td>{kind ? t(kind) : (d.kind ?? '')}</td>
                  <td>{nameOf(d.parentCode)}</td>
                  <td>{d.divisionCodes?.length ? d.divisionCodes.join(', ') : t('admin.cityWide')}</td>
                  <td>{d.source ?? ''}</td>
                  {editable && (
                    <RowActions
                      editLabel={t('admin.editDepartment', { code: d.code })}
                      deleteLabel={t('admin.deleteDepartment', { code: d.code })}
                      deleteText={t('admin.deleteDepartmentShort')}
                      confirmText={t('admin.confirmDeleteDepartment')}
                      confirming={confirming === d.code}
                      onEdit={() => {
                        setEditing(d);
                        setConfirming(null);
                        setError(null);
                      }}
                      onAskDelete={() => setConfirming(d.code)}
                      onDelete={() => onDelete(d.code)}
                    />
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <ErrorNote error={error} />
      {editable && (
        <form
          key={editing?.code ?? 'new'}
          onSubmit={onSave}
          className="grid-form"
          aria-labelledby="department-form-title"
        >
          <h2 id="department-form-title">
            {editing ? t('admin.editDepartment', { code: editing.code }) : t('admin.newDepartment')}
          </h2>
          <div className="field">
            <label htmlFor="d-code">{t('admin.code')}</label>
            <input
              id="d-code"
              name="code"
              required
              pattern="[A-Za-z0-9][A-Za-z0-9._\-]{1,95}"
              defaultValue={editing?.code ?? ''}
              readOnly={Boolean(editing)}
            />
          </div>
          <div className="field">
            <label htmlFor="d-name-zh">{t('admin.nameZh')}</label>
            <input
              id="d-name-zh"
              name="nameZh"
              required
              maxLength={200}
              defaultValue={editing?.name['zh-CN'] ?? ''}
            />
          </div>
          <div className="field">
            <label htmlFor="d-name-en">{t('admin.nameEn')}</label>
            <input
              id="d-name-en"
              name="nameEn"
              required
              maxLength={200}
              defaultValue={editing?.name.en ?? ''}
            />
          </div>
          <div className="field">
            <label htmlFor="d-kind">{t('admin.kind')}</label>
            <select id="d-kind" name="kind" required defaultValue={editing?.kind ?? 'bureau'}>
              {DEPARTMENT_KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(KIND_NAME[k])}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="d-parent">{t('admin.parentDepartment')}</label>
            <select id="d-parent" name="parentCode" defaultValue={editing?.parentCode ?? ''}>
              <option value="">—</option>
              <CodeOptions items={list.filter((d) => d.code !== editing?.code)} />
            </select>
          </div>
          <div className="field">
            <label htmlFor="d-divisions">{t('admin.servedDivisionCodes')}</label>
            <input
              id="d-divisions"
              name="divisionCodes"
              defaultValue={editing?.divisionCodes?.join(', ') ?? ''}
            />
          </div>
          <SaveOrCancel
            editing={Boolean(editing)}
            saveText={t('admin.save')}
            onCancel={() => {
              setEditing(null);
              setError(null);
            }}
          />
        </form>
      )}
    </section>
  );
}
