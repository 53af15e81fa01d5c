/**
 * Administration: divisions and grids (GeoJSON import), departments, users and roles, the
 * responsibility list (editable) with its versions, the plates' categories and time limits,
 * API keys, and the audit log with chain verification.
 */
import { type FormEvent, type ReactNode, useState } from 'react';
import { useApiCatalog } from '../api/catalog.tsx';
import { api } from '../api/client.ts';
import { type Endpoint, ENDPOINTS, pathOf } from '../api/endpoints.ts';
import { getDivisionFeatures, listDepartments } from '../api/queries.ts';
import {
  type ApiKeyView,
  type AuditRecord,
  DEPARTMENT_KINDS,
  type Department,
  type DepartmentKind,
  type Page,
  ROLES,
  type Role,
  type Urgency,
  URGENCIES,
  type UserView,
} from '../api/types.ts';
import { useResource } from '../api/use-resource.ts';
import { ErrorNote, WaitingForApi } from '../components/waiting-for-api.tsx';
import type { MessageKey } from '../i18n/en.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { ROLE_LABEL, URGENCY_LABEL } from '../i18n/labels.ts';
import { CityMap } from '../map/city-map.tsx';
import { useSession } from '../session/session.tsx';

type Tab = 'divisions' | 'departments' | 'users' | 'responsibility' | 'modules' | 'apiKeys' | 'audit';
const TABS: ReadonlyArray<{ id: Tab; label: MessageKey; permission: string; endpoint: Endpoint }> = [
  { id: 'divisions', label: 'admin.divisions', permission: 'org.read', endpoint: ENDPOINTS.divisions },
  { id: 'departments', label: 'admin.departments', permission: 'org.read', endpoint: ENDPOINTS.departments },
  { id: 'users', label: 'admin.users', permission: 'user.read', endpoint: ENDPOINTS.users },
  {
    id: 'responsibility',
    label: 'admin.responsibility',
    permission: 'org.read',
    endpoint: ENDPOINTS.responsibilityRules,
  },
  { id: 'modules', label: 'admin.modules', permission: 'org.read', endpoint: ENDPOINTS.modules },
  { id: 'apiKeys', label: 'admin.apiKeys', permission: 'apikey.manage', endpoint: ENDPOINTS.apiKeys },
  { id: 'audit', label: 'admin.audit', permission: 'audit.read', endpoint: ENDPOINTS.audit },
];

