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

/** What it reports: messages, seconds, PUBACK latency percentiles (ms), and its own CPU seconds. */
export interface LoadResult {
  msgs: number;
  seconds: number;
  p50: number;
  p99: number;
  cpuS: number;
}

/** What the HTTP load generator (http-load.ts) is told to do: GETs of `paths` in turn. */
export interface HttpLoadJob {
  port: number;
  paths: string[];
  token?: string;
  connections: number;
  seconds: number;
  label: string;
}

/** What it reports: requests per second and latency percentiles (ms), and what went wrong. */
export interface HttpLoadResult {
  req_per_s: number;
  p50_ms: number;
  p99_ms: number;
  non2xx: number;
  errors: number;
}

/** Runs `script` in a child process with `job`, and answers what it reports. */
function inChild<R>(script: string, job: { label: string }): Promise<R> {
  const child = fork(new URL(script, import.meta.url), {
    execArgv: ['--conditions=@iotp/source', '--import', 'tsx'],
  });
  child.send(job);
  return new Promise((resolve, reject) => {
    child.once('message', (r) => resolve(r as R));
    child.once('exit', (code) => code && reject(new Error(`${job.label} load generator exited ${code}`)));
  });
}

/**
 * Runs one MQTT load in a child process (load.ts), so it does not share a core with the broker under test.
 * @example const r = await runLoad({ url, devices, perDevice: 100, readings: 3, inflight: 64, qos: 1, label: 'platform' });
 */
export const runLoad = (job: LoadJob) => inChild<LoadResult>('./load.ts', job);

/** Runs one HTTP load (autocannon) in a child process (http-load.ts), apart from the server under test. */
export const runHttpLoad = (job: HttpLoadJob) => inChild<HttpLoadResult>('./http-load.ts', job);

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
