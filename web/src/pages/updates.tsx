import { useEffect, useRef, useState } from 'preact/hooks';
import { api, query, streamEvents } from '../api.ts';
import { Link } from '../router.tsx';
import { ButtonForm, ErrorNotice, Field, Notice, Submit, TableHead, Title, useLoad, useSubmit, when } from '../ui.tsx';
import { tagsOf } from './devices.tsx';

/** Firmware updates: releases, rollouts with their phases, and acting on a rollout as it runs. */

interface Release {
  id: string;
  name: string;
  version: string;
  status: 'awaiting_upload' | 'ready';
  created_at: string;
}
interface Phase {
  percent: number;
  advance: 'auto' | 'manual';
}
interface Rollout {
  id: string;
  name: string;
  release_id: string;
  status: 'active' | 'paused' | 'aborted' | 'completed';
  status_reason: string | null;
  phases: Phase[];
  current_phase: number;
  counts: Record<string, number>;
  created_at: string;
}
interface Job {
  id: string;
  device_id: string;
  phase: number;
  state: string;
  progress: number;
  error: string | null;
}
const DONE = new Set(['succeeded', 'failed', 'cancelled', 'rolled_back']);

/** Calls `changed` on each OTA event of the organization while the page is open. */
function useOtaEvents(orgId: string, changed: (event: { rollout_id?: string }) => void) {
  // The newest callback, without reconnecting each time the page renders.
  const latest = useRef(changed);
  latest.current = changed;
  useEffect(() => {
    const stop = new AbortController();
    const path = `/v1/orgs/${orgId}/ota/events`;
    void streamEvents(path, (_name, data) => latest.current(data as { rollout_id?: string }), stop.signal);
    return () => stop.abort();
  }, [orgId]);
}

