/**
 * Administration: divisions and grids (GeoJSON import), departments, users and roles, the
 * responsibility list (editable) with its versions, the plates' categories and time limits,
 * API keys, and the audit log with chain verification — one tab per panel, shown by permission.
 */
import { type ReactNode, useState } from 'react';
import { useApiCatalog } from '../../api/catalog.tsx';
import { type Endpoint, ENDPOINTS } from '../../api/endpoints.ts';
import { WaitingForApi } from '../../components/waiting-for-api.tsx';
import type { MessageKey } from '../../i18n/en.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useSession } from '../../session/session.tsx';
import { ApiKeysPanel } from './api-keys-panel.tsx';
import { AuditPanel } from './audit-panel.tsx';
import { DepartmentsPanel } from './departments-panel.tsx';
import { DivisionsPanel } from './divisions-panel.tsx';
import { ModulesPanel } from './modules-panel.tsx';
import { ResponsibilityPanel } from './responsibility-panel.tsx';
import { UsersPanel } from './users-panel.tsx';

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

/** The administration screen: the tabs the user's permissions open, and the chosen panel. */
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
