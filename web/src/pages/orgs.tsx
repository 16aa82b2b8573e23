import { api } from '../api.ts';
import { navigate } from '../router.tsx';
import { useSession } from '../session.tsx';
import {
  ButtonForm,
  defaultSelected,
  Field,
  Notice,
  Select,
  Submit,
  TableHead,
  Title,
  useLoad,
  useSubmit,
  when,
} from '../ui.tsx';
import { useRoles } from './roles.tsx';

/** Organizations: create and switch; members and invitations of the current one. */

export function OrgsPage() {
  const session = useSession();
  const create = useSubmit(async (f, form) => {
    const org = await api<{ id: string }>('POST', '/v1/orgs', { name: f.name });
    await session.reload();
    session.switchOrg(org.id);
    form.reset();
    navigate('/devices');
  });
  return (
    <main>
      <Title text="Organizations" />
      {session.orgs.length === 0 && (
        <Notice>You belong to no organization yet: create one, or accept an invitation.</Notice>
      )}
      <ul class="cards">
        {session.orgs.map((o) => (
          <li key={o.id}>
            <strong>{o.name}</strong> <span class="muted">{o.role}</span>{' '}
            {session.org?.id === o.id ? (
              <span class="badge">current</span>
            ) : (
              <button type="button" class="link" onClick={() => session.switchOrg(o.id)}>
                Switch to {o.name}
              </button>
            )}
          </li>
        ))}
      </ul>
      <h2>New organization</h2>
      <form onSubmit={create.onSubmit} class="inline">
        {create.error && <Notice kind="error">{create.error}</Notice>}
        <Field label="Name" name="name" required maxLength={100} error={create.fieldErrors.name} />
        <Submit busy={create.busy}>Create organization</Submit>
      </form>
    </main>
  );
}

interface Member {
  user_id: string;
  email: string;
  name: string | null;
  role: string;
  since: string;
}
interface Invitation {
  id: string;
  email: string;
  role: string;
  expires_at: string;
}

export function MembersPage({ orgId }: { orgId: string }) {
  const session = useSession();
  const members = useLoad(() => api<{ data: Member[] }>('GET', `/v1/orgs/${orgId}/members`), [orgId]);
  const roles = (useRoles(orgId).data?.data ?? []).map((r) => r.name);
  const manage = session.org?.role === 'owner' || session.org?.role === 'admin';
  const invitations = useLoad(
    () =>
      manage ? api<{ data: Invitation[] }>('GET', `/v1/orgs/${orgId}/invitations`) : Promise.resolve({ data: [] }),
    [orgId, manage],
  );
  const invite = useSubmit(async (f, form) => {
    await api('POST', `/v1/orgs/${orgId}/invitations`, { email: f.email, role: f.role });
    form.reset();
    await invitations.reload();
  });
  const act = useSubmit(async (f) => {
    if (f.action === 'revoke') await api('DELETE', `/v1/orgs/${orgId}/invitations/${f.id}`);
    if (f.action === 'remove') await api('DELETE', `/v1/orgs/${orgId}/members/${f.id}`);
    if (f.action === 'role') await api('PATCH', `/v1/orgs/${orgId}/members/${f.id}`, { role: f.role });
    await Promise.all([members.reload(), invitations.reload()]);
  });
  return (
    <main>
      <Title text="Members" />
      {members.error && <Notice kind="error">{members.error}</Notice>}
      {act.error && <Notice kind="error">{act.error}</Notice>}
      <table>
        <TableHead
          caption={`Members of ${session.org?.name}`}
          columns={['Member', 'Role', 'Since', manage && 'Actions']}
        />
        <tbody>
          {members.data?.data.map((m) => (
            <tr key={m.user_id}>
              <td>
                {m.name ?? m.email} {m.name && <span class="muted">{m.email}</span>}
              </td>
              <td>
                {manage && m.user_id !== session.user?.id ? (
                  <form onSubmit={act.onSubmit} class="row">
                    <input type="hidden" name="action" value="role" />
                    <input type="hidden" name="id" value={m.user_id} />
                    <label class="sr-only" for={`role-${m.user_id}`}>
                      Role of {m.email}
                    </label>
                    <select id={`role-${m.user_id}`} name="role">
                      {(roles.includes(m.role) ? roles : [m.role, ...roles]).map((r) => (
                        <option key={r} {...defaultSelected(r === m.role)}>
                          {r}
                        </option>
                      ))}
                    </select>
                    <button type="submit" class="small">
                      Change
                    </button>
                  </form>
                ) : (
                  m.role
                )}
              </td>
              <td>{when(m.since)}</td>
              {manage && (
                <td>
                  {m.user_id !== session.user?.id && (
                    <ButtonForm
                      onSubmit={act.onSubmit}
                      fields={{ action: 'remove', id: m.user_id }}
                      kind="small danger"
                    >
                      Remove {m.email}
                    </ButtonForm>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {manage && (
        <>
          <h2>Invitations</h2>
          {invitations.data?.data.length ? (
            <ul class="cards">
              {invitations.data.data.map((i) => (
                <li key={i.id}>
                  {i.email}{' '}
                  <span class="muted">
                    as {i.role}, until {when(i.expires_at)}
                  </span>
                  <ButtonForm onSubmit={act.onSubmit} fields={{ action: 'revoke', id: i.id }} kind="small danger">
                    Revoke
                  </ButtonForm>
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted">No invitation is waiting.</p>
          )}
          <form onSubmit={invite.onSubmit} class="inline">
            {invite.error && <Notice kind="error">{invite.error}</Notice>}
            <Field label="Email to invite" name="email" type="email" required />
            <Select label="Role" name="role" chosen="viewer" options={roles.filter((r) => r !== 'owner')} />
            <Submit busy={invite.busy}>Send invitation</Submit>
          </form>
        </>
      )}
    </main>
  );
}
