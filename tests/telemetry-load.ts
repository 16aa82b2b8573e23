import type { SqlClient } from '@iotp/db';
import mqtt, { type MqttClient } from 'mqtt';
import { creds } from './helpers.ts';

/**
 * A device that keeps `window` QoS 1 readings in flight, each with its own device timestamp, and
 * remembers which ones were acknowledged. The client reconnects and resends unacknowledged ones.
 */
export function loadDevice(url: string, d: { id: string; secret: string }, window = 10) {
  const client: MqttClient = mqtt.connect(url, {
    ...creds(d),
    protocolVersion: 4,
    clean: false,
    reconnectPeriod: 100,
    connectTimeout: 5000,
    // A CONNACK refused while the database is away (server unavailable) is worth another try;
    // mqtt.js gives up after one by default.
    reconnectOnConnackError: true,
  });
  client.on('error', () => undefined);
  const base = Date.now() - 3_600_000;
  const acked = new Set<number>();
  let sent = 0;
  let stopped = false;
  const inFlight = new Set<Promise<unknown>>();
  const send = () => {
    if (stopped) return;
    const seq = sent++;
    const p = client
      .publishAsync(`devices/${d.id}/telemetry`, JSON.stringify({ ts: base + seq, v: seq }), { qos: 1 })
      .then(() => acked.add(seq))
      .finally(() => {
        inFlight.delete(p);
        send();
      });
    inFlight.add(p);
  };
  client.once('connect', () => {
    for (let i = 0; i < window; i++) send();
  });
  return {
    id: d.id,
    acked,
    base,
    /** Stops sending new readings; resolves when every one sent so far is acknowledged. */
    async drain() {
      stopped = true;
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },
    end: () => client.endAsync(true),
  };
}

/**
 * How many rows each acknowledged reading of a load device has, as `{ rows: readings }`: every
 * acknowledged reading stored exactly once reads `{ 1: acked.size }`.
 */
export async function storedCounts(sql: SqlClient, l: { id: string; base: number; acked: Set<number> }) {
  const rows = await sql.query<{ seq: number; n: number }>(
    `SELECT (extract(epoch FROM time) * 1000)::int8 - $2::int8 AS seq, count(*)::int AS n
     FROM telemetry WHERE device_id = $1 AND metric = 'v' GROUP BY time`,
    [l.id, l.base],
  );
  const stored = new Map(rows.map((r) => [Number(r.seq), r.n]));
  const counts = new Map<number, number>();
  for (const seq of l.acked) counts.set(stored.get(seq) ?? 0, (counts.get(stored.get(seq) ?? 0) ?? 0) + 1);
  return Object.fromEntries(counts);
}
