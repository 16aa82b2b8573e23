import { openTestDatabase } from '@iotp/db/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtaRepository } from './ota.repository.ts';

const logger = pino({ level: process.env.TEST_LOG ?? 'silent' });

describe.each(['postgres', 'embedded'] as const)('OTA jobs on %s', (kind) => {
  let opened: Awaited<ReturnType<typeof openTestDatabase>> | undefined;
  const sql = () => opened!.db.sql;
  beforeAll(async () => {
    opened = await openTestDatabase(kind, logger);
  });
  afterAll(() => opened?.close());

  it('creates a step of a rollout over a big fleet, more jobs than a statement has parameters, all or none', async () => {
    const [org] = await sql().query<{ id: string }>("INSERT INTO organizations (name) VALUES ('big') RETURNING id");
    const orgId = org!.id;
    const [release] = await sql().query<{ id: string }>(
      `INSERT INTO firmware_releases (org_id, name, version, hardware, size, sha256, key_id, manifest, object_key)
       VALUES ($1, 'fw', '2.0.0', '{}', 1, '', 'k', '{}', 'o') RETURNING id`,
      [orgId],
    );
    const [rollout] = await sql().query<{ id: string }>(
      `INSERT INTO rollouts (org_id, release_id, name, target, phases, max_concurrent)
       VALUES ($1, $2, 'everyone', '{}', '[]', 100000) RETURNING id`,
      [orgId, release!.id],
    );
    // 17,000 jobs of four values each: 68,000 parameters in one insert, where a statement takes 65,534.
    const devices = await sql().query<{ id: string }>(
      "INSERT INTO devices (org_id, name, secret_hash) SELECT $1, 'd' || i, '' FROM generate_series(1, 17000) i RETURNING id",
      [orgId],
    );
    const repo = new OtaRepository(opened!.db.orm);
    const job = (deviceId: string) => ({ orgId, rolloutId: rollout!.id, deviceId, phase: 0 });
    const created = await repo.createJobs(devices.map((d) => job(d.id)));
    expect(created).toHaveLength(17_000);
    expect(new Set(created.map((j) => j.deviceId)).size).toBe(17_000);
    // Again with one more device: only its job is new.
    const [extra] = await sql().query<{ id: string }>(
      "INSERT INTO devices (org_id, name, secret_hash) VALUES ($1, 'extra', '') RETURNING id",
      [orgId],
    );
    const again = await repo.createJobs([...devices, extra!].map((d) => job(d.id)));
    expect(again.map((j) => j.deviceId)).toEqual([extra!.id]);
    // A job that cannot be stored (its device is gone), in a later statement than a new one, leaves
    // none of the step's others: the first statement's new job goes with it.
    const gone = '00000000-0000-4000-8000-000000000000';
    const [other] = await sql().query<{ id: string }>(
      "INSERT INTO devices (org_id, name, secret_hash) VALUES ($1, 'other', '') RETURNING id",
      [orgId],
    );
    const fresh = [other!.id, ...devices.slice(0, 5000).map((d) => d.id), gone];
    await expect(repo.createJobs(fresh.map(job))).rejects.toThrow();
    const [{ n }] = (await sql().query<{ n: number }>('SELECT count(*)::int AS n FROM ota_jobs WHERE device_id = $1', [
      other!.id,
    ])) as [{ n: number }];
    expect(n).toBe(0);
  });
});
