import { type FormEvent, useState } from 'react';
import { api } from '../../api/client.ts';
import { ENDPOINTS } from '../../api/endpoints.ts';
import { type Answer, ROLES, type Role } from '../../api/types.ts';
import { useResource } from '../../api/use-resource.ts';
import { ErrorNote } from '../../components/waiting-for-api.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { ROLE_LABEL } from '../../i18n/labels.ts';
import { useSession } from '../../session/session.tsx';

/** Users with their roles and scope; with `user.manage`, a form to create one. */
export function UsersPanel() {
  const { t } = useI18n();
  const { can } = useSession();
  const users = useResource(
    (s) =>
      api.get<Answer<'/api/v1/users', 'get'>>(ENDPOINTS.users.path, { query: { limit: 200 }, signal: s }),
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
