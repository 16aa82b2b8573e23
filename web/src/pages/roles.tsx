import { api } from '../api.ts';
import { useSession } from '../session.tsx';
import {
  ButtonForm,
  Checks,
  DataTable,
  ErrorNotice,
  Field,
  FormError,
  Notice,
  Submit,
  Title,
  ticked,
  useLoad,
  useSubmit,
} from '../ui.tsx';

/** Roles: the built-in ones, and the organization's own, made of the same permissions. */

export interface Role {
  name: string;
  permissions: string[];
  builtin: boolean;
}

/** The organization's roles, built-in first, as the API lists them. */
export function useRoles(orgId: string) {
  return useLoad(() => api<{ data: Role[] }>('GET', `/v1/orgs/${orgId}/roles`), [orgId]);
}

export function RolesPage({ orgId }: { orgId: string }) {
  const session = useSession();
  const roles = useRoles(orgId);
  const manage = session.org?.role === 'owner' || session.org?.role === 'admin';
  // Every permission there is: the owner holds them all.
  const permissions = (roles.data?.data.find((r) => r.name === 'owner')?.permissions ?? []).map(
    (p): [string, string] => [p, ''],
  );
  const save = useSubmit(async (f, form) => {
    const chosen = ticked(f, permissions);
    if (chosen.length === 0) throw new FormError('Choose at least one permission.');
    await api('PUT', `/v1/orgs/${orgId}/roles/${encodeURIComponent(f.name ?? '')}`, { permissions: chosen });
    form.reset();
    await roles.reload();
  });
  const remove = useSubmit(async (f) => {
    await api('DELETE', `/v1/orgs/${orgId}/roles/${encodeURIComponent(f.name ?? '')}`);
    await roles.reload();
  });
  return (
    <main>
      <Title text="Roles" />
      <ErrorNotice of={[roles.error, remove.error]} />
      <DataTable
        caption="Roles and their permissions"
        columns={['Role', 'Permissions', manage && 'Actions']}
        rows={roles.data?.data}
        empty="No role."
        row={(r) => (
          <tr key={r.name}>
            <td>
              {r.name} {r.builtin && <span class="badge">built-in</span>}
            </td>
            <td>{r.permissions.join(', ')}</td>
            {manage && (
              <td>
                {!r.builtin && (
                  <ButtonForm onSubmit={remove.onSubmit} fields={{ name: r.name }} kind="small danger">
                    Delete {r.name}
                  </ButtonForm>
                )}
              </td>
            )}
          </tr>
        )}
      />
      {manage && permissions.length > 0 && (
        <>
          <h2>New role</h2>
          <p class="muted">The same name again replaces that role's permissions. Assign roles on the members page.</p>
          <form onSubmit={save.onSubmit}>
            {save.error && <Notice kind="error">{save.error}</Notice>}
            <Field
              label="Role name"
              name="name"
              required
              pattern="[a-z][a-z0-9_\-]{1,31}"
              hint="2-32 lower-case letters, digits, _ or -"
              error={save.fieldErrors.name}
            />
            <Checks legend="Permissions" options={permissions} />
            <Submit busy={save.busy}>Save role</Submit>
          </form>
        </>
      )}
    </main>
  );
}
