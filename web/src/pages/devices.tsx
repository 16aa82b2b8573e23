import { useState } from 'preact/hooks';
import { api, apiFile, type Device, type Page, query } from '../api.ts';
import { Link } from '../router.tsx';
import {
  Field,
  Notice,
  Pager,
  SearchForm,
  Select,
  Submit,
  TableHead,
  Title,
  useLoad,
  useSubmit,
  when,
} from '../ui.tsx';
import { useGroups } from './groups.tsx';

/** The fleet: devices with their online state, search, and registering one (its credentials shown once). */

interface Created extends Device {
  mqtt: { host: string; port: number; client_id: string; username: string; password: string };
}

export function DevicesPage({ orgId }: { orgId: string }) {
  const [search, setSearch] = useState({ q: '', online: '', group: '' });
  const [cursor, setCursor] = useState<string>();
  const groups = useGroups(orgId);
  const list = useLoad(
    () =>
      // A group's devices come whole, from the group.
      search.group
        ? api<{ data: Device[] }>('GET', `/v1/orgs/${orgId}/groups/${search.group}/devices`).then(
            (g): Page<Device> => ({
              data: g.data.filter(
                (d) =>
                  d.name.toLowerCase().includes(search.q.toLowerCase()) &&
                  (!search.online || String(d.online) === search.online),
              ),
              next_cursor: null,
            }),
          )
        : api<Page<Device>>(
            'GET',
            `/v1/orgs/${orgId}/devices${query({ q: search.q, online: search.online, cursor, limit: 50 })}`,
          ),
    [orgId, search.q, search.online, search.group, cursor],
  );
  const [created, setCreated] = useState<Created>();
  const create = useSubmit(async (f, form) => {
    setCreated(
      await api<Created>('POST', `/v1/orgs/${orgId}/devices`, {
        name: f.name,
        type: f.type || undefined,
        tags: tagsOf(f.tags),
      }),
    );
    form.reset();
    await list.reload();
  });
  const filter = (f: Record<string, string>) => {
    setCursor(undefined);
    setSearch({ q: f.q ?? '', online: f.online ?? '', group: f.group ?? '' });
  };
  return (
    <main>
      <Title text="Devices" />
      <SearchForm onSearch={filter}>
        <Field label="Search by name" name="q" type="search" />
        <div class="field">
          <label for="online-filter">State</label>
          <select id="online-filter" name="online">
            <option value="">All</option>
            <option value="true">Online</option>
            <option value="false">Offline</option>
          </select>
        </div>
        {groups.data && groups.data.data.length > 0 && (
          <Select
            label="Group"
            name="group"
            options={[['', 'Any'], ...groups.data.data.map((g): [string, string] => [g.id, g.name])]}
          />
        )}
        <button type="submit">Search</button>
      </SearchForm>
      {list.error && <Notice kind="error">{list.error}</Notice>}
      <table>
        <TableHead caption="Devices" columns={['Name', 'State', 'Last seen', 'Tags']} />
        <tbody>
          {list.data?.data.map((d) => (
            <tr key={d.id}>
              <td>
                <Link href={`/devices/${d.id}`}>{d.name}</Link>
                {d.type && <span class="muted"> {d.type}</span>}
              </td>
              <td>
                <OnlineBadge online={d.online} />
              </td>
              <td>{when(d.last_seen)}</td>
              <td>
                {d.tags.map((t) => (
                  <span key={t} class="tag">
                    {t}
                  </span>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.data && list.data.data.length === 0 && <p class="muted">No device matches.</p>}
      <Pager next={list.data?.next_cursor} at={cursor} onPage={setCursor} />
      <h2>Register a device</h2>
      {created && <Credentials device={created} onDone={() => setCreated(undefined)} />}
      <form onSubmit={create.onSubmit} class="inline">
        {create.error && <Notice kind="error">{create.error}</Notice>}
        <Field label="Name" name="name" required maxLength={100} error={create.fieldErrors.name} />
        <Field label="Type" name="type" maxLength={64} />
        <Field label="Tags" name="tags" hint="Separated by commas" error={create.fieldErrors.tags} />
        <Submit busy={create.busy}>Register</Submit>
      </form>
      <BulkRegister orgId={orgId} onDone={list.reload} />
      <Claim orgId={orgId} onDone={list.reload} />
    </main>
  );
}

/** Many devices from a CSV file (name,type,tags); their credentials come back as a CSV file to keep. */
function BulkRegister({ orgId, onDone }: { orgId: string; onDone: () => void }) {
  const [result, setResult] = useState<{ count: number; url: string }>();
  const upload = useSubmit(async (_f, form) => {
    const file = (form.elements.namedItem('csv') as HTMLInputElement).files?.[0];
    if (!file) return;
    const body = new Blob([await file.text()], { type: 'text/csv' });
    const credentials = await apiFile('POST', `/v1/orgs/${orgId}/devices/bulk?format=csv`, body);
    const count = (await credentials.text()).trim().split('\n').length - 1;
    if (result) URL.revokeObjectURL(result.url);
    setResult({ count, url: URL.createObjectURL(credentials) });
    form.reset();
    onDone();
  });
  return (
    <>
      <h2>Register from a CSV file</h2>
      <p class="muted">
        Columns <code>name,type,tags</code> with a header line, tags separated by <code>;</code>; up to 1,000 devices.
      </p>
      {result && (
        <Notice kind="success">
          {result.count} devices registered.{' '}
          <a href={result.url} download="device-credentials.csv">
            Download their credentials
          </a>{' '}
          now: the passwords are in this file only.
        </Notice>
      )}
      <form onSubmit={upload.onSubmit} class="inline">
        {upload.error && <Notice kind="error">{upload.error}</Notice>}
        <Field label="CSV file" name="csv" type="file" accept=".csv,text/csv" required />
        <Submit busy={upload.busy}>Register devices</Submit>
      </form>
    </>
  );
}

export function OnlineBadge({ online }: { online: boolean }) {
  return <span class={`badge ${online ? 'online' : 'offline'}`}>{online ? 'Online' : 'Offline'}</span>;
}

/** A new device's MQTT credentials: shown here once, never again (the platform keeps only a hash). */
function Credentials({ device, onDone }: { device: Created; onDone: () => void }) {
  const { mqtt } = device;
  return (
    <section class="credentials" aria-labelledby="credentials-title">
      <h3 id="credentials-title">Credentials of {device.name}</h3>
      <Notice kind="success">Copy the password now: it is shown only this once.</Notice>
      <dl class="facts">
        <dt>Broker</dt>
        <dd>
          <code>
            mqtt://{mqtt.host}:{mqtt.port}
          </code>
        </dd>
        <dt>Client id and user name</dt>
        <dd>
          <code data-testid="device-id">{mqtt.username}</code>
        </dd>
        <dt>Password</dt>
        <dd>
          <code data-testid="device-secret">{mqtt.password}</code>
        </dd>
      </dl>
      <p>
        <Link href={`/devices/${device.id}`}>Open {device.name}</Link>{' '}
        <button type="button" class="secondary" onClick={onDone}>
          I saved it
        </button>
      </p>
    </section>
  );
}

/** Splits what a person typed into tags: commas or spaces between them. */
export const tagsOf = (text: string | undefined) =>
  (text ?? '')
    .split(/[,\s]+/)
    .map((t) => t.trim())
    .filter(Boolean);

/** A device of ours, by the claim code on its label; it then fetches its own credentials. */
function Claim({ orgId, onDone }: { orgId: string; onDone: () => void }) {
  const [claimed, setClaimed] = useState<{ id: string; name: string }>();
  const claim = useSubmit(async (f, form) => {
    setClaimed(
      await api('POST', `/v1/orgs/${orgId}/devices/claim`, { code: f.code, name: f.name, tags: tagsOf(f.tags) }),
    );
    form.reset();
    onDone();
  });
  return (
    <>
      <h2>Claim a device</h2>
      {claimed && (
        <Notice kind="success">
          <Link href={`/devices/${claimed.id}`}>{claimed.name}</Link> is yours: it fetches its credentials at its next
          start.
        </Notice>
      )}
      <form onSubmit={claim.onSubmit} class="inline">
        {claim.error && <Notice kind="error">{claim.error}</Notice>}
        <Field label="Claim code" name="code" required autoComplete="off" error={claim.fieldErrors.code} />
        <Field label="Name it" name="name" required maxLength={100} />
        <Field label="Its tags" name="tags" hint="Separated by commas" />
        <Submit busy={claim.busy}>Claim</Submit>
      </form>
    </>
  );
}
