import { api, query } from '../api.ts';
import { Field, Notice, parseJson, Submit, TextArea, useLoad, useSubmit, when } from '../ui.tsx';

/** A device's twin (desired and reported state) and its commands. */

interface Twin {
  desired: Record<string, unknown>;
  reported: Record<string, unknown>;
  delta: Record<string, unknown>;
  version: number;
  reported_at: string | null;
}
interface Command {
  id: string;
  name: string;
  status: string;
  result: unknown;
  created_at: string;
}
const pretty = (v: unknown) => JSON.stringify(v, null, 2);

export function TwinPanel({ base }: { base: string }) {
  const twin = useLoad(() => api<Twin>('GET', `${base}/twin`), [base]);
  const save = useSubmit(async (f) => {
    const desired = parseJson(f.desired ?? '', 'The desired state') ?? {};
    // Keys left out are cleared: the API merges, so each removed key is sent as null.
    const removed = Object.keys(twin.data?.desired ?? {}).filter((k) => !(k in (desired as object)));
    const patch = { ...Object.fromEntries(removed.map((k) => [k, null])), ...(desired as object) };
    twin.setData(await api<Twin>('PATCH', `${base}/twin`, { desired: patch, version: twin.data?.version }));
  });
  const t = twin.data;
  return (
    <section aria-labelledby="twin-title">
      <h2 id="twin-title">Twin</h2>
      {twin.error && <Notice kind="error">{twin.error}</Notice>}
      {t && (
        <div class="columns">
          <form onSubmit={save.onSubmit} key={t.version}>
            {save.error && <Notice kind="error">{save.error}</Notice>}
            <TextArea
              label={`Desired state (version ${t.version})`}
              name="desired"
              rows={8}
              defaultValue={pretty(t.desired)}
            />
            <Submit busy={save.busy}>Save desired state</Submit>
          </form>
          <div>
            <h3>Reported {t.reported_at && <span class="muted">at {when(t.reported_at)}</span>}</h3>
            <pre>{pretty(t.reported)}</pre>
            <h3>Not yet applied</h3>
            <pre>{pretty(t.delta)}</pre>
          </div>
        </div>
      )}
    </section>
  );
}

export function CommandsPanel({ base }: { base: string }) {
  const commands = useLoad(() => api<{ data: Command[] }>('GET', `${base}/commands${query({ limit: 10 })}`), [base]);
  const send = useSubmit(async (f) => {
    const params = parseJson(f.params ?? '', 'The parameters');
    // A short wait: an answer within it shows at once, a slower one later in the list.
    await api('POST', `${base}/commands`, { name: f.name, params, timeout_s: 5 });
    await commands.reload();
  });
  return (
    <section aria-labelledby="commands-title">
      <h2 id="commands-title">Commands</h2>
      <form onSubmit={send.onSubmit} class="inline">
        {send.error && <Notice kind="error">{send.error}</Notice>}
        <Field label="Command" name="name" required pattern="[\w.:\-]{1,64}" error={send.fieldErrors.name} />
        <TextArea label="Parameters (JSON)" name="params" rows={2} />
        <Submit busy={send.busy}>Send</Submit>
      </form>
      <ul class="cards">
        {commands.data?.data.map((c) => (
          <li key={c.id}>
            <strong>{c.name}</strong> <span class={`badge ${c.status}`}>{c.status}</span>
            <span class="muted">{when(c.created_at)}</span>
            {c.result !== null && c.result !== undefined && <code>{JSON.stringify(c.result)}</code>}
          </li>
        ))}
      </ul>
      {commands.data?.data.length === 0 && <p class="muted">No command sent yet.</p>}
    </section>
  );
}
