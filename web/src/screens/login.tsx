/** Sign in with username and password; each user lands in the workspace of their role. */
import { type FormEvent, useState } from 'react';
import { ErrorNote } from '../components/waiting-for-api.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { Link, navigate } from '../router.tsx';
import { homeOf, useSession } from '../session/session.tsx';

export function LoginScreen() {
  const { t } = useI18n();
  const { login } = useSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const me = await login(username, password);
      navigate(homeOf(me), true);
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="login">
      <form onSubmit={onSubmit} className="login-card" aria-labelledby="login-title">
        <h1 id="login-title">{t('login.title')}</h1>
        <p>{t('login.subtitle')}</p>
        <div className="field">
          <label htmlFor="username">{t('login.username')}</label>
          <input
            id="username"
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            required
          />
        </div>
        <div className="field">
          <label htmlFor="password">{t('login.password')}</label>
          <input
            id="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </div>
        <ErrorNote error={error} />
        <button type="submit" className="primary" disabled={busy}>
          {t('login.submit')}
        </button>
        <p className="links">
          <Link href="/citizen">{t('nav.citizen')}</Link> · <Link href="/board">{t('nav.board')}</Link>
        </p>
      </form>
    </div>
  );
}
