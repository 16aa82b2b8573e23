import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import {
  ButtonForm,
  Checks,
  DataTable,
  ErrorNotice,
  Field,
  Notice,
  Submit,
  Title,
  ticked,
  useLoad,
  useSubmit,
  when,
} from '../ui.tsx';

/**
 * API keys: the organization's (servers, CI, live-data applications) and a person's own (scripts
 * acting as them), made, listed and revoked the same way under their own paths.
 */

interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  expires_at: string | null;
  last_used_at: string | null;
}
/** The scopes offered, most used first; a key holds no more than its maker may do. */
const SCOPES: [scope: string, what: string][] = [
  ['devices:read', 'read devices'],
  ['devices:write', 'register and change devices, send commands'],
  ['telemetry:read', 'read telemetry'],
  ['telemetry:subscribe', 'live data over MQTT (applications)'],
  ['ota:read', 'read releases and rollouts'],
  ['ota:deploy', 'publish releases, run rollouts'],
  ['events:read', 'read events'],
  ['rules:read', 'read rules'],
  ['rules:write', 'change rules'],
  ['alarms:read', 'read alarms'],
  ['audit:read', 'read the audit log'],
];

/** What a personal key may add: reading and changing the person's own account. */
export const PERSONAL_SCOPES: [scope: string, what: string][] = [
  ['profile:read', 'read your profile, preferences and notifications'],
  ['profile:write', 'change your profile and preferences'],
  ...SCOPES,
];

export function ApiKeysPage({ orgId }: { orgId: string }) {
  return (
    <main>
      <Title text="API keys" />
      <ApiKeys path={`/v1/orgs/${orgId}/api-keys`} scopes={SCOPES} caption="The organization's API keys" />
    </main>
  );
}

/** The keys under `path` (`/v1/orgs/{orgId}/api-keys`, `/v1/me/api-keys`), and a form for a new one. */
export function ApiKeys({
  path,
  scopes: offered,
  caption,
  Heading = 'h2',
}: {
  path: string;
  scopes: [scope: string, what: string][];
  caption: string;
  /** The level of the form's heading, below the page's own. */
  Heading?: 'h2' | 'h3';
}) {
  const keys = useLoad(() => api<{ data: ApiKey[] }>('GET', path), [path]);
  const [made, setMade] = useState<{ name: string; secret: string }>();
  const create = useSubmit(async (f, form) => {
    const scopes = ticked(f, offered);
    const expires = f.expires ? new Date(`${f.expires}T23:59:59`).toISOString() : undefined;
    setMade(
      await api<{ name: string; secret: string }>('POST', path, {
        name: f.name,
        scopes,
        expires_at: expires,
      }),
    );
    form.reset();
    await keys.reload();
  });
  const revoke = useSubmit(async (f) => {
    await api('DELETE', `${path}/${f.id}`);
    await keys.reload();
  });
  return (
    <>
      <ErrorNotice of={[keys.error, revoke.error]} />
      <DataTable
        caption={caption}
        columns={['Key', 'Scopes', 'Last used', 'Expires', 'Actions']}
        rows={keys.data?.data}
        empty="No key yet."
        row={(k) => (
          <tr key={k.id}>
            <td>
              {k.name} <code class="muted">{k.prefix}…</code>
            </td>
            <td>{k.scopes.join(', ')}</td>
            <td>{when(k.last_used_at)}</td>
            <td>{when(k.expires_at)}</td>
            <td>
              <ButtonForm onSubmit={revoke.onSubmit} fields={{ id: k.id }} kind="small danger">
                Revoke {k.name}
              </ButtonForm>
            </td>
          </tr>
        )}
      />
      <Heading>New key</Heading>
      {made && (
        <Notice kind="success">
          Copy the key <strong>{made.name}</strong> now, it is shown only this once:{' '}
          <code data-testid="api-key-secret">{made.secret}</code>
        </Notice>
      )}
      <form onSubmit={create.onSubmit}>
        {create.error && <Notice kind="error">{create.error}</Notice>}
        <div class="inline">
          <Field label="Key name" name="name" required maxLength={100} />
          <Field label="Expires on" name="expires" type="date" hint="Empty: never" />
        </div>
        <Checks legend="Scopes" options={offered} />
        <Submit busy={create.busy}>Create key</Submit>
      </form>
    </>
  );
}
