import { useEffect, useState } from 'preact/hooks';
import { api, type Device, query } from '../api.ts';
import { MetricChart } from '../chart.tsx';
import { Link } from '../router.tsx';
import { Field, Notice, Submit, TableHead, Title, useLoad, useSubmit, when } from '../ui.tsx';
import { CommandsPanel, TwinPanel } from './device-control.tsx';
import { OnlineBadge, tagsOf } from './devices.tsx';

/** One device: its state, latest values (refreshed while open), a chart of a metric, its connections. */

type Latest = Record<string, { ts: string; value: number | boolean | string | null }>;
interface Series {
  bucket: string;
  data: { ts: string; value: number | null }[];
}
interface Connection {
  address: string | null;
  connected_at: string;
  disconnected_at: string | null;
}

/** Preset ranges, each with a bucket that keeps the chart to a few hundred points. */
const RANGES = {
  '1h': { label: 'Last hour', ms: 3600_000, bucket: '1m' },
  '24h': { label: 'Last 24 hours', ms: 86_400_000, bucket: '5m' },
  '7d': { label: 'Last 7 days', ms: 7 * 86_400_000, bucket: '1h' },
  '30d': { label: 'Last 30 days', ms: 30 * 86_400_000, bucket: '6h' },
} as const;
type RangeKey = keyof typeof RANGES | 'custom';
const BUCKETS: [string, number][] = [
  ['1m', 60],
  ['5m', 300],
  ['15m', 900],
  ['1h', 3600],
  ['6h', 21_600],
  ['1d', 86_400],
];
/** The narrowest bucket that keeps a custom range under 500 points. */
const bucketFor = (ms: number) => BUCKETS.find(([, s]) => ms / 1000 / s <= 500)?.[0] ?? '1d';
const REFRESH_MS = 5000;

export function DevicePage({ orgId, id }: { orgId: string; id: string }) {
  const device = useLoad(() => api<Device>('GET', `/v1/orgs/${orgId}/devices/${id}`), [orgId, id]);
  const latest = useLoad(() => api<Latest>('GET', `/v1/orgs/${orgId}/devices/${id}/telemetry/latest`), [orgId, id]);
  const connections = useLoad(
    () => api<{ data: Connection[] }>('GET', `/v1/orgs/${orgId}/devices/${id}/connections${query({ limit: 10 })}`),
    [orgId, id],
  );
  // Latest values and the online state while the page is open and visible.
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState !== 'visible') return;
      void latest.reload();
      void device.reload();
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [latest.reload, device.reload]);
  const edit = useSubmit(async (f) =>
    device.setData(await api<Device>('PATCH', `/v1/orgs/${orgId}/devices/${id}`, { tags: tagsOf(f.tags) })),
  );
  const d = device.data;
  const numeric = Object.entries(latest.data ?? {})
    .filter(([, v]) => typeof v.value === 'number')
    .map(([k]) => k)
    .sort();
  return (
    <main>
      <p>
        <Link href="/devices">← Devices</Link>
      </p>
      {device.error && <Notice kind="error">{device.error}</Notice>}
      {d && (
        <>
          <Title text={d.name}>
            {d.name} <OnlineBadge online={d.online} />
          </Title>
          <dl class="facts">
            <dt>Id</dt>
            <dd>
              <code>{d.id}</code>
            </dd>
            <dt>Type</dt>
            <dd>{d.type ?? '—'}</dd>
            <dt>Last seen</dt>
            <dd>
              {when(d.last_seen)} {d.last_address && <span class="muted">from {d.last_address}</span>}
            </dd>
            <dt>Firmware</dt>
            <dd>{d.firmware_version ?? '—'}</dd>
          </dl>
          <form onSubmit={edit.onSubmit} class="inline" key={d.tags.join()}>
            {edit.error && <Notice kind="error">{edit.error}</Notice>}
            <Field label="Tags" name="tags" defaultValue={d.tags.join(', ')} hint="Separated by commas" />
            <Submit busy={edit.busy}>Save tags</Submit>
          </form>
        </>
      )}
      <h2>Latest values</h2>
      {latest.data && Object.keys(latest.data).length === 0 && <p class="muted">Nothing received yet.</p>}
      <table aria-live="polite">
        <TableHead caption="Latest value of each metric" columns={['Metric', 'Value', 'At']} />
        <tbody>
          {Object.entries(latest.data ?? {})
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([metric, v]) => (
              <tr key={metric} data-metric={metric}>
                <th scope="row">{metric}</th>
                <td class="value">{String(v.value)}</td>
                <td>{when(v.ts)}</td>
              </tr>
            ))}
        </tbody>
      </table>
      {numeric.length > 0 && <MetricPanel orgId={orgId} id={id} metrics={numeric} />}
      <TwinPanel base={`/v1/orgs/${orgId}/devices/${id}`} />
      <CommandsPanel base={`/v1/orgs/${orgId}/devices/${id}`} />
      <h2>Connections</h2>
      <ul class="cards">
        {connections.data?.data.map((c) => (
          <li key={c.connected_at}>
            {when(c.connected_at)} → {c.disconnected_at ? when(c.disconnected_at) : 'connected'}{' '}
            <span class="muted">{c.address}</span>
          </li>
        ))}
      </ul>
      {connections.data?.data.length === 0 && <p class="muted">Never connected.</p>}
    </main>
  );
}