export function AdminScreen() {
  const { t } = useI18n();
  const { can } = useSession();
  const catalog = useApiCatalog();
  const tabs = TABS.filter((tab) => can(tab.permission));
  const [tab, setTab] = useState<Tab>(tabs[0]?.id ?? 'audit');
  const current = TABS.find((x) => x.id === tab)!;
  const panels: Record<Tab, () => ReactNode> = {
    divisions: () => <DivisionsPanel />,
    departments: () => <DepartmentsPanel />,
    users: () => <UsersPanel />,
    responsibility: () => <ResponsibilityPanel />,
    modules: () => <ModulesPanel />,
    apiKeys: () => <ApiKeysPanel />,
    audit: () => <AuditPanel />,
  };
  return (
    <div className="workspace">
      <h1>{t('nav.admin')}</h1>
      <div className="tabs" role="tablist" aria-label={t('nav.admin')}>
        {tabs.map((x) => (
          <button
            key={x.id}
            type="button"
            role="tab"
            id={`tab-${x.id}`}
            aria-selected={tab === x.id}
            aria-controls={`panel-${x.id}`}
            onClick={() => setTab(x.id)}
          >
            {t(x.label)}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {catalog.loaded && !catalog.has(current.endpoint) ? (
          <WaitingForApi endpoints={[current.endpoint]} />
        ) : (
          panels[tab]()
        )}
      </div>
    </div>
  );
}

/** The edit button and the two-step delete (ask, then confirm) of an editable table row. */
function RowActions(props: {
  editLabel: string;
  deleteLabel: string;
  deleteText: string;
  confirmText: string;
  confirming: boolean;
  onEdit(): void;
  onAskDelete(): void;
  onDelete(): void;
}) {
  const { t } = useI18n();
  return (
    <td className="row-actions">
      <button type="button" aria-label={props.editLabel} onClick={props.onEdit}>
        {t('admin.edit')}
      </button>{' '}
      {props.confirming ? (
        <button type="button" onClick={props.onDelete}>
          {props.confirmText}
        </button>
      ) : (
        <button type="button" aria-label={props.deleteLabel} onClick={props.onAskDelete}>
          {props.deleteText}
        </button>
      )}
    </td>
  );
}

function DivisionsPanel() {
  const { t, loc, number } = useI18n();
  const { can } = useSession();
  const catalog = useApiCatalog();
  const divisions = useResource((s) => getDivisionFeatures(s), []);
  const [focus, setFocus] = useState<string[]>([]);
  const [report, setReport] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const counts = (divisions.data?.divisions ?? []).reduce<Record<string, number>>((acc, d) => {
    acc[d.level] = (acc[d.level] ?? 0) + 1;
    return acc;
  }, {});
  const onImport = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setError(null);
    setReport(null);
    const file = (event.currentTarget.elements.namedItem('geojson') as HTMLInputElement).files?.[0];
    if (!file) return;
    try {
      const result = await api.post<Record<string, unknown>>(
        ENDPOINTS.divisionImport.path,
        JSON.parse(await file.text()),
      );
      setReport(JSON.stringify(result));
      divisions.reload();
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <section>
      <ErrorNote error={divisions.error} />
      <p>
        {Object.entries(counts)
          .map(([level, n]) => `${level}: ${number(n)}`)
          .join(' · ')}
      </p>
      <CityMap
        label={t('admin.divisions')}
        divisions={divisions.data?.fc ?? null}
        focusCodes={focus}
        className="panel-map"
      />
      <div className="field">
        <label htmlFor="division-focus">{t('admin.showDivision')}</label>
        <select id="division-focus" onChange={(e) => setFocus(e.target.value ? [e.target.value] : [])}>
          <option value="">—</option>
          {(divisions.data?.divisions ?? [])
            .filter((d) => d.level !== 'grid')
            .map((d) => (
              <option key={d.code} value={d.code}>
                {d.code} {loc(d.name)}
              </option>
            ))}
        </select>
      </div>
      {can('org.write') && catalog.has(ENDPOINTS.divisionImport) && (
        <form onSubmit={onImport} className="row">
          <div className="field">
            <label htmlFor="geojson">{t('admin.importGeojson')}</label>
            <input
              id="geojson"
              name="geojson"
              type="file"
              accept=".json,.geojson,application/geo+json"
              required
            />
          </div>
          <button type="submit">{t('admin.import')}</button>
        </form>
      )}
      {report && <pre role="status">{report}</pre>}
      <ErrorNote error={error} />
    </section>
  );
}

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
function DepartmentsPanel() {
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
              {list
                .filter((d) => d.code !== editing?.code)
                .map((d) => (
                  <option key={d.code} value={d.code}>
                    {d.code} {loc(d.name)}
                  </option>
                ))}
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
          <div className="row">
            <button type="submit" className="primary">
              {editing ? t('admin.save') : t('admin.create')}
            </button>
            {editing && (
              <button
                type="button"
                onClick={() => {
                  setEditing(null);
                  setError(null);
                }}
              >
                {t('admin.cancel')}
              </button>
            )}
          </div>
        </form>
      )}
    </section>
  );
}

