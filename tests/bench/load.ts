/**
 * MQTT load generator, run as a child process so it does not share a core with the broker under
 * test. Receives {url, devices, messages, readings, inflight, qos, protocolVersion} over IPC (a ws://
 * URL for MQTT over WebSocket), connects one client per
 * device, publishes, and reports {msgs, seconds, latencies (sorted sample, ms)}.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { LoadJob as Job } from './run-load.ts';

process.once('message', async (job: Job) => {
  const cpu0 = process.cpuUsage();
  const clients: MqttClient[] = await Promise.all(
    job.devices.map((d) =>
      mqtt.connectAsync(job.url, {
        clientId: d.id,
        username: d.secret ? d.id : undefined,
        password: d.secret,
        reconnectPeriod: 0,
        connectTimeout: 30_000,
        keepalive: 60,
        protocolVersion: job.protocolVersion ?? 4,
      }),
    ),
  );
  const latencies = new Float64Array(job.devices.length * job.perDevice);
  let n = 0;
  const start = performance.now();
  const base = Date.now() - 3_600_000;
  await Promise.all(
    clients.map((client, c) => {
      const topic = `devices/${job.devices[c]!.id}/telemetry`;
      let sent = 0;
      let done = 0;
      const message = (i: number) => {
        const body: Record<string, number> = { ts: base + i };
        for (let k = 0; k < job.readings; k++) body[`m${k}`] = (i * 7 + k) % 1000;
        return JSON.stringify(body);
      };
      const { intervalMs } = job;
      if (intervalMs)
        return new Promise<void>((resolve, reject) => {
          // One message per interval, each device at its own phase, as a fleet's clocks fall.
          const tick = () => {
            const i = sent++;
            const t0 = performance.now();
            client.publish(topic, message(i), { qos: job.qos }, (err) => {
              if (err) return reject(err);
              latencies[n++] = performance.now() - t0;
              if (++done === job.perDevice) resolve();
            });
            // On a fixed schedule, so a late tick does not push the next ones back.
            if (sent < job.perDevice) setTimeout(tick, start + phase + sent * intervalMs - performance.now());
          };
          const phase = Math.random() * intervalMs;
          setTimeout(tick, phase);
        });
      return new Promise<void>((resolve, reject) => {
        const pump = () => {
          while (sent < job.perDevice && sent - done < job.inflight) {
            const i = sent++;
            const t0 = performance.now();
            client.publish(topic, message(i), { qos: job.qos }, (err) => {
              if (err) return reject(err);
              latencies[n++] = performance.now() - t0;
              done++;
              if (done === job.perDevice) resolve();
              else pump();
            });
          }
        };
        pump();
      });
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  await Promise.all(clients.map((c) => c.endAsync()));
  const sorted = Array.from(latencies.subarray(0, n)).sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
  const cpu = process.cpuUsage(cpu0);
  process.send!({ msgs: n, seconds, p50: pct(50), p99: pct(99), cpuS: (cpu.user + cpu.system) / 1e6 }, () =>
    process.exit(0),
  );
});
