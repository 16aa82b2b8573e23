import { useState } from 'preact/hooks';
import { api, apiFile, type Page, query } from '../api.ts';
import { Field, Notice, SearchForm, TableHead, Title, useLoad, useSubmit, when } from '../ui.tsx';

/** The organization's audit log: who did what, filtered, paged, exported. */

interface Entry {
  id: string;
  at: string;
  actor_type: string;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  result: 'success' | 'failure';
  address: string | null;
  detail: Record<string, unknown> | null;
}
type Filters = Record<'actor' | 'action' | 'target' | 'from' | 'to', string>;
const NONE: Filters = { actor: '', action: '', target: '', from: '', to: '' };
/** A `datetime-local` value as the API's ISO time, in the reader's zone. */
const iso = (local: string) => (local ? new Date(local).toISOString() : undefined);

export function AuditPage({ orgId }: { orgId: string }) {
  const [filters, setFilters] = useState<Filters>(NONE);
  const [entries, setEntries] = useState<Entry[]>([]);
  const params = { ...filters, from: iso(filters.from), to: iso(filters.to) };
  const first = useLoad(async () => {
    const page = await api<Page<Entry>>('GET', `/v1/orgs/${orgId}/audit${query({ ...params, limit: 50 })}`);
    setEntries(page.data);
    return page;
  }, [orgId, filters]);
  const [cursor, setCursor] = useState<string | null>();
  const next = cursor === undefined ? first.data?.next_cursor : cursor;
  const more = useSubmit(async () => {
    const page = await api<Page<Entry>>(
      'GET',
      `/v1/orgs/${orgId}/audit${query({ ...params, limit: 50, cursor: next ?? undefined })}`,
    );
    setEntries([...entries, ...page.data]);
    setCursor(page.next_cursor);
  });
  const exported = useSubmit(async () => {
    const file = await apiFile('GET', `/v1/orgs/${orgId}/audit/export${query({ ...params, format: 'csv' })}`);
    const a = document.createElement('a');
    a.href = URL.createObjectURL(file);
    a.download = 'audit.csv';
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  });
  const filter = (fields: Record<string, string>) => {
    setCursor(undefined);
    setFilters({ ...NONE, ...fields });
  };
  return (
    <main>
      <Title text="Audit log" />
      <SearchForm onSearch={filter}>
        <Field label="Action contains" name="action" placeholder="members" />
        <Field label="Actor id" name="actor" />
        <Field label="Target id" name="target" />
        <Field label="From" name="from" type="datetime-local" />
        <Field label="To" name="to" type="datetime-local" />
        <button type="submit">Filter</button>
      </SearchForm>
      <form onSubmit={exported.onSubmit}>
        <button type="submit" class="secondary" disabled={exported.busy}>
          Export these entries as CSV
        </button>
      </form>
      {(first.error || more.error || exported.error) && (
        <Notice kind="error">{first.error ?? more.error ?? exported.error}</Notice>
      )}
      <table>
        <TableHead caption="Audit entries, newest first" columns={['When', 'Action', 'Who', 'Target', 'Result']} />
        <tbody>
          {entries.map((e) => (
            <tr key={e.id}>
              <td>{when(e.at)}</td>
              <td>
                <code>{e.action}</code>
                {e.detail && <div class="muted">{JSON.stringify(e.detail)}</div>}
              </td>
              <td>
                {e.actor_type} <span class="muted">{e.actor_id}</span>
                {e.address && <div class="muted">{e.address}</div>}
              </td>
              <td>
                {e.target_type} <span class="muted">{e.target_id}</span>
              </td>
              <td>
                <span class={`badge ${e.result === 'success' ? 'succeeded' : 'failed'}`}>{e.result}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {first.data && entries.length === 0 && <p class="muted">No entry matches.</p>}
      {next && (
        <form onSubmit={more.onSubmit}>
          <button type="submit" class="secondary" disabled={more.busy}>
            Older entries
          </button>
        </form>
      )}
    </main>
  );
}
