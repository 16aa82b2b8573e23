import { readdirSync, readFileSync } from 'node:fs';
import { type Database, openDatabase } from '@iotp/db';
import { createTestDatabase, tempDir } from '@iotp/db/testing';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logger } from './helpers.ts';

const DASHBOARDS = new URL('../grafana/dashboards/', import.meta.url);
const FROM = '2026-05-01T00:00:00Z';
const TO = '2026-05-01T06:00:00Z';

interface Panel {
  title: string;
  targets?: { rawSql?: string }[];
}
interface Dashboard {
  title: string;
  panels: Panel[];
  templating: { list: { name: string; query?: string; datasource?: { uid: string } }[] };
}

/** Every SQL a dashboard runs: panel queries and variable queries. */
function dashboardQueries(): { where: string; sql: string }[] {
  const out: { where: string; sql: string }[] = [];
  for (const file of readdirSync(DASHBOARDS).filter((f) => f.endsWith('.json'))) {
    const d = JSON.parse(readFileSync(new URL(file, DASHBOARDS), 'utf8')) as Dashboard;
    for (const p of d.panels)
      for (const t of p.targets ?? []) if (t.rawSql) out.push({ where: `${d.title} / ${p.title}`, sql: t.rawSql });
    for (const v of d.templating.list)
      if (v.query && v.datasource?.uid === 'platform-pg') out.push({ where: `${d.title} / $${v.name}`, sql: v.query });
  }
  return out;
}

const INTERVALS: Record<string, string> = { '1m': '1 minute', '5m': '5 minutes', '1h': '1 hour' };

/** Grafana's PostgreSQL macros and this dashboard's variables, expanded as Grafana does. */
function expand(sql: string, vars: Record<string, string>): string {
  const interval = (i: string) =>
    INTERVALS[i.replace(/'/g, '').trim()] ?? (i.trim() === '$__interval' ? '1 minute' : i);
  return sql
    .replace(/\$__timeFilter\(([^)]+)\)/g, `$1 BETWEEN '${FROM}'::timestamptz AND '${TO}'::timestamptz`)
    .replace(
      /\$__timeGroupAlias\(([^,]+),([^)]+)\)/g,
      (_, col, i) => `date_bin('${interval(i)}'::interval, ${col}, 'epoch') AS "time"`,
    )
    .replace(
      /\$__timeGroup\(([^,]+),([^)]+)\)/g,
      (_, col, i) => `date_bin('${interval(i)}'::interval, ${col}, 'epoch')`,
    )
    .replace(/\$(\w+)/g, (m, name) => vars[name] ?? m);
}

