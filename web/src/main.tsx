/** Entry point of the OneCity web app. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiCatalogProvider } from './api/catalog.tsx';
import { I18nProvider } from './i18n/i18n.tsx';
import { SessionProvider } from './session/session.tsx';
import { AppShell } from './shell/app-shell.tsx';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nProvider>
      <ApiCatalogProvider>
        <SessionProvider>
          <AppShell />
        </SessionProvider>
      </ApiCatalogProvider>
    </I18nProvider>
  </StrictMode>,
);