/** A chart of one metric over a preset or chosen range, from the bucketed telemetry API. */
function MetricPanel({ orgId, id, metrics }: { orgId: string; id: string; metrics: string[] }) {
  const [metric, setMetric] = useState(metrics[0]!);
  const [range, setRange] = useState<RangeKey>('1h');
  const [custom, setCustom] = useState({ from: '', to: '' });
  const [error, setError] = useState<string>();
  const [series, setSeries] = useState<{ times: number[]; values: (number | null)[] }>();
  useEffect(() => {
    let to = Date.now();
    let from = to - (range === 'custom' ? 0 : RANGES[range].ms);
    if (range === 'custom') {
      from = Date.parse(custom.from);
      to = Date.parse(custom.to);
      if (!(from < to)) return setError('Choose a start before the end.');
    }
    const bucket = range === 'custom' ? bucketFor(to - from) : RANGES[range].bucket;
    setError(undefined);
    const q = query({ metric, from: new Date(from).toISOString(), to: new Date(to).toISOString(), bucket, agg: 'avg' });
    api<Series>('GET', `/v1/orgs/${orgId}/devices/${id}/telemetry${q}`)
      .then((s) => setSeries({ times: s.data.map((p) => Date.parse(p.ts) / 1000), values: s.data.map((p) => p.value) }))
      .catch((err) => setError(String(err.message)));
  }, [orgId, id, metric, range, custom.from, custom.to]);
  return (
    <section aria-labelledby="chart-title">
      <h2 id="chart-title">Chart</h2>
      <div class="inline">
        <div class="field">
          <label for="chart-metric">Metric</label>
          <select id="chart-metric" value={metric} onChange={(e) => setMetric(e.currentTarget.value)}>
            {metrics.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="chart-range">Range</label>
          <select id="chart-range" value={range} onChange={(e) => setRange(e.currentTarget.value as RangeKey)}>
            {Object.entries(RANGES).map(([k, r]) => (
              <option key={k} value={k}>
                {r.label}
              </option>
            ))}
            <option value="custom">Choose…</option>
          </select>
        </div>
        {range === 'custom' && (
          <>
            <Field
              label="From"
              type="datetime-local"
              value={custom.from}
              onChange={(e) => setCustom({ ...custom, from: e.currentTarget.value })}
            />
            <Field
              label="To"
              type="datetime-local"
              value={custom.to}
              onChange={(e) => setCustom({ ...custom, to: e.currentTarget.value })}
            />
          </>
        )}
      </div>
      {error && <Notice kind="error">{error}</Notice>}
      {series && series.times.length === 0 && <p class="muted">No {metric} in this range.</p>}
      {series && series.times.length > 0 && <MetricChart label={metric} times={series.times} values={series.values} />}
    </section>
  );
}