describe.each(['postgres', 'embedded'] as const)('Grafana dashboards on %s', (kind) => {
  let db: Database;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let testDb: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  const vars: Record<string, string> = {};

  beforeAll(async () => {
    dir = await tempDir();
    testDb = kind === 'postgres' ? await createTestDatabase() : undefined;
    db = await openDatabase({
      url: testDb?.url,
      dataDir: dir.path,
      embeddedPort: kind === 'embedded' ? 0 : null,
      logger,
    });
    const [org] = await db.sql.query<{ id: string }>("INSERT INTO organizations (name) VALUES ('G') RETURNING id");
    const [device] = await db.sql.query<{ id: string }>(
      "INSERT INTO devices (org_id, name, secret_hash, online) VALUES ($1, 'g1', 'x', true) RETURNING id",
      [org!.id],
    );
    vars.org = org!.id;
    vars.device = device!.id;
    await db.sql.query(
      `INSERT INTO telemetry (time, device_id, metric, value)
       SELECT timestamptz '${FROM}' + i * interval '1 minute', $1::uuid, 'temp', i FROM generate_series(0, 359) i`,
      [device!.id],
    );
    await db.sql.query(
      `INSERT INTO telemetry_latest (time, device_id, metric, value) VALUES (timestamptz '${TO}', $1::uuid, 'temp', 1)`,
      [device!.id],
    );
    // A rollout with one device that failed, for the firmware dashboard.
    const [release] = await db.sql.query<{ id: string }>(
      `INSERT INTO firmware_releases (org_id, name, version, hardware, size, sha256, key_id, manifest, object_key, status)
       VALUES ($1, 'app', '1.1.0', '{pi4}', 1, 'x', 'k', '{}', 'o', 'ready') RETURNING id`,
      [org!.id],
    );
    const [rollout] = await db.sql.query<{ id: string }>(
      `INSERT INTO rollouts (org_id, release_id, name, target, phases, max_concurrent, status)
       VALUES ($1, $2, 'app 1.1.0', '{"tags":["g"]}', '[{"percent":100}]', 10, 'paused') RETURNING id`,
      [org!.id, release!.id],
    );
    await db.sql.query(
      `INSERT INTO ota_jobs (org_id, rollout_id, device_id, phase, state, error, updated_at)
       VALUES ($1, $2, $3, 0, 'rolled_back', 'health check failed', timestamptz '${TO}' - interval '1 hour')`,
      [org!.id, rollout!.id, device!.id],
    );
    // Product events and metered usage, for the usage and cost dashboard.
    await db.sql.query(
      `INSERT INTO analytics_events (time, org_id, name, user_id, session_id)
       SELECT timestamptz '${FROM}' + i * interval '10 minutes', $1::uuid, 'app.opened', 'u' || (i % 3), 's1'
       FROM generate_series(0, 35) i`,
      [org!.id],
    );
    await db.sql.query(
      `INSERT INTO usage_daily (org_id, device_id, day, messages, points, bytes, api_calls) VALUES
         ($1, $2, '2026-05-01', 360, 360, 9000, 0), ($1, '00000000-0000-0000-0000-000000000000', '2026-05-01', 0, 0, 0, 42)`,
      [org!.id, device!.id],
    );
    // A member's API calls, and what the wallet spent, for the cost panels.
    const [user] = await db.sql.query<{ id: string }>(
      "INSERT INTO users (email, password_hash) VALUES ('ann@example.com', 'x') RETURNING id",
    );
    await db.sql.query("INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, 'owner')", [org!.id, user!.id]);
    await db.sql.query(
      `INSERT INTO usage_daily (org_id, device_id, user_id, day, api_calls)
       VALUES ($1, '00000000-0000-0000-0000-000000000000', $2, '2026-05-01', 17)`,
      [org!.id, user!.id],
    );
    await db.sql.query(
      `INSERT INTO ledger_entries (tx_id, account, amount, kind, created_at) VALUES
         (gen_random_uuid(), 'org:' || $1, -2000000, 'overage', timestamptz '${FROM}' + interval '1 hour')`,
      [org!.id],
    );
    // A rule with one alarm open and one cleared, for the alarms dashboard.
    const [rule] = await db.sql.query<{ id: string }>(
      `INSERT INTO rules (org_id, name, target, kind, metric, params, severity, actions)
       VALUES ($1, 'too hot', '{"tags":["g"]}', 'threshold', 'temp', '{"op":"gt","value":80}', 'major', '[{"type":"alarm"}]')
       RETURNING id`,
      [org!.id],
    );
    await db.sql.query(
      `INSERT INTO alarms (org_id, rule_id, device_id, severity, detail, raised_at, cleared_at, clear_note) VALUES
         ($1, $2, $3, 'major', '{"metric":"temp","value":85}', timestamptz '${FROM}' + interval '1 hour', timestamptz '${FROM}' + interval '2 hours', 'rule disabled'),
         ($1, $2, $3, 'major', '{"metric":"temp","value":90}', timestamptz '${FROM}' + interval '3 hours', NULL, NULL)`,
      [org!.id, rule!.id, device!.id],
    );
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
    await dir?.remove();
  });

  it.each(dashboardQueries())('$where runs and returns rows', async ({ sql }) => {
    const rows = await db.sql.query(expand(sql, vars));
    expect(rows.length).toBeGreaterThan(0);
  });

  if (kind === 'embedded') {
    it('serves several wire clients at once, as Grafana opens more than one connection', async () => {
      const clients = Array.from({ length: 3 }, () =>
        postgres({
          host: '127.0.0.1',
          port: db.wirePort!,
          username: 'postgres',
          database: 'postgres',
          max: 1,
          onnotice: () => undefined,
        }),
      );
      try {
        const results = await Promise.all(
          clients.flatMap((c) => Array.from({ length: 5 }, () => c`SELECT count(*)::int AS n FROM telemetry`)),
        );
        expect(results.map((r) => r[0]?.n)).toEqual(Array(15).fill(360));
        // The platform's own queries are served between theirs.
        expect((await db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM devices'))[0]?.n).toBe(1);
      } finally {
        await Promise.all(clients.map((c) => c.end()));
      }
    });
  }
});
