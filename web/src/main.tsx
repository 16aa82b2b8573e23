import type { ComponentChildren } from 'preact';
import { render } from 'preact';
import { useEffect } from 'preact/hooks';
import { signOut } from './api.ts';
import { AccountPage } from './pages/account.tsx';
import { AlarmsPage } from './pages/alarms.tsx';
import { ApiKeysPage } from './pages/api-keys.tsx';
import { AuditPage } from './pages/audit.tsx';
import {
  AcceptInvitationPage,
  ForgotPasswordPage,
  ResetPasswordPage,
  SignInPage,
  SignUpPage,
  VerifyEmailPage,
} from './pages/auth.tsx';
import { BillingPage } from './pages/billing.tsx';
import { DevicePage } from './pages/device.tsx';
import { DevicesPage } from './pages/devices.tsx';
import { GroupPage, GroupsPage } from './pages/groups.tsx';
import { NotificationsPage, useUnread } from './pages/notifications.tsx';
import { MembersPage, OrgsPage } from './pages/orgs.tsx';
import { RolesPage } from './pages/roles.tsx';
import { RulesPage } from './pages/rules.tsx';
import { RolloutPage, UpdatesPage } from './pages/updates.tsx';
import { Link, match, navigate, useLocation } from './router.tsx';
import { SessionProvider, useSession } from './session.tsx';
import './styles.css';
import { Notice, Title } from './ui.tsx';

/** Pages anyone may open: the ones mail links to work signed in or not. */
const PUBLIC: Record<string, () => preact.JSX.Element> = {
  '/signin': SignInPage,
  '/signup': SignUpPage,
  '/verify-email': VerifyEmailPage,
  '/forgot-password': ForgotPasswordPage,
  '/reset-password': ResetPasswordPage,
  '/invitations/accept': AcceptInvitationPage,
};

/** The signed-in person's own pages, of no organization. */
const OWN_PAGES: Record<string, () => preact.JSX.Element> = {
  '/orgs': OrgsPage,
  '/account': AccountPage,
  '/notifications': NotificationsPage,
};

/** Pages of the current organization. */
const ORG_PAGES: [string, (p: { orgId: string } & Record<string, string>) => preact.JSX.Element][] = [
  ['/devices', DevicesPage],
  ['/devices/:id', ({ orgId, id }) => <DevicePage orgId={orgId} id={id!} />],
  ['/groups', GroupsPage],
  ['/groups/:id', ({ orgId, id }) => <GroupPage orgId={orgId} id={id!} />],
  ['/alarms', AlarmsPage],
  ['/rules', RulesPage],
  ['/members', MembersPage],
  ['/roles', RolesPage],
  ['/billing', BillingPage],
  ['/audit', AuditPage],
  ['/api-keys', ApiKeysPage],
  ['/updates', UpdatesPage],
  ['/updates/rollouts/:id', ({ orgId, id }) => <RolloutPage orgId={orgId} id={id!} />],
];

function App() {
  const { path } = useLocation();
  const session = useSession();
  const Public = PUBLIC[path];
  if (session.state === 'loading')
    return (
      <p aria-busy="true" class="loading">
        Loading…
      </p>
    );
  if (Public)
    return (
      <Shell>
        <Public />
      </Shell>
    );
  if (session.state === 'signed-out')
    return <Redirect to={`/signin?next=${encodeURIComponent(path + location.search)}`} />;
  if (path === '/') return <Redirect to={session.org ? '/devices' : '/orgs'} />;
  const Own = OWN_PAGES[path];
  if (Own)
    return (
      <Shell>
        <Own />
      </Shell>
    );
  for (const [pattern, Page] of ORG_PAGES) {
    const params = match(pattern, path);
    if (!params) continue;
    return <Shell>{session.org ? <Page orgId={session.org.id} {...params} /> : <Redirect to="/orgs" />}</Shell>;
  }
  return (
    <Shell>
      <main>
        <Title text="Page not found" />
        <p>
          There is no page at <code>{path}</code>. <Link href="/">Go to the console</Link>
        </p>
      </main>
    </Shell>
  );
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

/** The header every page shares: where one is, the organization shown, and the account. */
function Shell({ children }: { children: ComponentChildren }) {
  const session = useSession();
  const { path } = useLocation();
  const unread = useUnread(path, session.state === 'signed-in');
  const nav = (href: string, label: string) => (
    <Link href={href} aria-current={path === href || path.startsWith(`${href}/`) ? 'page' : undefined}>
      {label}
    </Link>
  );
  const out = async () => {
    await signOut().catch(() => undefined);
    await session.reload();
    navigate('/signin');
  };
  return (
    <>
      <a href="#content" class="skip">
        Skip to content
      </a>
      <header>
        <Link href="/" class="brand">
          IoT console
        </Link>
        {session.state === 'signed-in' && (
          <>
            <nav aria-label="Main">
              {nav('/devices', 'Devices')}
              {nav('/groups', 'Groups')}
              {nav('/alarms', 'Alarms')}
              {nav('/rules', 'Rules')}
              {nav('/updates', 'Updates')}
              {nav('/members', 'Members')}
              {nav('/roles', 'Roles')}
              {nav('/billing', 'Billing')}
              {nav('/audit', 'Audit log')}
              {nav('/api-keys', 'API keys')}
              {nav('/orgs', 'Organizations')}
            </nav>
            <div class="account">
              {session.orgs.length > 1 && (
                <>
                  <label for="org-switch" class="sr-only">
                    Organization
                  </label>
                  <select
                    id="org-switch"
                    value={session.org?.id}
                    onChange={(e) => session.switchOrg(e.currentTarget.value)}
                  >
                    {session.orgs.map((o) => (
                      <option key={o.id} value={o.id}>
                        {o.name}
                      </option>
                    ))}
                  </select>
                </>
              )}
              {session.orgs.length === 1 && <span class="muted">{session.org?.name}</span>}
              {nav(
                '/notifications',
                unread.data?.unread ? `Notifications (${unread.data.unread} unread)` : 'Notifications',
              )}
              {nav('/account', session.user?.email ?? 'Account')}
              <button type="button" class="secondary small" onClick={out}>
                Sign out
              </button>
            </div>
          </>
        )}
      </header>
      {session.state === 'signed-in' && session.user && !session.user.email_verified && (
        <Notice>Verify your email address: open the link we mailed to {session.user.email}.</Notice>
      )}
      <div id="content">{children}</div>
    </>
  );
}

render(
  <SessionProvider>
    <App />
  </SessionProvider>,
  document.getElementById('app')!,
);
