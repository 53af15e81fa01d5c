/**
 * The signed-in user: login with username and password (bearer token from the identity
 * API), `/api/v1/auth/me` for roles and permissions, and where each role lands.
 */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { api, getToken, setToken } from '../api/client.ts';
import { ENDPOINTS } from '../api/endpoints.ts';
import type { Me, Role } from '../api/types.ts';

interface Session {
  /** undefined while loading, null when signed out. */
  me: Me | null | undefined;
  login(username: string, password: string): Promise<Me>;
  logout(): Promise<void>;
  can(permission: string): boolean;
  hasRole(...roles: Role[]): boolean;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null | undefined>(getToken() ? undefined : null);
  useEffect(() => {
    if (!getToken()) return;
    api.get<Me>(ENDPOINTS.me.path).then(setMe, () => {
      setToken(null);
      setMe(null);
    });
  }, []);
  const login = useCallback(async (username: string, password: string) => {
    const result = await api.post<{ token: string }>(ENDPOINTS.login.path, { username, password });
    setToken(result.token);
    const who = await api.get<Me>(ENDPOINTS.me.path);
    setMe(who);
    return who;
  }, []);
  const logout = useCallback(async () => {
    try {
      await api.post(ENDPOINTS.logout.path);
    } catch {
      // The token may already be expired; signing out locally is what matters.
    }
    setToken(null);
    setMe(null);
  }, []);
  const value = useMemo<Session>(
    () => ({
      me,
      login,
      logout,
      can: (permission) => Boolean(me?.permissions.includes(permission)),
      hasRole: (...roles) => Boolean(me?.roles.some((r) => roles.includes(r))),
    }),
    [me, login, logout],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const ctx = useContext(SessionContext);
  if (!ctx) throw new Error('useSession outside SessionProvider');
  return ctx;
}

/** The workspace each role lands in, in order of precedence. */
const HOME_OF_ROLE: ReadonlyArray<[Role, string]> = [
  ['admin', '/admin'],
  ['auditor', '/admin'],
  ['city_leader', '/leader'],
  ['dispatcher', '/dispatch'],
  ['street_officer', '/dispatch'],
  ['supervision_operator', '/supervision'],
  ['department_leader', '/department'],
  ['department_handler', '/department'],
  ['grid_worker', '/grid'],
  ['citizen', '/citizen'],
];

/** Where a user lands after signing in. */
export function homeOf(me: Me): string {
  for (const [role, path] of HOME_OF_ROLE) if (me.roles.includes(role)) return path;
  return '/board';
}