export function UpdatesPage({ orgId }: { orgId: string }) {
  const releases = useLoad(() => api<{ data: Release[] }>('GET', `/v1/orgs/${orgId}/ota/releases`), [orgId]);
  const rollouts = useLoad(() => api<{ data: Rollout[] }>('GET', `/v1/orgs/${orgId}/ota/rollouts`), [orgId]);
  useOtaEvents(orgId, rollouts.reload);
  const create = useSubmit(async (f, form) => {
    const tags = tagsOf(f.tags);
    const phases = (f.phases ?? '100')
      .split(/[,\s]+/)
      .filter(Boolean)
      .map((p) => ({ percent: Number(p) }));
    await api('POST', `/v1/orgs/${orgId}/ota/rollouts`, {
      release_id: f.release,
      name: f.name || undefined,
      target: { tags },
      phases,
    });
    form.reset();
    await rollouts.reload();
  });
  const name = (id: string) => releases.data?.data.find((r) => r.id === id);
  const ready = releases.data?.data.filter((r) => r.status === 'ready') ?? [];
  return (
    <main>
      <Title text="Firmware updates" />
      <ErrorNotice of={[releases.error, rollouts.error]} />
      <h2>Rollouts</h2>
      <table>
        <TableHead caption="Rollouts, newest first" columns={['Rollout', 'Release', 'Status', 'Phase', 'Devices']} />
        <tbody>
          {rollouts.data?.data.map((r) => (
            <tr key={r.id}>
              <td>
                <Link href={`/updates/rollouts/${r.id}`}>{r.name}</Link>
                <div class="muted">{when(r.created_at)}</div>
              </td>
              <td>
                {name(r.release_id)?.name} {name(r.release_id)?.version}
              </td>
              <td>
                <span class={`badge ${r.status}`}>{r.status}</span>
              </td>
              <td>
                {r.current_phase + 1} of {r.phases.length}
              </td>
              <td>{countsText(r.counts)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {rollouts.data?.data.length === 0 && <p class="muted">No rollout yet.</p>}
      <h2>New rollout</h2>
      {ready.length === 0 ? (
        <p class="muted">
          No release is ready: publish one with <code>firmware-tools publish</code> (it registers the signed manifest
          and uploads the artifact).
        </p>
      ) : (
        <form onSubmit={create.onSubmit} class="inline">
          {create.error && <Notice kind="error">{create.error}</Notice>}
          <div class="field">
            <label for="rollout-release">Release</label>
            <select id="rollout-release" name="release" required>
              {ready.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name} {r.version}
                </option>
              ))}
            </select>
          </div>
          <Field label="Rollout name" name="name" maxLength={100} />
          <Field label="Devices with tags" name="tags" required hint="Separated by commas" />
          <Field label="Phases (% of devices)" name="phases" defaultValue="10, 50, 100" hint="Each phase's share" />
          <Submit busy={create.busy}>Start rollout</Submit>
        </form>
      )}
      <h2>Releases</h2>
      <ul class="cards">
        {releases.data?.data.map((r) => (
          <li key={r.id}>
            <strong>
              {r.name} {r.version}
            </strong>{' '}
            <span class="badge">{r.status === 'ready' ? 'ready' : 'awaiting upload'}</span>
            <span class="muted">{when(r.created_at)}</span>
          </li>
        ))}
      </ul>
    </main>
  );
}

const countsText = (counts: Record<string, number>) =>
  Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${n} ${state}`)
    .join(', ') || 'none yet';

/** One rollout: its phases with their progress, its devices' jobs, and pause, resume, advance, abort. */
export function RolloutPage({ orgId, id }: { orgId: string; id: string }) {
  const base = `/v1/orgs/${orgId}/ota/rollouts/${id}`;
  const rollout = useLoad(() => api<Rollout>('GET', base), [base]);
  const jobs = useLoad(() => api<{ data: Job[] }>('GET', `${base}/devices${query({ limit: 500 })}`), [base]);
  const [live, setLive] = useState(0);
  useOtaEvents(orgId, (e) => {
    if (e.rollout_id !== id) return;
    setLive((n) => n + 1);
    void rollout.reload();
    void jobs.reload();
  });
  const act = useSubmit(async (f) => rollout.setData(await api<Rollout>('POST', `${base}/${f.action}`)));
  const r = rollout.data;
  const all = jobs.data?.data ?? [];
  return (
    <main>
      <p>
        <Link href="/updates">← Updates</Link>
      </p>
      {rollout.error && <Notice kind="error">{rollout.error}</Notice>}
      {r && (
        <>
          <Title text={r.name}>
            {r.name} <span class={`badge ${r.status}`}>{r.status}</span>
          </Title>
          {r.status_reason && <Notice>{r.status_reason}</Notice>}
          {act.error && <Notice kind="error">{act.error}</Notice>}
          <div class="row">
            {r.status === 'active' && (
              <ButtonForm onSubmit={act.onSubmit} fields={{ action: 'pause' }}>
                Pause
              </ButtonForm>
            )}
            {r.status === 'paused' && (
              <ButtonForm onSubmit={act.onSubmit} fields={{ action: 'resume' }}>
                Resume
              </ButtonForm>
            )}
            {(r.status === 'active' || r.status === 'paused') && r.current_phase + 1 < r.phases.length && (
              <ButtonForm onSubmit={act.onSubmit} fields={{ action: 'advance' }}>
                Start the next phase
              </ButtonForm>
            )}
            {(r.status === 'active' || r.status === 'paused') && (
              <ButtonForm onSubmit={act.onSubmit} fields={{ action: 'abort' }} kind="danger">
                Abort
              </ButtonForm>
            )}
          </div>
          <h2>Phases</h2>
          <ol class="phases">
            {r.phases.map((p, i) => {
              const mine = all.filter((j) => j.phase === i);
              const done = mine.filter((j) => DONE.has(j.state)).length;
              const failed = mine.filter((j) => j.state === 'failed' || j.state === 'rolled_back').length;
              return (
                <li key={p.percent} aria-current={i === r.current_phase ? 'step' : undefined}>
                  <strong>
                    Phase {i + 1}: {p.percent}% of the devices
                  </strong>{' '}
                  {i < r.current_phase ? 'started' : i === r.current_phase ? 'current' : 'waiting'}
                  {p.advance === 'manual' && ' (started by hand)'}
                  <div class="row">
                    <progress max={mine.length || 1} value={done} aria-label={`Phase ${i + 1} finished jobs`} />
                    <span>
                      {done} of {mine.length} finished{failed > 0 && `, ${failed} failed`}
                    </span>
                  </div>
                </li>
              );
            })}
          </ol>
          <p class="muted" aria-live="polite">
            {countsText(r.counts)}
            {live > 0 && ` · live, ${live} change${live === 1 ? '' : 's'} seen`}
          </p>
        </>
      )}
      <h2>Devices</h2>
      <table>
        <TableHead caption="Jobs of this rollout" columns={['Device', 'Phase', 'State', 'Progress', 'Error']} />
        <tbody>
          {all.map((j) => (
            <tr key={j.id}>
              <td>
                <Link href={`/devices/${j.device_id}`}>{j.device_id}</Link>
              </td>
              <td>{j.phase + 1}</td>
              <td>
                <span class={`badge ${j.state}`}>{j.state}</span>
              </td>
              <td>{j.progress}%</td>
              <td>{j.error ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </main>
  );
}
