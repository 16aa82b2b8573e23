import { type ComponentChildren, createContext } from 'preact';
import { useCallback, useContext, useEffect, useState } from 'preact/hooks';
import { api, type Org, refresh, signedIn, type User } from './api.ts';

/** Who is signed in, their organizations and the one the console shows. */
export interface Session {
  state: 'loading' | 'signed-out' | 'signed-in';
  user?: User;
  orgs: Org[];
  org?: Org;
  /** Shows another organization; remembered on this browser (an id, not a secret). */
  switchOrg(id: string): void;
  /** Reads the user and their organizations again (after signing in, creating or joining one). */
  reload(): Promise<void>;
}

const ORG_KEY = 'iotp.org';
const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** The session for the pages below it: on load, the cookie is exchanged for an access token. */
export function SessionProvider({ children }: { children: ComponentChildren }) {
  const [state, setState] = useState<Session['state']>('loading');
  const [user, setUser] = useState<User>();
  const [orgs, setOrgs] = useState<Org[]>([]);
  const [orgId, setOrgId] = useState<string | null>(() => localStorage.getItem(ORG_KEY));

  const reload = useCallback(async () => {
    if (!signedIn() && !(await refresh())) {
      setUser(undefined);
      setOrgs([]);
      setState('signed-out');
      return;
    }
    try {
      const [me, list] = await Promise.all([api<User>('GET', '/v1/me'), api<{ data: Org[] }>('GET', '/v1/orgs')]);
      setUser(me);
      setOrgs(list.data);
      setState('signed-in');
    } catch {
      setState('signed-out');
    }
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);

  const switchOrg = (id: string) => {
    localStorage.setItem(ORG_KEY, id);
    setOrgId(id);
  };
  const org = orgs.find((o) => o.id === orgId) ?? orgs[0];
  return (
    <SessionContext.Provider value={{ state, user, orgs, org, switchOrg, reload }}>{children}</SessionContext.Provider>
  );
}
