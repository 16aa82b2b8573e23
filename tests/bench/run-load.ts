import { fork } from 'node:child_process';
import { connect } from 'node:net';

/** What the load generator (load.ts) is told to do. */
export interface LoadJob {
  url: string;
  devices: { id: string; secret?: string }[];
  perDevice: number;
  readings: number;
  inflight: number;
  qos: 0 | 1;
  label: string;
  /** MQTT 3.1.1 (4, the default) or 5; the URL says the transport (mqtt://, ws://). */
  protocolVersion?: 4 | 5;
  /**
   * Paced like a fleet: each device publishes one message every `intervalMs` (at its own phase)
   * instead of as fast as `inflight` allows.
   */
  intervalMs?: number;
}

/** What it reports: messages, seconds, and PUBACK latency percentiles (ms). */
export interface LoadResult {
  msgs: number;
  seconds: number;
  p50: number;
  p99: number;
}

/**
 * Runs one MQTT load in a child process (load.ts), so it does not share a core with the broker under test.
 * @example const r = await runLoad({ url, devices, perDevice: 100, readings: 3, inflight: 64, qos: 1, label: 'platform' });
 */
export function runLoad(job: LoadJob): Promise<LoadResult> {
  const child = fork(new URL('./load.ts', import.meta.url), {
    execArgv: ['--conditions=@iotp/source', '--import', 'tsx'],
  });
  child.send(job);
  return new Promise((resolve, reject) => {
    child.once('message', (r) => resolve(r as LoadResult));
    child.once('exit', (code) => code && reject(new Error(`${job.label} load generator exited ${code}`)));
  });
}

/** Whether something listens at the URL's host and port (a baseline broker, say). */
export async function reachable(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = connect(Number(u.port || 1883), u.hostname, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}