function UsersPanel() {
  const { t } = useI18n();
  const { can } = useSession();
  const users = useResource(
    (s) => api.get<Page<UserView>>(ENDPOINTS.users.path, { query: { limit: 200 }, signal: s }),
    [],
  );
  const [error, setError] = useState<Error | null>(null);
  const [role, setRole] = useState<Role>('grid_worker');
  const onCreate = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setError(null);
    const form = new FormData(event.currentTarget);
    const codes = (name: string) =>
      String(form.get(name) ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    try {
      await api.post(ENDPOINTS.userCreate.path, {
        username: String(form.get('username')),
        displayName: String(form.get('displayName') || form.get('username')),
        password: String(form.get('password')),
        roles: [role],
        departmentCodes: codes('departmentCodes'),
        divisionCodes: codes('divisionCodes'),
      });
      event.currentTarget.reset();
      users.reload();
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <section>
      <ErrorNote error={users.error} />
      <table>
        <caption>{t('admin.users')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('admin.username')}</th>
            <th scope="col">{t('admin.name')}</th>
            <th scope="col">{t('admin.roles')}</th>
            <th scope="col">{t('admin.scope')}</th>
          </tr>
        </thead>
        <tbody>
          {(users.data?.items ?? []).map((u) => (
            <tr key={u.id}>
              <td>{u.username}</td>
              <td>{u.displayName}</td>
              <td>{u.roles.map((r) => t(ROLE_LABEL[r])).join(', ')}</td>
              <td>{[...u.departmentCodes, ...u.divisionCodes].join(', ') || t('admin.cityWide')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {can('user.manage') && (
        <form onSubmit={onCreate} className="grid-form" aria-labelledby="new-user-title">
          <h2 id="new-user-title">{t('admin.newUser')}</h2>
          <div className="field">
            <label htmlFor="u-username">{t('admin.username')}</label>
            <input id="u-username" name="username" required pattern="[a-z0-9._-]{3,64}" />
          </div>
          <div className="field">
            <label htmlFor="u-display">{t('admin.name')}</label>
            <input id="u-display" name="displayName" />
          </div>
          <div className="field">
            <label htmlFor="u-password">{t('login.password')}</label>
            <input id="u-password" name="password" type="password" required autoComplete="new-password" />
          </div>
          <div className="field">
            <label htmlFor="u-role">{t('admin.roles')}</label>
            <select id="u-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {t(ROLE_LABEL[r])}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="u-depts">{t('admin.departmentCodes')}</label>
            <input id="u-depts" name="departmentCodes" />
          </div>
          <div className="field">
            <label htmlFor="u-divs">{t('admin.divisionCodes')}</label>
            <input id="u-divs" name="divisionCodes" />
          </div>
          <ErrorNote error={error} />
          <button type="submit" className="primary">
            {t('admin.create')}
          </button>
        </form>
      )}
    </section>
  );
}

interface Rule {
  ruleId: string;
  category: string;
  divisionCode: string;
  lead: string;
  assist: string[];
  note: string;
  sinceVersion: number;
}

const codesOf = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * The responsibility list of the current version. With `org.write`: add a rule, change a
 * rule's lead, assisting departments and note, or retire it — each change makes a new list
 * version, shown after it is saved.
 */
function ResponsibilityPanel() {
  const { t, time, loc } = useI18n();
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
              {(departments.data ?? []).map((d) => (
                <option key={d.code} value={d.code}>
                  {d.code} {loc(d.name)}
                </option>
              ))}
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
          <div className="row">
            <button type="submit" className="primary">
              {editing ? t('admin.saveRule') : t('admin.create')}
            </button>
            {editing && (
              <button type="button" onClick={() => setEditing(null)}>
                {t('admin.cancel')}
              </button>
            )}
          </div>
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

interface StageLimits {
  basis: 'working' | 'calendar';
  minutes: Partial<Record<Stage, number>>;
}
interface CatalogModule {
  id: string;
  name: { 'zh-CN': string; en: string };
  version: string;
  categories: Array<{
    code: string;
    name: { 'zh-CN': string; en: string };
    kind: 'component' | 'event';
    parent: string | null;
    defaultUrgency: Urgency;
    timeLimits: Partial<Record<Urgency, StageLimits>>;
  }>;
}
type Stage = 'file' | 'dispatch' | 'accept' | 'handle' | 'verify';
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
const KIND_LABEL: Record<'component' | 'event', MessageKey> = {
  component: 'admin.component',
  event: 'admin.event',
};

/** The enabled plates: each module's categories with their time limits per urgency (read-only). */
function ModulesPanel() {
  const { t, loc, number } = useI18n();
  const modules = useResource(
    (s) => api.get<{ modules: CatalogModule[] }>(ENDPOINTS.modules.path, { signal: s }),
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

function ApiKeysPanel() {
  const { t, time } = useI18n();
  const keys = useResource(
    (s) => api.get<ApiKeyView[] | Page<ApiKeyView>>(ENDPOINTS.apiKeys.path, { signal: s }),
    [],
  );
  const [issued, setIssued] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const list = Array.isArray(keys.data) ? keys.data : (keys.data?.items ?? []);
  const onIssue = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setError(null);
    const form = new FormData(event.currentTarget);
    try {
      const key = await api.post<ApiKeyView>(ENDPOINTS.apiKeyIssue.path, {
        account: String(form.get('account')),
        name: String(form.get('name')),
        scopes: String(form.get('scopes'))
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      });
      setIssued(key.key ?? null);
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

function AuditPanel() {
  const { t, time } = useI18n();
  const { can } = useSession();
  const [cursor, setCursor] = useState<string | null>(null);
  const log = useResource(
    (s) =>
      api.get<{ items: AuditRecord[]; nextCursor: string | null }>(ENDPOINTS.audit.path, {
        query: { limit: 50, cursor: cursor ?? undefined },
        signal: s,
      }),
    [cursor],
  );
  const [verdict, setVerdict] = useState<{
    ok: boolean;
    count: number;
    firstBadSeq?: number;
    reason?: string;
  } | null>(null);
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
