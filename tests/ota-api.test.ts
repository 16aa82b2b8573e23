import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { promisify } from 'node:util';
import { putOnPlan } from '@iotp/cloud/testing';
import { tempDir } from '@iotp/db/testing';
import { createClient, ok } from '@iotp/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiClient,
  creds,
  metric,
  sseEvents,
  startNodes,
  startTestPlatform,
  type TestPlatform,
  until,
} from './helpers.ts';
import { signedFirmware, signingKey, startS3 } from './ota-fixtures.ts';

const run = promisify(execFile);

/** Sends `bytes` from byte `from` of a `total`-byte upload to `url`, then cuts the connection before the rest. */
async function cutUpload(url: string, token: string, bytes: Buffer, from: number, total: number) {
  const req = request(url, {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/octet-stream',
      'content-range': `bytes ${from}-${total - 1}/${total}`,
      'content-length': String(total - from),
    },
  });
  req.on('error', () => undefined);
  await new Promise((sent) => req.write(bytes, sent));
  // The bytes reach the platform, which keeps them once the connection is cut.
  await new Promise((r) => setTimeout(r, 300));
  req.destroy();
}

/**
 * The OTA service with simulated devices (plain MQTT clients): releases, downloads, rollouts, state
 * machine; on PostgreSQL and on the embedded database `npm start` uses.
 */
