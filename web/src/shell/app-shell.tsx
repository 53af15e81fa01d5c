/**
 * The role-aware shell: a skip link, the navigation the user's permissions allow, the
 * language switch and the account menu; the current screen below.
 */
import { useEffect } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { ROLE_LABEL } from '../i18n/labels.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import { LoginScreen } from '../screens/login.tsx';
import { homeOf, useSession } from '../session/session.tsx';
import { SCREENS } from './screens.ts';

export function AppShell() {
  const { t, lang, setLang } = useI18n();
  const session = useSession();
  const { path } = useLocation();
  const { me } = session;
  const gate = { can: session.can, hasRole: (...roles: string[]) => session.hasRole(...(roles as never[])) };
  const visible = SCREENS.filter((s) => (me ? s.allowed(gate) : s.public));
  const screen = SCREENS.find((s) => path === s.path || path.startsWith(`${s.path}/`));

  useEffect(() => {
    if (me === undefined) return;
    if (path === '/' || path === '') navigate(me ? homeOf(me) : '/login', true);
    else if (path === '/login' && me) navigate(homeOf(me), true);
  }, [me, path]);

  useEffect(() => {
    const name = screen ? t(screen.label) : path === '/login' ? t('login.title') : 'OneCity';
    document.title = `${name} · OneCity`;
  }, [screen, path, t]);

  if (me === undefined) return <p className="loading">{t('common.loading')}</p>;

  let content: React.ReactNode;
  if (path === '/login') content = <LoginScreen />;
  else if (!screen) content = <NotFound />;
  else if (!screen.public && !me) content = <LoginScreen />;
  else if (me && !screen.allowed(gate)) content = <Forbidden />;
  else content = <screen.component />;

  return (
    <div className={`shell ${screen?.fullscreen ? 'fullscreen' : ''}`}>
      <a href="#main" className="skip-link">
        {t('shell.skip')}
      </a>
      <header className="topbar">
        <Link href="/" className="brand">
          <img src="/icons/onecity.svg" alt="" width="24" height="24" />
          <span>{t('shell.brand')}</span>
        </Link>
        <nav aria-label={t('shell.nav')}>
          <ul>
            {visible.map((s) => (
              <li key={s.path}>
                <Link href={s.path} aria-current={screen?.path === s.path ? 'page' : undefined}>
                  {t(s.label)}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="account">
          <label className="visually-hidden" htmlFor="lang">
            {t('shell.language')}
          </label>
          <select id="lang" value={lang} onChange={(e) => setLang(e.target.value as typeof lang)}>
            <option value="zh-CN">中文</option>
            <option value="en">English</option>
          </select>
          {me ? (
            <>
              <span className="who">
                {me.username} · {me.roles.map((r) => t(ROLE_LABEL[r])).join(', ')}
              </span>
              <button
                type="button"
                onClick={async () => {
                  await session.logout();
                  navigate('/login');
                }}
              >
                {t('shell.logout')}
              </button>
            </>
          ) : (
            path !== '/login' && <Link href="/login">{t('nav.login')}</Link>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {content}
      </main>
    </div>
  );
}

function NotFound() {
  const { t } = useI18n();
  return (
    <div className="workspace">
      <h1>{t('shell.notFound')}</h1>
      <Link href="/">{t('shell.home')}</Link>
    </div>
  );
}

function Forbidden() {
  const { t } = useI18n();
  return (
    <div className="workspace">
      <h1>{t('shell.forbidden')}</h1>
      <Link href="/">{t('shell.home')}</Link>
    </div>
  );
}
