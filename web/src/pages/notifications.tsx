import { useEffect, useState } from 'preact/hooks';
import { api, type Page, query } from '../api.ts';
import { Link } from '../router.tsx';
import { ButtonForm, DataTable, ErrorNotice, Pager, Title, useLoad, useSubmit, when } from '../ui.tsx';

/** The signed-in person's inbox: every notification, newest first, marked read one by one or all. */

interface Notification {
  id: string;
  severity: string | null;
  title: string;
  body: string | null;
  link: string | null;
  created_at: string;
  read_at: string | null;
}

/** Said on the window when this page marked notifications read, so the unread count is read again. */
const MARKED = 'iotp:notifications-marked';

/** How many notifications are unread, read again on each page shown; none asked while signed out. */
export function useUnread(path: string, signedIn: boolean) {
  const unread = useLoad(
    () => (signedIn ? api<{ unread: number }>('GET', '/v1/me/notifications/unread-count') : Promise.resolve(undefined)),
    [path, signedIn],
  );
  const { reload } = unread;
  useEffect(() => {
    window.addEventListener(MARKED, reload);
    return () => window.removeEventListener(MARKED, reload);
  }, [reload]);
  return unread;
}

export function NotificationsPage() {
  const [unreadOnly, setUnreadOnly] = useState(false);
  const [cursor, setCursor] = useState<string>();
  const list = useLoad(
    () =>
      api<Page<Notification>>(
        'GET',
        `/v1/me/notifications${query({ unread: unreadOnly ? 'true' : undefined, cursor, limit: 50 })}`,
      ),
    [unreadOnly, cursor],
  );
  const mark = useSubmit(async (f) => {
    await api('POST', f.id ? `/v1/me/notifications/${f.id}/read` : '/v1/me/notifications/read-all');
    window.dispatchEvent(new Event(MARKED));
    await list.reload();
  });
  return (
    <main>
      <Title text="Notifications" />
      <div class="row">
        <label class="check">
          <input
            type="checkbox"
            checked={unreadOnly}
            onChange={(e) => {
              setCursor(undefined);
              setUnreadOnly(e.currentTarget.checked);
            }}
          />{' '}
          Unread only
        </label>
        <ButtonForm onSubmit={mark.onSubmit} fields={{}}>
          Mark all read
        </ButtonForm>
      </div>
      <ErrorNotice of={[list.error, mark.error]} />
      <DataTable
        caption="Your notifications"
        columns={['Notification', 'Severity', 'When', 'Actions']}
        rows={list.data?.data}
        empty="Nothing here."
        row={(n) => (
          <tr key={n.id} class={n.read_at ? undefined : 'unread'}>
            <td>
              {n.link?.startsWith('/') ? <Link href={n.link}>{n.title}</Link> : n.title}
              {n.body && <div class="muted">{n.body}</div>}
            </td>
            <td>{n.severity && <span class={`badge ${n.severity}`}>{n.severity}</span>}</td>
            <td>{when(n.created_at)}</td>
            <td>
              {n.read_at ? (
                <span class="muted">read</span>
              ) : (
                <ButtonForm onSubmit={mark.onSubmit} fields={{ id: n.id }}>
                  Mark read: {n.title}
                </ButtonForm>
              )}
            </td>
          </tr>
        )}
      />
      <Pager next={list.data?.next_cursor} at={cursor} onPage={setCursor} />
    </main>
  );
}