describe.each(['postgres', 'embedded'] as const)('OTA service on %s', (database) => {
  let p: TestPlatform;
  let s3: Awaited<ReturnType<typeof startS3>>;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let api: ReturnType<typeof apiClient>;
  let base: string;
  let key: Awaited<ReturnType<typeof signingKey>>;

  const upload = (releaseId: string, bytes: Buffer) =>
    fetch(`http://127.0.0.1:${p.httpPort}${base}/ota/releases/${releaseId}/artifact`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/octet-stream' },
      body: new Uint8Array(bytes),
    });

  /** A signed release, registered and uploaded. */
  async function release(version: string, content?: string, hardware?: string[]) {
    const fw = await signedFirmware(dir.path, key.privateKey, { version, content, hardware });
    const created = await api.call('POST', `${base}/ota/releases`, fw.manifest);
    expect(created.status).toBe(201);
    expect((await upload(created.body.id, fw.bytes)).status).toBe(200);
    return { ...created.body, bytes: fw.bytes };
  }

  /** A device in the test organization, connected and listening to its jobs. */
  async function device(name: string, type = 'pi4') {
    const created = (await api.call('POST', `${base}/devices`, { name, type })).body;
    const client = await p.connect(creds({ id: created.id, secret: created.mqtt.password }));
    const jobs: Record<string, unknown>[] = [];
    client.on('message', (_t, payload) => jobs.push(JSON.parse(payload.toString())));
    await client.subscribeAsync(`devices/${created.id}/ota/job`, { qos: 1 });
    const report = (job: string, state: string, extra: object = {}) =>
      client.publishAsync(`devices/${created.id}/ota/status`, JSON.stringify({ job_id: job, state, ...extra }), {
        qos: 1,
      });
    /** What its agent reports in the twin, once the platform has it. */
    const reported = async (doc: object) => {
      await client.publishAsync(`devices/${created.id}/twin/reported`, JSON.stringify(doc), { qos: 1 });
      await until(
        async () => (await api.call('GET', `${base}/devices/${created.id}/twin`)).body.reported?.hardware !== undefined,
        'the reported twin',
      );
    };
    return { id: created.id as string, secret: created.mqtt.password as string, client, jobs, report, reported };
  }

  beforeAll(async () => {
    dir = await tempDir();
    s3 = await startS3(dir.path);
    p = await startTestPlatform(database, {
      // One run streams artifacts through the API, the other sends devices to object storage.
      OTA_DOWNLOAD_REDIRECT: database === 'embedded' ? 'true' : 'false',
      ...s3.env,
      OTA_TICK_MS: '100',
      OTA_URL_TTL_S: '60',
    });
    api = apiClient(p);
    await api.signIn('ota@example.com');
    const orgId = (await api.call('POST', '/v1/orgs', { name: 'Fleet' })).body.id;
    base = `/v1/orgs/${orgId}`;
    // More rollouts than the free plan's two a month.
    await putOnPlan(p.db.sql, orgId, 'enterprise');
    key = await signingKey(dir.path);
    expect((await api.call('POST', `${base}/ota/keys`, { name: 'ci', public_key: key.pem })).status).toBe(201);
  });
  afterAll(async () => {
    await p?.stop();
    await s3?.close();
    await dir?.remove();
  });

  it('refuses unsigned, foreign-signed, altered and duplicate releases, and bytes that do not match', async () => {
    const fw = await signedFirmware(dir.path, key.privateKey, { version: '1.0.0' });
    const { signature: _s, ...unsigned } = fw.manifest;
    const r1 = await api.call('POST', `${base}/ota/releases`, unsigned);
    expect([r1.status, r1.body.type]).toEqual([400, expect.stringContaining('unsigned-release')]);
    const other = await signingKey(dir.path, 'stranger');
    const foreign = await signedFirmware(dir.path, other.privateKey, { version: '1.0.1' });
    const r2 = await api.call('POST', `${base}/ota/releases`, foreign.manifest);
    expect([r2.status, r2.body.type]).toEqual([400, expect.stringContaining('bad-signature')]);
    expect(r2.body.detail).toMatch(/not trusted/);
    const r3 = await api.call('POST', `${base}/ota/releases`, { ...fw.manifest, version: '9.9.9' });
    expect(r3.body.detail).toMatch(/changed after signing/);
    const created = await api.call('POST', `${base}/ota/releases`, fw.manifest);
    expect(created.status).toBe(201);
    expect((await api.call('POST', `${base}/ota/releases`, fw.manifest)).status).toBe(409);
    const wrong = await upload(created.body.id, Buffer.from('not the firmware'));
    expect(wrong.status).toBe(400);
    expect((await wrong.json()).type).toMatch(/artifact-mismatch/);
    expect((await upload(created.body.id, fw.bytes)).status).toBe(200);
    const shown = await api.call('GET', `${base}/ota/releases/${created.body.id}`);
    expect(shown.body.status).toBe('ready');
  });

  it('hands a connected device its job with a signed URL that serves ranges, and walks the state machine', async () => {
    const rel = await release('2.0.0', 'x'.repeat(5000));
    const d = await device('walker');
    const rollout = await api.call('POST', `${base}/ota/rollouts`, {
      release_id: rel.id,
      target: { device_ids: [d.id] },
    });
    expect(rollout.status).toBe(201);
    await until(() => d.jobs.length > 0, 'job');
    const job = d.jobs[0] as { job_id: string; url: string; sha256: string; manifest: { signature: unknown } };
    expect(job.sha256).toBe(rel.sha256);
    expect(job.manifest.signature).toBeDefined();
    const full = await fetch(job.url);
    expect([full.status, full.headers.get('accept-ranges')]).toEqual([200, 'bytes']);
    expect(full.redirected).toBe(database === 'embedded');
    expect(Buffer.from(await full.arrayBuffer())).toEqual(rel.bytes);
    const part = await fetch(job.url, { headers: { range: 'bytes=4000-' } });
    expect([part.status, part.headers.get('content-range')]).toEqual([206, 'bytes 4000-4999/5000']);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(rel.bytes.subarray(4000));
    expect((await fetch(job.url, { headers: { range: 'bytes=9000-' } })).status).toBe(416);
    const forged = await fetch(job.url.replace(/token=.*/, 'token=abc'));
    expect([forged.status, (await forged.json()).type]).toEqual([403, expect.stringContaining('download-url-expired')]);

    for (const state of ['downloading', 'downloaded', 'verifying', 'installing', 'rebooting'])
      await d.report(job.job_id, state, { progress: 50 });
    // Going back is refused with a counted reason; nothing changes.
    await d.report(job.job_id, 'downloading');
    await until(async () => (await metric(p, 'ota_status_rejected_total{reason="invalid_transition"}')) === 1);
    await d.report(job.job_id, 'succeeded');
    await until(
      async () => (await api.call('GET', `${base}/ota/rollouts/${rollout.body.id}`)).body.status === 'completed',
    );
    const summary = (await api.call('GET', `${base}/ota/rollouts/${rollout.body.id}`)).body;
    expect(summary.counts).toEqual({ total: 1, succeeded: 1 });
    expect((await api.call('GET', `${base}/devices/${d.id}`)).body.firmware_version).toBe('2.0.0');
    await d.report(job.job_id, 'failed');
    await until(async () => (await metric(p, 'ota_status_rejected_total{reason="job_finished"}')) === 1);
    await d.report('00000000-0000-0000-0000-000000000000', 'downloading');
    await d.client.publishAsync(`devices/${d.id}/ota/status`, 'not json', { qos: 1 });
    // Asking for the jobs again works once, then not again within a few seconds.
    await d.client.publishAsync(`devices/${d.id}/ota/request`, '{}', { qos: 1 });
    await d.client.publishAsync(`devices/${d.id}/ota/request`, '{}', { qos: 1 });
    await until(async () => (await metric(p, 'ota_status_rejected_total{reason="request_too_soon"}')) === 1);
    await until(async () => (await metric(p, 'ota_status_rejected_total{reason="not_json"}')) === 1);
    const audit = (await api.call('GET', `${base}/audit?action=ota.job`)).body.data;
    expect(audit.map((a: { action: string }) => a.action)).toContain('ota.job.succeeded');
  });

  it('pauses a staged rollout when failures pass the threshold, and an offline device gets its job on connect', async () => {
    const rel = await release('3.0.0');
    const devices = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((n) => device(`stage-${n}`)));
    const rollout = (
      await api.call('POST', `${base}/ota/rollouts`, {
        release_id: rel.id,
        target: { device_ids: devices.map((d) => d.id) },
        phases: [
          { percent: 40, failure_threshold: 0.4 },
          { percent: 100, failure_threshold: 0.4 },
        ],
      })
    ).body;
    expect(rollout.counts.total).toBe(2); // phase 1: 40% of 5
    await until(() => devices.filter((d) => d.jobs.length > 0).length === 2, 'two jobs');
    const [ok, bad] = devices.filter((d) => d.jobs.length > 0) as [(typeof devices)[0], (typeof devices)[0]];
    await ok.report((ok.jobs[0] as { job_id: string }).job_id, 'succeeded');
    await bad.report((bad.jobs[0] as { job_id: string }).job_id, 'failed', { error: 'flash write error' });
    await until(async () => (await api.call('GET', `${base}/ota/rollouts/${rollout.id}`)).body.status === 'paused');
    const paused = (await api.call('GET', `${base}/ota/rollouts/${rollout.id}`)).body;
    expect(paused.status_reason).toMatch(/1 of 2 devices failed in phase 1/);
    const jobs = (await api.call('GET', `${base}/ota/rollouts/${rollout.id}/devices?state=failed`)).body.data;
    expect(jobs).toEqual([expect.objectContaining({ device_id: bad.id, error: 'flash write error' })]);

    // Resume by hand: the next phase goes to the rest; one of them is offline until later.
    const late = devices.find((d) => d.jobs.length === 0)!;
    await late.client.endAsync();
    await api.call('POST', `${base}/ota/rollouts/${rollout.id}/resume`);
    await api.call('POST', `${base}/ota/rollouts/${rollout.id}/advance`);
    await until(async () => (await api.call('GET', `${base}/ota/rollouts/${rollout.id}`)).body.counts.total === 5);
    expect(late.jobs).toHaveLength(0);
    const back = await p.connect(creds(late));
    const received: string[] = [];
    back.on('message', (_t, payload) => received.push(JSON.parse(payload.toString()).job_id));
    await back.subscribeAsync(`devices/${late.id}/ota/job`, { qos: 1 });
    await until(() => received.length === 1, 'job on reconnect');
    const lateJob = (await api.call('GET', `${base}/ota/rollouts/${rollout.id}/devices`)).body.data.find(
      (j: { device_id: string }) => j.device_id === late.id,
    );
    expect(received).toEqual([lateJob.id]);
  });

  it('keeps to max_concurrent, picks up devices that join the target later, and cancels open jobs on abort', async () => {
    const rel = await release('6.0.0');
    const tag = 'late-joiners';
    const tagged = async (name: string) => {
      const d = await device(name);
      await api.call('PATCH', `${base}/devices/${d.id}`, { tags: [tag] });
      return d;
    };
    const first = await Promise.all(['j1', 'j2', 'j3'].map(tagged));
    const rollout = (
      await api.call('POST', `${base}/ota/rollouts`, { release_id: rel.id, target: { tags: [tag] }, max_concurrent: 1 })
    ).body;
    expect(rollout.counts).toEqual({ total: 1, pending: 1 });
    await until(() => first.some((d) => d.jobs.length > 0), 'first job');
    const busy = first.find((d) => d.jobs.length > 0)!;
    await busy.report((busy.jobs[0] as { job_id: string }).job_id, 'succeeded');
    await until(async () => (await api.call('GET', `${base}/ota/rollouts/${rollout.id}`)).body.counts.total === 2);
    // A device tagged after the start joins at its place in the order.
    const late = await tagged('j4');
    await until(
      async () => (await api.call('GET', `${base}/ota/rollouts/${rollout.id}/devices`)).body.data.length >= 2,
    );
    const aborted = await api.call('POST', `${base}/ota/rollouts/${rollout.id}/abort`);
    expect(aborted.body.status).toBe('aborted');
    const jobs = (await api.call('GET', `${base}/ota/rollouts/${rollout.id}/devices`)).body.data;
    expect(jobs.filter((j: { state: string }) => j.state === 'cancelled')).toHaveLength(1);
    const cancelled = () => [...first, late].some((d) => d.jobs.some((j) => (j as { cancel?: boolean }).cancel));
    await until(cancelled, 'cancel sent to the device');
    expect((await api.call('POST', `${base}/ota/rollouts/${rollout.id}/resume`)).status).toBe(409);
    // Later ticks leave an aborted rollout alone, even with a device joining.
    await tagged('j5');
    await new Promise((r) => setTimeout(r, 300));
    expect((await api.call('GET', `${base}/ota/rollouts/${rollout.id}`)).body.counts.total).toBe(jobs.length);
  });

  it('hands the update of a completed rollout to a device tagged after it completed', async () => {
    const rel = await release('6.9.0');
    const first = await device('done-early');
    await api.call('PATCH', `${base}/devices/${first.id}`, { tags: ['completed-later'] });
    const rollout = (
      await api.call('POST', `${base}/ota/rollouts`, { release_id: rel.id, target: { tags: ['completed-later'] } })
    ).body;
    await until(() => first.jobs.length > 0, 'the first job');
    await first.report((first.jobs[0] as { job_id: string }).job_id, 'succeeded');
    await until(
      async () => (await api.call('GET', `${base}/ota/rollouts/${rollout.id}`)).body.status === 'completed',
      'completed',
    );
    const late = await device('tagged-later');
    await api.call('PATCH', `${base}/devices/${late.id}`, { tags: ['completed-later'] });
    await until(() => late.jobs.length > 0, 'the late device gets the update');
    expect((late.jobs[0] as { version: string }).version).toBe('6.9.0');
  });

  it('lets a newer rollout take over a job an offline device never started', async () => {
    const [older, newer] = [await release('6.7.0'), await release('6.8.0')];
    const d = await device('sleeper');
    await d.client.endAsync();
    const first = (
      await api.call('POST', `${base}/ota/rollouts`, { release_id: older.id, target: { device_ids: [d.id] } })
    ).body;
    const second = (
      await api.call('POST', `${base}/ota/rollouts`, { release_id: newer.id, target: { device_ids: [d.id] } })
    ).body;
    const jobsOf = async (r: { id: string }) =>
      (await api.call('GET', `${base}/ota/rollouts/${r.id}/devices`)).body.data as {
        id: string;
        state: string;
        error: string;
      }[];
    expect(await jobsOf(first)).toEqual([
      expect.objectContaining({ state: 'cancelled', error: 'superseded by a newer rollout' }),
    ]);
    const [current] = await jobsOf(second);
    expect(current!.state).toBe('pending');
    const back = await p.connect(creds(d));
    const received: { job_id: string; version: string }[] = [];
    back.on('message', (_t, payload) => received.push(JSON.parse(payload.toString())));
    await back.subscribeAsync(`devices/${d.id}/ota/job`, { qos: 1 });
    await until(() => received.length > 0, 'job on reconnect');
    await new Promise((r) => setTimeout(r, 200));
    expect(received.map((j) => [j.job_id, j.version])).toEqual([[current!.id, '6.8.0']]);
  });

  it('fails a job whose device stopped reporting mid-update', async () => {
    const rel = await release('6.6.0');
    const d = await device('silent');
    const rollout = (
      await api.call('POST', `${base}/ota/rollouts`, { release_id: rel.id, target: { device_ids: [d.id] } })
    ).body;
    expect(rollout.progress_timeout_s).toBe(3600);
    await until(() => d.jobs.length > 0, 'job');
    const jobId = (d.jobs[0] as { job_id: string }).job_id;
    await d.report(jobId, 'downloading', { progress: 10 });
    await until(
      async () =>
        (await api.call('GET', `${base}/ota/rollouts/${rollout.id}/devices`)).body.data[0].state === 'downloading',
    );
    // An hour and more of silence, without waiting an hour.
    await p.db.sql.query("UPDATE ota_jobs SET updated_at = now() - interval '2 hours' WHERE id = $1", [jobId]);
    await until(
      async () => (await api.call('GET', `${base}/ota/rollouts/${rollout.id}/devices`)).body.data[0].state === 'failed',
    );
    const job = (await api.call('GET', `${base}/ota/rollouts/${rollout.id}/devices`)).body.data[0];
    expect(job.error).toBe('no report for 3600 s');
  });

  it('targets a group, and aborts by itself when on_failure says so (through the SDK)', async () => {
    const sdk = createClient({ baseUrl: `http://127.0.0.1:${p.httpPort}`, token: api.token });
    const orgId = base.split('/')[3] ?? '';
    const rel = await release('6.5.0');
    const [a, b] = await Promise.all([device('grp-a'), device('grp-b')]);
    await device('not-in-group');
    const group = ok(
      await sdk.POST('/v1/orgs/{orgId}/groups', {
        params: { path: { orgId } },
        body: { name: 'canary', kind: 'static' },
      }),
    );
    for (const d of [a, b]) {
      const params = { path: { orgId, groupId: group.id, id: d.id } };
      ok(await sdk.PUT('/v1/orgs/{orgId}/groups/{groupId}/devices/{id}', { params }));
    }
    const rollout = ok(
      await sdk.POST('/v1/orgs/{orgId}/ota/rollouts', {
        params: { path: { orgId } },
        body: {
          release_id: rel.id,
          target: { group_id: group.id },
          on_failure: 'abort',
          phases: [{ percent: 100, failure_threshold: 0 }],
        },
      }),
    ) as { id: string; counts: Record<string, number> }; // created (201), not a dry run's plan (200)
    expect(rollout.counts.total).toBe(2);
    await until(() => a.jobs.length > 0 && b.jobs.length > 0, 'jobs');
    await a.report((a.jobs[0] as { job_id: string }).job_id, 'rolled_back', { error: 'health check failed' });
    const summary = async () =>
      ok(await sdk.GET('/v1/orgs/{orgId}/ota/rollouts/{id}', { params: { path: { orgId, id: rollout.id } } }));
    await until(async () => (await summary()).status === 'aborted');
    expect((await summary()).counts).toEqual({ total: 2, rolled_back: 1, cancelled: 1 });
    await until(() => b.jobs.some((j) => (j as { cancel?: boolean }).cancel), 'cancel sent');
    // Errors come back typed as problems.
    const missing = await sdk.GET('/v1/orgs/{orgId}/ota/rollouts/{id}', {
      params: { path: { orgId, id: crypto.randomUUID() } },
    });
    expect([missing.response.status, missing.error?.type]).toEqual([404, expect.stringMatching(/not-found$/)]);
  });

  it('publishes and steers rollouts from the firmware-tools CLI with an org API key', async () => {
    const apiKey = (await api.call('POST', `${base}/api-keys`, { name: 'ci', scopes: ['ota:deploy', 'ota:read'] })).body
      .secret;
    const fw = await signedFirmware(dir.path, key.privateKey, { version: '5.0.0', content: 'y'.repeat(200_000) });
    /** firmware-tools with --json; `human` without. */
    const tool = (args: string[]) =>
      run(process.execPath, ['--conditions=@iotp/source', '--import', 'tsx', 'firmware-tools/src/bin.ts', ...args], {
        env: {
          ...process.env,
          IOTP_URL: `http://127.0.0.1:${p.httpPort}`,
          IOTP_ORG: base.split('/').pop(),
          IOTP_API_KEY: apiKey,
        },
      }).then(
        (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
      );
    const cli = (...args: string[]) => tool(['--json', ...args]);
    const published = await cli('publish', fw.manifestPath);
    expect(published.code, published.err).toBe(0);
    const releaseId = JSON.parse(published.out).id;
    expect((await api.call('GET', `${base}/ota/releases/${releaseId}`)).body.status).toBe('ready');
    const again = await cli('publish', fw.manifestPath);
    expect([again.code, again.err]).toEqual([
      1,
      expect.stringContaining('5.0.0 is published already; raise the version'),
    ]);

    const target = await device('cli-target');
    await api.call('PATCH', `${base}/devices/${target.id}`, { tags: ['cli'] });
    const plan = ['rollout', 'create', '--release', releaseId, '--tags', 'cli', '--phases', '10,100'];
    const dry = await tool([...plan, '--dry-run']);
    expect(dry.out).toMatch(/phase 1 \(10%\): 1 devices: cli-target/);
    const id = /create it with --id ([0-9a-f-]{36})/.exec(dry.out)?.[1];
    const created = await cli(...plan, '--id', id!);
    expect(created.code, created.err).toBe(0);
    expect(JSON.parse(created.out).id).toBe(id);
    const rollout = JSON.parse(created.out);
    expect(rollout.phases.map((ph: { percent: number }) => ph.percent)).toEqual([10, 100]);
    expect(JSON.parse((await cli('rollout', 'pause', rollout.id)).out).status).toBe('paused');
    expect(JSON.parse((await cli('rollout', 'status', rollout.id)).out).status).toBe('paused');
    const twice = await cli('rollout', 'pause', rollout.id);
    expect([twice.code, twice.err]).toEqual([1, expect.stringContaining('409')]);
    const noTarget = await cli('rollout', 'create', '--release', releaseId);
    expect(noTarget.err).toMatch(/name a target: --devices, --group or --tags/);
    const badKey = await cli('rollout', 'status', rollout.id, '--api-key', 'iot_000000000000_nope');
    expect(badKey.err).toMatch(/401 .*check the API key/);
  }, 120_000);

  it('streams rollout and job changes of its own organization as server-sent events', async () => {
    const rel = await release('7.0.0');
    const d = await device('watched');
    const abort = new AbortController();
    const res = await fetch(`http://127.0.0.1:${p.httpPort}${base}/ota/events`, {
      headers: { authorization: `Bearer ${api.token}` },
      signal: abort.signal,
    });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    let text = '';
    const rollout = (
      await api.call('POST', `${base}/ota/rollouts`, { release_id: rel.id, target: { device_ids: [d.id] } })
    ).body;
    while (!text.includes('"state":"pending"')) text += new TextDecoder().decode((await reader.read()).value);
    abort.abort();
    const events = sseEvents(text);
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ rollout_id: rollout.id, state: 'active', detail: 'created' }),
        expect.objectContaining({ rollout_id: rollout.id, device_id: d.id, state: 'pending' }),
      ]),
    );
    // The same changes are domain events, in the organization's events.
    await until(async () => {
      const jobs = (await api.call('GET', `${base}/events?type=ota.job.changed`)).body.data;
      return jobs.some((e: { data: { device_id?: string } }) => e.data.device_id === d.id);
    }, 'ota.job.changed recorded');
    // Another organization's stream is not ours to read.
    const other = apiClient(p);
    await other.signIn('stranger@example.com');
    expect((await other.call('GET', `${base}/ota/events`)).status).toBe(404);
  });

  it('resumes the OTA stream after Last-Event-ID: the missed changes first, then live ones, none twice', async () => {
    const rel = await release('7.1.0');
    const d = await device('resumed');
    const rollout = (
      await api.call('POST', `${base}/ota/rollouts`, { release_id: rel.id, target: { device_ids: [d.id] } })
    ).body;
    await until(() => d.jobs.length > 0, 'job');
    const unpublished = () => p.count('SELECT count(*) AS n FROM events WHERE published_at IS NULL');
    await until(async () => (await unpublished()) === 0, 'the changes to be published');
    type Listed = { id: number; type: string; data: { rollout_id: string } };
    const ota = ((await api.call('GET', `${base}/events?limit=500`)).body.data as Listed[])
      .filter((e) => e.type.startsWith('ota.'))
      .reverse(); // oldest first
    const created = ota.find((e) => e.data.rollout_id === rollout.id)!;

    const abort = new AbortController();
    const res = await fetch(`http://127.0.0.1:${p.httpPort}${base}/ota/events`, {
      headers: { authorization: `Bearer ${api.token}`, 'last-event-id': String(created.id) },
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let text = '';
    const job = d.jobs[0] as { job_id: string };
    await d.report(job.job_id, 'downloading');
    while (!text.includes('"state":"downloading"')) text += new TextDecoder().decode((await reader.read()).value);
    abort.abort();
    const ids = text
      .split('\n')
      .filter((l) => l.startsWith('id: '))
      .map((l) => Number(l.slice(4)));
    const missed = ota.filter((e) => e.id > created.id).map((e) => e.id);
    expect(missed.length).toBeGreaterThan(0);
    expect(ids.slice(0, missed.length)).toEqual(missed);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => id > created.id)).toBe(true);
    expect(text.split('\n').filter((l) => l.startsWith('event: '))).toEqual(ids.map(() => 'event: ota'));
    // The payload is the change as the stream always sent it.
    expect(sseEvents(text).at(-1)).toEqual({
      org_id: base.split('/')[3],
      rollout_id: rollout.id,
      device_id: d.id,
      job_id: job.job_id,
      state: 'downloading',
      at: expect.any(String),
    });
  });

  it('matches hardware to what the agent reports, previews a rollout creating nothing, and refuses one that reaches no device', async () => {
    const rel = await release('8.0.0', undefined, ['generic', 'pi4']);
    // Registered as a gateway; its agent says it is a pi4.
    const gateway = await device('gw-1', 'gateway');
    await gateway.reported({ hardware: 'pi4' });
    const esp = await device('sensor-7', 'esp32');
    const current = await device('gw-2', 'gateway');
    await current.reported({ hardware: 'pi4', firmware_version: '8.0.0' });
    const target = { device_ids: [gateway.id, esp.id, current.id] };
    const before = (await api.call('GET', `${base}/ota/rollouts`)).body.data.length;

    const dry = await api.call('POST', `${base}/ota/rollouts?dry_run=true`, { release_id: rel.id, target });
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    expect(dry.body).toMatchObject({
      dry_run: true,
      would_refuse: null,
      target_devices: 3,
      updates: 1,
      window_open: true,
      excluded_counts: { hardware: 1, disabled: 0, already_on_version: 1, in_another_rollout: 0 },
    });
    expect(dry.body.phases).toEqual([
      { phase: 1, percent: 100, devices: [expect.objectContaining({ device_id: gateway.id, hardware: 'pi4' })] },
    ]);
    const why = Object.fromEntries(dry.body.excluded.map((e: { name: string; reason: string }) => [e.name, e.reason]));
    expect(why).toEqual({ 'sensor-7': 'hardware', 'gw-2': 'already_on_version' });
    expect((await api.call('GET', `${base}/ota/rollouts`)).body.data).toHaveLength(before);

    // Nothing to install anywhere: refused, with the reasons counted.
    const empty = await fetch(`http://127.0.0.1:${p.httpPort}${base}/ota/rollouts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ release_id: rel.id, target: { device_ids: [esp.id, current.id] } }),
    });
    expect(empty.status).toBe(400);
    expect(empty.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(await empty.json()).toMatchObject({
      type: 'https://iot-platform.dev/problems/rollout-matches-no-device',
      detail: expect.stringMatching(/1 run other hardware than generic, pi4, 1 already on 8\.0\.0/),
      target_devices: 2,
      excluded_counts: { hardware: 1, already_on_version: 1 },
    });
    const nobody = await api.call('POST', `${base}/ota/rollouts`, { release_id: rel.id, target: { tags: ['nobody'] } });
    expect([nobody.status, nobody.body.detail]).toEqual([400, 'The target holds no device']);
    expect((await api.call('GET', `${base}/ota/rollouts`)).body.data).toHaveLength(before);

    // Created with the dry run's id, it reaches the gateway the dry run named.
    const created = await api.call('POST', `${base}/ota/rollouts`, {
      id: dry.body.rollout_id,
      release_id: rel.id,
      target,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.id).toBe(dry.body.rollout_id);
    await until(() => gateway.jobs.length > 0, 'the gateway gets its job');
    expect(esp.jobs).toEqual([]);
    const twice = await api.call('POST', `${base}/ota/rollouts`, {
      id: dry.body.rollout_id,
      release_id: rel.id,
      target,
    });
    expect(twice.status).toBe(409);
  });

  it('keeps a delta beside the artifact, and hands it only to devices on its base version', async () => {
    const image = Buffer.alloc(300_000, 1);
    const old = await signedFirmware(dir.path, key.privateKey, { version: '9.0.0', content: image });
    image.write('changed', 150_000);
    const fw = await signedFirmware(dir.path, key.privateKey, {
      version: '9.1.0',
      content: image,
      deltaFrom: old.artifact,
    });
    const created = (await api.call('POST', `${base}/ota/releases`, fw.manifest)).body;
    const putDelta = (bytes: Buffer) =>
      fetch(`http://127.0.0.1:${p.httpPort}${base}/ota/releases/${created.id}/delta`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/octet-stream' },
        body: new Uint8Array(bytes),
      });
    expect((await putDelta(Buffer.from('not the delta'))).status).toBe(400);
    expect((await upload(created.id, fw.bytes)).status).toBe(200);
    const stored = await putDelta(fw.delta!);
    expect(stored.status).toBe(200);
    expect((await stored.json()).delta).toEqual({ base_version: '9.0.0', size: fw.delta!.length, uploaded: true });
    expect((await putDelta(fw.delta!)).status).toBe(409);

    const onBase = await device('on-base');
    await onBase.reported({ hardware: 'pi4', firmware_version: '9.0.0' });
    const elsewhere = await device('elsewhere');
    await elsewhere.reported({ hardware: 'pi4', firmware_version: '8.0.0' });
    await api.call('POST', `${base}/ota/rollouts`, {
      release_id: created.id,
      target: { device_ids: [onBase.id, elsewhere.id] },
    });
    await until(() => onBase.jobs.length > 0 && elsewhere.jobs.length > 0, 'both jobs');
    const [baseJob, otherJob] = [onBase.jobs[0], elsewhere.jobs[0]] as { url: string; delta_url?: string }[];
    expect(otherJob!.delta_url).toBeUndefined();
    const delta = await fetch(baseJob!.delta_url!, { redirect: 'follow' });
    expect(Buffer.from(await delta.arrayBuffer())).toEqual(fw.delta);
    expect(fw.delta!.length).toBeLessThan(fw.bytes.length / 10);
    if (database === 'postgres') {
      const tail = await fetch(baseJob!.delta_url!, { headers: { range: 'bytes=10-' } });
      expect([tail.status, (await tail.arrayBuffer()).byteLength]).toEqual([206, fw.delta!.length - 10]);
    }
  });

  it('keeps a cut upload, takes the rest by Content-Range, and firmware-tools publish resumes it', async () => {
    const fw = await signedFirmware(dir.path, key.privateKey, { version: '9.5.0', content: randomBytes(400_000) });
    const created = (await api.call('POST', `${base}/ota/releases`, fw.manifest)).body;
    const kept = async () =>
      (await api.call('GET', `${base}/ota/releases/${created.id}/uploads/artifact`)).body as { received: number };
    const part = await fetch(`http://127.0.0.1:${p.httpPort}${base}/ota/releases/${created.id}/artifact`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${api.token}`,
        'content-type': 'application/octet-stream',
        'content-range': 'bytes 0-99999/400000',
      },
      body: new Uint8Array(fw.bytes.subarray(0, 100_000)),
    });
    expect([part.status, await part.json()]).toEqual([202, { received: 100_000 }]);
    // The next part is cut midway: what arrived is kept.
    const url = `http://127.0.0.1:${p.httpPort}${base}/ota/releases/${created.id}/artifact`;
    await cutUpload(url, api.token, fw.bytes.subarray(100_000, 250_000), 100_000, 400_000);
    await until(async () => (await kept()).received > 100_000, 'the part that arrived');
    const held = (await kept()).received;
    expect(held).toBeGreaterThanOrEqual(200_000);
    const apiKey = (await api.call('POST', `${base}/api-keys`, { name: 'resume', scopes: ['ota:deploy', 'ota:read'] }))
      .body.secret;
    const published = await run(
      process.execPath,
      ['--conditions=@iotp/source', '--import', 'tsx', 'firmware-tools/src/bin.ts', 'publish', fw.manifestPath],
      {
        env: {
          ...process.env,
          IOTP_URL: `http://127.0.0.1:${p.httpPort}`,
          IOTP_ORG: base.split('/').pop(),
          IOTP_API_KEY: apiKey,
        },
      },
    );
    expect(published.stderr).toContain(`resuming app-9.5.0.bin at byte ${held} of 400000`);
    expect((await api.call('GET', `${base}/ota/releases/${created.id}`)).body.status).toBe('ready');
  }, 120_000);

  it('expires an artifact upload left unfinished for a week, and sweeps its kept bytes from the store', async () => {
    const fw = await signedFirmware(dir.path, key.privateKey, { version: '9.6.0', content: randomBytes(10_000) });
    const created = (await api.call('POST', `${base}/ota/releases`, fw.manifest)).body;
    const part = await fetch(`http://127.0.0.1:${p.httpPort}${base}/ota/releases/${created.id}/artifact`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${api.token}`, 'content-range': 'bytes 0-3999/10000' },
      body: new Uint8Array(fw.bytes.subarray(0, 4000)),
    });
    expect(part.status).toBe(202);
    const [upload] = await p.db.sql.query<{ id: string; object_key: string }>(
      "UPDATE release_uploads SET created_at = now() - interval '8 days' WHERE release_id = $1 RETURNING id, object_key",
      [created.id],
    );
    await p.scheduler.runNow('expire-release-uploads');
    const kept = await api.call('GET', `${base}/ota/releases/${created.id}/uploads/artifact`);
    expect(kept.body.received).toBe(0);
    const tail = `${upload!.object_key}.${upload!.id}.partial`;
    const queued = () => p.count('SELECT count(*) AS n FROM deleted_objects WHERE object_key = $1', [tail]);
    expect(await queued()).toBe(1);
    await p.scheduler.runNow('sweep-deleted-objects');
    expect(await queued()).toBe(0);
  });

  it('answers bad rollout requests with problems that say what to change', async () => {
    const rel = await release('4.0.0');
    const bad = [
      { release_id: rel.id, target: {} },
      { release_id: rel.id, target: { device_ids: [crypto.randomUUID()], tags: ['x'] } },
      { release_id: rel.id, target: { tags: ['x'] }, phases: [{ percent: 50 }] },
      { release_id: rel.id, target: { tags: ['x'] }, phases: [{ percent: 50 }, { percent: 10 }] },
      { release_id: rel.id, target: { tags: ['x'] }, window: { start: '25:00', end: '01:00' } },
    ];
    for (const body of bad) {
      const res = await api.call('POST', `${base}/ota/rollouts`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    const missing = await api.call('POST', `${base}/ota/rollouts`, {
      release_id: crypto.randomUUID(),
      target: { tags: ['x'] },
    });
    expect(missing.status).toBe(404);
  });
});

/** Two nodes on one database and one S3 server, as behind a load balancer. */
describe('OTA uploads across nodes', () => {
  it('goes on on node B with an upload cut on node A, in S3 parts of 5 MiB, and serves it whole', async () => {
    const dir = await tempDir();
    const s3 = await startS3(dir.path);
    const cluster = await startNodes(2, s3.env);
    try {
      const [a, b] = cluster.nodes as [TestPlatform, TestPlatform];
      const [apiA, apiB] = [apiClient(a), apiClient(b)];
      for (const api of [apiA, apiB]) await api.signIn('uploads@example.com');
      const base = `/v1/orgs/${(await apiA.call('POST', '/v1/orgs', { name: 'Fleet' })).body.id}`;
      const key = await signingKey(dir.path);
      await apiA.call('POST', `${base}/ota/keys`, { name: 'ci', public_key: key.pem });
      const MiB = 1024 * 1024;
      const total = 12 * MiB;
      const fw = await signedFirmware(dir.path, key.privateKey, { version: '1.0.0', content: randomBytes(total) });
      const id = (await apiA.call('POST', `${base}/ota/releases`, fw.manifest)).body.id;
      const at = (node: TestPlatform) => `http://127.0.0.1:${node.httpPort}${base}/ota/releases/${id}/artifact`;

      // Node A: 7 MiB (a 5 MiB part and a tail), then 2 MiB more on a connection that is cut.
      const first = await fetch(at(a), {
        method: 'PUT',
        headers: { authorization: `Bearer ${apiA.token}`, 'content-range': `bytes 0-${7 * MiB - 1}/${total}` },
        body: new Uint8Array(fw.bytes.subarray(0, 7 * MiB)),
      });
      expect([first.status, await first.json()]).toEqual([202, { received: 7 * MiB }]);
      await cutUpload(at(a), apiA.token, fw.bytes.subarray(7 * MiB, 9 * MiB), 7 * MiB, total);
      const kept = async () => (await apiB.call('GET', `${base}/ota/releases/${id}/uploads/artifact`)).body;
      await until(async () => (await kept()).received > 7 * MiB, 'the cut part kept');
      expect(await kept()).toEqual({ part: 'artifact', size: total, received: 9 * MiB, complete: false });

      // Node B: the rest, from the byte node A kept last.
      const rest = await fetch(at(b), {
        method: 'PUT',
        headers: { authorization: `Bearer ${apiB.token}`, 'content-range': `bytes ${9 * MiB}-${total - 1}/${total}` },
        body: new Uint8Array(fw.bytes.subarray(9 * MiB)),
      });
      expect([rest.status, (await rest.json()).status]).toEqual([200, 'ready']);
      expect(await a.count('SELECT count(*) AS n FROM release_uploads')).toBe(0);

      const token = await a.tokens.signDownload(crypto.randomUUID(), id, 60);
      const download = await fetch(`http://127.0.0.1:${a.httpPort}/v1/ota/download/${id}?token=${token}`);
      expect(download.status).toBe(200);
      const sha256 = createHash('sha256')
        .update(Buffer.from(await download.arrayBuffer()))
        .digest('hex');
      expect(sha256).toBe(fw.manifest.sha256);
    } finally {
      await cluster.stop();
      await s3.close();
      await dir.remove();
    }
  }, 120_000);
});
