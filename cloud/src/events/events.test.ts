import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHarness } from '../testing.ts';

type Harness = Awaited<ReturnType<typeof authHarness>>;
type Ev = { id: number; type: string; subject_id: string | null; data: Record<string, unknown> };

/** Reads server-sent events from a streamed response until `enough` says so. */
async function readEvents(res: Response, enough: (events: (Ev & { sseId: string })[]) => boolean) {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const parsed = () =>
    text
      .split('\n\n')
      .filter((block) => block.includes('\ndata: {') || block.startsWith('data: {') || block.includes('id: '))
      .map((block) => {
        const line = (k: string) =>
          block
            .split('\n')
            .find((l) => l.startsWith(`${k}: `))
            ?.slice(k.length + 2);
        return { ...JSON.parse(line('data') ?? '{}'), sseId: line('id') ?? '' };
      })
      .filter((e) => e.sseId);
  while (!enough(parsed())) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value);
  }
  return parsed();
}

// On the embedded database the relay takes no row locks: its one connection would wait on itself.
describe.each(['postgres', 'embedded'] as const)('events (%s)', (database) => {
  let h: Harness;
  let owner: string;
  let orgId: string;
  const devices: string[] = [];
  const events = (query = '', token = owner) => h.call('GET', `/v1/orgs/${orgId}/events${query}`, undefined, token);

  beforeAll(async () => {
    h = await authHarness({ database });
    owner = (await h.signupAndLogin('owner@events.example')).access_token;
    orgId = (await h.call('POST', '/v1/orgs', { name: 'Events' }, owner)).body.id;
    for (const name of ['a', 'b', 'c'])
      devices.push((await h.call('POST', `/v1/orgs/${orgId}/devices`, { name }, owner)).body.id);
    await h.call('POST', `/v1/orgs/${orgId}/devices/${devices[0]}/credentials/rotate`, undefined, owner);
    await h.call('DELETE', `/v1/orgs/${orgId}/devices/${devices[2]}`, undefined, owner);
    await h.platform.events.relay();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('records device changes and lists them newest first, a page at a time, filtered', async () => {
    const all = (await events()).body.data as Ev[];
    expect(all.map((e) => e.type)).toEqual([
      'device.deleted',
      'device.credentials_rotated',
      'device.created',
      'device.created',
      'device.created',
    ]);
    expect(all[4]).toMatchObject({ subject_id: devices[0], data: { name: 'a' } });
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { data: Ev[]; next_cursor: string | null } } = await events(
        `?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.data.map((e) => e.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(all.map((e) => e.id));
    expect((await events('?type=device.deleted')).body.data.map((e: Ev) => e.subject_id)).toEqual([devices[2]]);
    expect((await events(`?subject_id=${devices[0]}`)).body.data.map((e: Ev) => e.type)).toEqual([
      'device.credentials_rotated',
      'device.created',
    ]);
    expect((await events(`?since=${new Date(Date.now() + 60_000).toISOString()}`)).body.data).toEqual([]);
    expect((await events('?type=nope')).status).toBe(400);
  });

  it('stores the device events of one turn in the order recorded, in each device’s organization, none for a deleted device', async () => {
    const [a, b, gone] = devices as [string, string, string];
    const sequence: [string, string][] = [
      [a, 'device.connected'],
      [b, 'device.connected'],
      [gone, 'device.connected'],
      [a, 'device.disconnected'],
      [a, 'device.connected'],
    ];
    // Recorded in one turn: they go into one statement.
    await Promise.all(
      sequence.map(([id, type]) =>
        h.platform.events.recordForDevice(id, {
          type: type as 'device.connected',
          subjectType: 'device',
          subjectId: id,
        }),
      ),
    );
    const listed = (await events('?limit=10')).body.data as Ev[];
    const recent = listed.filter((e) => e.type.startsWith('device.connected') || e.type === 'device.disconnected');
    expect(recent.reverse().map((e) => [e.subject_id, e.type])).toEqual(sequence.filter(([id]) => id !== gone));
    await h.platform.events.relay();
  });

  it('marks what the relay published', async () => {
    const [row] = await h.db.sql.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM events WHERE org_id = $1 AND published_at IS NULL',
      [orgId],
    );
    expect(row!.n).toBe(0);
  });

  it('streams events live, and after Last-Event-ID replays what was missed first, none twice', async () => {
    const listed = ((await events()).body.data as Ev[]).reverse(); // oldest first
    const abort = new AbortController();
    const res = await h.app.request(`/v1/orgs/${orgId}/events/stream`, {
      headers: { authorization: `Bearer ${owner}`, 'last-event-id': String(listed[1]!.id) },
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const created = h.call('POST', `/v1/orgs/${orgId}/devices`, { name: 'live' }, owner);
    const live = (await created).body.id;
    const got = await readEvents(res, (es) => es.some((e) => e.subject_id === live));
    abort.abort();
    expect(got.map((e) => e.id)).toEqual([...listed.slice(2).map((e) => e.id), got[got.length - 1]!.id]);
    expect(got.map((e) => e.sseId)).toEqual(got.map((e) => String(e.id)));
    expect(got[got.length - 1]).toMatchObject({ type: 'device.created', subject_id: live });
    expect(new Set(got.map((e) => e.id)).size).toBe(got.length);
    // The relay reads the outbox on its own: what it sent live is what the list shows, time included.
    const { sseId, ...sent } = got[got.length - 1]!;
    const stored = ((await events()).body.data as Ev[]).find((e) => e.id === sent.id);
    expect(sent).toEqual(stored);
    expect(Object.keys(sent)).toContain('created_at');
  });

  it('records a member joining through an invitation', async () => {
    await h.call('POST', `/v1/orgs/${orgId}/invitations`, { email: 'new@events.example', role: 'viewer' }, owner);
    const token = h.tokenIn((await h.lastMail('new@events.example'))!.text);
    const viewer = (await h.signupAndLogin('new@events.example')).access_token;
    expect((await h.call('POST', '/v1/invitations/accept', { token }, viewer)).status).toBe(200);
    const joined = (await events('?type=member.joined', viewer)).body.data as Ev[];
    expect(joined).toHaveLength(1);
    expect(joined[0]!.data).toEqual({ role: 'viewer' });
  });

  it('keeps events to the organization and to those who may read them', async () => {
    const other = (await h.signupAndLogin('other@events.example')).access_token;
    expect((await events('', other)).status).toBe(404);
    expect((await h.call('GET', `/v1/orgs/${orgId}/events/stream`, undefined, other)).status).toBe(404);
    const key = (await h.call('POST', `/v1/orgs/${orgId}/api-keys`, { name: 'k', scopes: ['devices:read'] }, owner))
      .body.secret;
    expect((await events('', key)).status).toBe(403);
  });
});
