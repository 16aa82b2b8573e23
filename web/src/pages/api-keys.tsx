import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { ButtonForm, Field, Notice, Submit, TableHead, Title, useLoad, useSubmit, when } from '../ui.tsx';

/** Keys that act for the organization (servers, CI, live-data applications): made, listed, revoked. */

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

export function ApiKeysPage({ orgId }: { orgId: string }) {
  const keys = useLoad(() => api<{ data: ApiKey[] }>('GET', `/v1/orgs/${orgId}/api-keys`), [orgId]);
  const [made, setMade] = useState<{ name: string; secret: string }>();
  const create = useSubmit(async (f, form) => {
    const scopes = SCOPES.map(([s]) => s).filter((s) => f[s]);
    const expires = f.expires ? new Date(`${f.expires}T23:59:59`).toISOString() : undefined;
    setMade(
      await api<{ name: string; secret: string }>('POST', `/v1/orgs/${orgId}/api-keys`, {
        name: f.name,
        scopes,
        expires_at: expires,
      }),
    );
    form.reset();
    await keys.reload();
  });
  const revoke = useSubmit(async (f) => {
    await api('DELETE', `/v1/orgs/${orgId}/api-keys/${f.id}`);
    await keys.reload();
  });
  return (
    <main>
      <Title text="API keys" />
      {(keys.error || revoke.error) && <Notice kind="error">{keys.error ?? revoke.error}</Notice>}
      <table>
        <TableHead caption="The organization's API keys" columns={['Key', 'Scopes', 'Last used', 'Expires', '']} />
        <tbody>
          {keys.data?.data.map((k) => (
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
          ))}
        </tbody>
      </table>
      {keys.data?.data.length === 0 && <p class="muted">No key yet.</p>}
      <h2>New key</h2>
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
        <fieldset>
          <legend>Scopes</legend>
          {SCOPES.map(([scope, what]) => (
            <label key={scope} class="check">
              <input type="checkbox" name={scope} value="on" /> <code>{scope}</code> <span class="muted">{what}</span>
            </label>
          ))}
        </fieldset>
        <Submit busy={create.busy}>Create key</Submit>
      </form>
    </main>
  );
}
