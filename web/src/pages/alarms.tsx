import { useState } from 'preact/hooks';
import { api, type Page, query } from '../api.ts';
import { Link } from '../router.tsx';
import {
  ButtonForm,
  DataTable,
  ErrorNotice,
  Pager,
  SearchForm,
  Select,
  Title,
  useLoad,
  useSubmit,
  when,
} from '../ui.tsx';
import { SEVERITIES, useRules } from './rules.tsx';

/** What rules raised: open and cleared alarms, filtered, acknowledged and cleared by people. */

interface Alarm {
  id: string;
  rule_id: string;
  device_id: string;
  severity: string;
  state: 'open' | 'cleared';
  detail: Record<string, unknown>;
  raised_at: string;
  acknowledged_at: string | null;
  cleared_at: string | null;
}

/** The states offered, as the API's filters. */
const STATES: Record<string, { label: string; state: string; acknowledged?: string }> = {
  active: { label: 'Active (open, not acknowledged)', state: 'open', acknowledged: 'false' },
  acknowledged: { label: 'Acknowledged (still open)', state: 'open', acknowledged: 'true' },
  open: { label: 'Open', state: 'open' },
  cleared: { label: 'Cleared', state: 'cleared' },
  all: { label: 'All', state: 'all' },
};

export function AlarmsPage({ orgId }: { orgId: string }) {
  const [filter, setFilter] = useState({ state: 'open', severity: '' });
  const [cursor, setCursor] = useState<string>();
  const list = useLoad(() => {
    const { state, acknowledged } = STATES[filter.state] ?? STATES.open!;
    const q = query({ state, acknowledged, severity: filter.severity, cursor, limit: 50 });
    return api<Page<Alarm>>('GET', `/v1/orgs/${orgId}/alarms${q}`);
  }, [orgId, filter.state, filter.severity, cursor]);
  const rules = useRules(orgId);
  const ruleName = (id: string) => rules.data?.data.find((r) => r.id === id)?.name ?? 'a rule';
  const act = useSubmit(async (f) => {
    await api('POST', `/v1/orgs/${orgId}/alarms/${f.id}/${f.action}`, {});
    await list.reload();
  });
  const search = (f: Record<string, string>) => {
    setCursor(undefined);
    setFilter({ state: f.state ?? 'open', severity: f.severity ?? '' });
  };
  return (
    <main>
      <Title text="Alarms" />
      <SearchForm onSearch={search}>
        <Select
          label="Alarm state"
          name="state"
          chosen={filter.state}
          options={Object.entries(STATES).map(([value, { label }]): [string, string] => [value, label])}
        />
        <Select label="Severity" name="severity" options={[['', 'Any'], ...SEVERITIES]} />
        <button type="submit">Filter</button>
      </SearchForm>
      <ErrorNotice of={[list.error, act.error]} />
      <DataTable
        caption="Alarms"
        columns={['Raised', 'Severity', 'Rule', 'Device', 'What', 'State', 'Actions']}
        rows={list.data?.data}
        empty="No alarm matches."
        row={(a) => (
          <tr key={a.id}>
            <td>{when(a.raised_at)}</td>
            <td>
              <span class={`badge ${a.severity}`}>{a.severity}</span>
            </td>
            <td>{ruleName(a.rule_id)}</td>
            <td>
              <Link href={`/devices/${a.device_id}`}>{a.device_id.slice(0, 8)}</Link>
            </td>
            <td>
              <AlarmDetail detail={a.detail} />
            </td>
            <td>
              {a.state === 'cleared' ? (
                <span class="badge cleared">cleared {when(a.cleared_at)}</span>
              ) : a.acknowledged_at ? (
                <span class="badge">acknowledged</span>
              ) : (
                <span class="badge">open</span>
              )}
            </td>
            <td>
              <div class="row">
                {a.state === 'open' && !a.acknowledged_at && (
                  <ButtonForm onSubmit={act.onSubmit} fields={{ id: a.id, action: 'acknowledge' }}>
                    Acknowledge
                  </ButtonForm>
                )}
                {a.state === 'open' && (
                  <ButtonForm onSubmit={act.onSubmit} fields={{ id: a.id, action: 'clear' }} kind="small danger">
                    Clear
                  </ButtonForm>
                )}
              </div>
            </td>
          </tr>
        )}
      />
      <Pager next={list.data?.next_cursor} at={cursor} onPage={setCursor} />
    </main>
  );
}

/** What the rule saw: the metric and its value when the rule names them, else the detail as it is. */
function AlarmDetail({ detail }: { detail: Record<string, unknown> }) {
  if (typeof detail.metric === 'string' && detail.value !== undefined)
    return (
      <>
        <code>{detail.metric}</code> was {String(detail.value)}
      </>
    );
  return <code>{JSON.stringify(detail)}</code>;
}
