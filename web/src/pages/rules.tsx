import { api } from '../api.ts';
import {
  ButtonForm,
  DataTable,
  ErrorNotice,
  Field,
  FormError,
  Notice,
  Select,
  Submit,
  Title,
  useLoad,
  useSubmit,
} from '../ui.tsx';
import { tagsOf } from './devices.tsx';
import { useGroups } from './groups.tsx';

/** Rules on live telemetry: listed, and a threshold rule made here (other kinds through the API). */

export const SEVERITIES = ['info', 'warning', 'minor', 'major', 'critical'];
const OPS: [op: string, text: string][] = [
  ['gt', 'above'],
  ['gte', 'at or above'],
  ['lt', 'below'],
  ['lte', 'at or below'],
];

interface Rule {
  id: string;
  name: string;
  enabled: boolean;
  kind: string;
  metric: string | null;
  params: Record<string, unknown>;
  severity: string;
}

export function useRules(orgId: string) {
  return useLoad(() => api<{ data: Rule[] }>('GET', `/v1/orgs/${orgId}/rules`), [orgId]);
}

export function RulesPage({ orgId }: { orgId: string }) {
  const rules = useRules(orgId);
  const groups = useGroups(orgId);
  const create = useSubmit(async (f, form) => {
    const tags = tagsOf(f.tags);
    if (!f.group_id && tags.length === 0) throw new FormError('Choose a group or name tags of the devices to watch.');
    await api('POST', `/v1/orgs/${orgId}/rules`, {
      name: f.name,
      kind: 'threshold',
      metric: f.metric,
      params: { op: f.op, value: Number(f.value), for_s: Number(f.for_s || 0) },
      target: f.group_id ? { group_id: f.group_id } : { tags },
      severity: f.severity,
    });
    form.reset();
    await rules.reload();
  });
  const change = useSubmit(async (f) => {
    if (f.action === 'delete') await api('DELETE', `/v1/orgs/${orgId}/rules/${f.id}`);
    else await api('PATCH', `/v1/orgs/${orgId}/rules/${f.id}`, { enabled: f.action === 'enable' });
    await rules.reload();
  });
  return (
    <main>
      <Title text="Rules" />
      <ErrorNotice of={[rules.error, change.error]} />
      <DataTable
        caption="Rules"
        columns={['Rule', 'Condition', 'Severity', 'State', 'Actions']}
        rows={rules.data?.data}
        empty="No rule yet."
        row={(r) => (
          <tr key={r.id}>
            <td>{r.name}</td>
            <td>
              <Condition rule={r} />
            </td>
            <td>
              <span class={`badge ${r.severity}`}>{r.severity}</span>
            </td>
            <td>{r.enabled ? 'on' : 'off'}</td>
            <td>
              <div class="row">
                <ButtonForm onSubmit={change.onSubmit} fields={{ id: r.id, action: r.enabled ? 'disable' : 'enable' }}>
                  {r.enabled ? 'Turn off' : 'Turn on'} {r.name}
                </ButtonForm>
                <ButtonForm onSubmit={change.onSubmit} fields={{ id: r.id, action: 'delete' }} kind="small danger">
                  Delete {r.name}
                </ButtonForm>
              </div>
            </td>
          </tr>
        )}
      />
      <h2>New threshold rule</h2>
      <form onSubmit={create.onSubmit}>
        {create.error && <Notice kind="error">{create.error}</Notice>}
        <div class="inline">
          <Field label="Rule name" name="name" required maxLength={100} />
          <Field label="Metric" name="metric" required maxLength={64} />
          <Select label="When it is" name="op" options={OPS} />
          <Field label="Value" name="value" type="number" step="any" required />
          <Field label="For seconds" name="for_s" type="number" min={0} max={604800} defaultValue="0" />
          <Select label="Rule severity" name="severity" chosen="warning" options={SEVERITIES} />
        </div>
        <div class="inline">
          <Select
            label="Devices of the group"
            name="group_id"
            options={[['', 'None'], ...(groups.data?.data ?? []).map((g): [string, string] => [g.id, g.name])]}
          />
          <Field label="Or devices with tags" name="tags" hint="Separated by commas" />
        </div>
        <Submit busy={create.busy}>Create rule</Submit>
      </form>
    </main>
  );
}

/** A rule's condition in words for a threshold, else its kind and parameters. */
function Condition({ rule: { kind, metric, params } }: { rule: Rule }) {
  const op = OPS.find(([o]) => o === params.op)?.[1];
  if (kind === 'threshold' && op)
    return (
      <>
        <code>{metric}</code> {op} {String(params.value)}
        {Number(params.for_s) > 0 && ` for ${params.for_s} s`}
      </>
    );
  return (
    <>
      {kind} {metric && <code>{metric}</code>} <code>{JSON.stringify(params)}</code>
    </>
  );
}
