import { api, type Device, type Page } from '../api.ts';
import { Link } from '../router.tsx';
import {
  ButtonForm,
  DataTable,
  ErrorNotice,
  Field,
  Notice,
  Select,
  Submit,
  Title,
  useLoad,
  useSubmit,
} from '../ui.tsx';
import { OnlineBadge, tagsOf } from './devices.tsx';

/** Groups of devices: static ones filled by hand, dynamic ones of every device with their tags. */

export interface Group {
  id: string;
  name: string;
  kind: 'static' | 'dynamic';
  tags: string[];
}

export function useGroups(orgId: string) {
  return useLoad(() => api<{ data: Group[] }>('GET', `/v1/orgs/${orgId}/groups`), [orgId]);
}

export function GroupsPage({ orgId }: { orgId: string }) {
  const groups = useGroups(orgId);
  const create = useSubmit(async (f, form) => {
    await api('POST', `/v1/orgs/${orgId}/groups`, { name: f.name, kind: f.kind, tags: tagsOf(f.tags) });
    form.reset();
    await groups.reload();
  });
  const remove = useSubmit(async (f) => {
    await api('DELETE', `/v1/orgs/${orgId}/groups/${f.id}`);
    await groups.reload();
  });
  return (
    <main>
      <Title text="Device groups" />
      <ErrorNotice of={[groups.error, remove.error]} />
      <DataTable
        caption="Device groups"
        columns={['Group', 'Kind', 'Tags', 'Actions']}
        rows={groups.data?.data}
        empty="No group yet."
        row={(g) => (
          <tr key={g.id}>
            <td>
              <Link href={`/groups/${g.id}`}>{g.name}</Link>
            </td>
            <td>{g.kind}</td>
            <td>{g.tags.join(', ')}</td>
            <td>
              <ButtonForm onSubmit={remove.onSubmit} fields={{ id: g.id }} kind="small danger">
                Delete {g.name}
              </ButtonForm>
            </td>
          </tr>
        )}
      />
      <h2>New group</h2>
      <form onSubmit={create.onSubmit} class="inline">
        {create.error && <Notice kind="error">{create.error}</Notice>}
        <Field label="Group name" name="name" required maxLength={100} error={create.fieldErrors.name} />
        <Select
          label="Kind"
          name="kind"
          options={[
            ['static', 'Static: devices added by hand'],
            ['dynamic', 'Dynamic: every device with all the tags'],
          ]}
        />
        <Field
          label="Group tags"
          name="tags"
          hint="Dynamic groups: separated by commas"
          error={create.fieldErrors.tags}
        />
        <Submit busy={create.busy}>Create group</Submit>
      </form>
    </main>
  );
}

/** One group: its devices; a static group's are added and taken out here. */
export function GroupPage({ orgId, id }: { orgId: string; id: string }) {
  const group = useLoad(
    () =>
      Promise.all([
        api<{ data: Group[] }>('GET', `/v1/orgs/${orgId}/groups`).then((l) => l.data.find((g) => g.id === id)),
        api<{ data: Device[] }>('GET', `/v1/orgs/${orgId}/groups/${id}/devices`),
      ]),
    [orgId, id],
  );
  const fleet = useLoad(() => api<Page<Device>>('GET', `/v1/orgs/${orgId}/devices?limit=500`), [orgId]);
  const change = useSubmit(async (f) => {
    await api(f.action === 'remove' ? 'DELETE' : 'PUT', `/v1/orgs/${orgId}/groups/${id}/devices/${f.device}`);
    await group.reload();
  });
  const edit = useSubmit(async (f) => {
    await api('PATCH', `/v1/orgs/${orgId}/groups/${id}`, {
      name: f.name,
      ...(f.tags === undefined ? {} : { tags: tagsOf(f.tags) }),
    });
    await group.reload();
  });
  const [g, members] = group.data ?? [];
  const outside = fleet.data?.data.filter((d) => !members?.data.some((m) => m.id === d.id)) ?? [];
  return (
    <main>
      <Title text={g ? `Group ${g.name}` : 'Group'} />
      <p>
        <Link href="/groups">All groups</Link>
      </p>
      <ErrorNotice of={[group.error, change.error]} />
      {g?.kind === 'dynamic' && <Notice>Every device with the tags {g.tags.join(', ')} is in this group.</Notice>}
      <DataTable
        caption="Devices in the group"
        columns={['Device', 'State', g?.kind === 'static' && 'Actions']}
        rows={members?.data}
        empty="No device in this group."
        row={(d) => (
          <tr key={d.id}>
            <td>
              <Link href={`/devices/${d.id}`}>{d.name}</Link>
            </td>
            <td>
              <OnlineBadge online={d.online} />
            </td>
            {g?.kind === 'static' && (
              <td>
                <ButtonForm onSubmit={change.onSubmit} fields={{ action: 'remove', device: d.id }} kind="small danger">
                  Take {d.name} out
                </ButtonForm>
              </td>
            )}
          </tr>
        )}
      />
      {g?.kind === 'static' && outside.length > 0 && (
        <form onSubmit={change.onSubmit} class="inline">
          <input type="hidden" name="action" value="add" />
          <Select label="Device to add" name="device" options={outside.map((d): [string, string] => [d.id, d.name])} />
          <Submit busy={change.busy}>Add to group</Submit>
        </form>
      )}
      {g && (
        <>
          <h2>Change the group</h2>
          <form onSubmit={edit.onSubmit} class="inline" key={`${g.name}:${g.tags.join()}`}>
            {edit.error && <Notice kind="error">{edit.error}</Notice>}
            <Field label="Group name" name="name" defaultValue={g.name} required maxLength={100} />
            {g.kind === 'dynamic' && (
              <Field
                label="Group tags"
                name="tags"
                defaultValue={g.tags.join(', ')}
                hint="Separated by commas"
                error={edit.fieldErrors.tags}
              />
            )}
            <Submit busy={edit.busy}>Save group</Submit>
          </form>
        </>
      )}
    </main>
  );
}
