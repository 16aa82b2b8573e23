/**
 * Idle MQTT clients for `bench:connections`, run as a child process so the clients do not share a
 * process with the broker under test. Receives {url, devices, concurrency} over IPC, connects one
 * client per device with at most `concurrency` connects under way, reports {connected, failed,
 * seconds, cpuMs}, then holds the connections (keepalive only) until told 'close'.
 */
import mqtt, { type MqttClient } from 'mqtt';

export interface IdleJob {
  url: string;
  devices: { id: string; secret: string }[];
  concurrency: number;
  keepaliveS: number;
}

export interface IdleReport {
  connected: number;
  failed: number;
  seconds: number;
  /** CPU time this process spent connecting (ms, user and system). */
  cpuMs: number;
  firstError?: string;
}

process.once('message', async (job: IdleJob) => {
  const clients: MqttClient[] = [];
  let failed = 0;
  let firstError: string | undefined;
  let next = 0;
  const start = performance.now();
  const cpu = process.cpuUsage();
  const worker = async () => {
    while (next < job.devices.length) {
      const d = job.devices[next++]!;
      try {
        clients.push(
          await mqtt.connectAsync(job.url, {
            clientId: d.id,
            username: d.id,
            password: d.secret,
            protocolVersion: 4,
            reconnectPeriod: 0,
            connectTimeout: 60_000,
            keepalive: job.keepaliveS,
          }),
        );
      } catch (err) {
        failed++;
        firstError ??= String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, worker));
  const { user, system } = process.cpuUsage(cpu);
  const report: IdleReport = {
    connected: clients.length,
    failed,
    seconds: (performance.now() - start) / 1000,
    cpuMs: (user + system) / 1000,
    firstError,
  };
  process.send!(report);
  process.once('message', async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    process.exit(0);
  });
});
