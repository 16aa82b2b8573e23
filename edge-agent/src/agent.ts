import { exec } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  Command,
  commandResponseSuffix,
  devicePrefix,
  deviceTopic,
  parseDeviceSuffix,
  SUFFIX,
  TwinDesired,
} from '@iotp/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { Backoff } from './backoff.ts';
import type { AgentConfig } from './config.ts';
import { readJson, writeAtomic } from './files.ts';
import { OtaAgent, type Report } from './ota.ts';
import { DiskQueue, toReading } from './queue.ts';
import { startSources, type Values } from './sources.ts';

export interface AgentStatus {
  pid: number;
  device_id: string;
  connected: boolean;
  firmware_version: string;
  queue_depth: number;
  queue_dropped: number;
  slots: { active: string; versions: Record<string, string | undefined>; trial: boolean };
  job: { job_id: string; version: string; state: string } | null;
  /** Why the last connection attempt failed or the connection dropped; kept once connected again. */
  last_error: ConnectionError | null;
  /** When the next connection attempt starts, while offline. */
  next_attempt_at: string | null;
  started_at: string;
  updated_at: string;
}

export interface ConnectionError {
  message: string;
  /** The CONNACK return code of a refusal (MQTT 3.1.1 §3.2.2.3), or a system error code. */
  code?: number | string;
  at: string;
}

let lastMicros = 0;
/** Now in ms with µs decimals, strictly increasing: two readings never share a timestamp. */
function nowMs(): number {
  const micros = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  lastMicros = micros > lastMicros ? micros : lastMicros + 1;
  return lastMicros / 1000;
}

/**
 * The device's agent: one MQTT session for telemetry (through the disk queue), twin, commands
 * and OTA jobs, plus `status.json` for `edge-agent status`.
 * @example const agent = await Agent.start(await loadConfig('agent.json'), logger);
 */
export class Agent {
  private client!: MqttClient;
  private firmware: string;
  private desired: Record<string, unknown> = {};
  /** The version of the last desired state taken, and the write of desired.json in progress. */
  private desiredVersion = Number.NEGATIVE_INFINITY;
  private desiredWrite: Promise<void> = Promise.resolve();
  /** The last health check's result: `ok`, or what failed. */
  private healthState = 'ok';
  private readonly startedAt = new Date();
  private stopSources: (() => Promise<void>) | undefined;
  private timers: NodeJS.Timeout[] = [];
  private sending = false;
  private stopped = false;
  private readonly ota: OtaAgent;
  private readonly backoff: Backoff;
  private retryTimer: NodeJS.Timeout | undefined;
  private nextAttemptAt: Date | null = null;
  private lastError: ConnectionError | null = null;
  /** An error was seen since the last connection attempt started. */
  private failed = false;

  private constructor(
    private readonly config: AgentConfig,
    private readonly queue: DiskQueue,
    private readonly log: Logger,
    firmware: string,
  ) {
    this.firmware = firmware;
    this.backoff = new Backoff({ initialMs: config.reconnect.initial_s * 1000, maxMs: config.reconnect.max_s * 1000 });
    this.ota = new OtaAgent(config, {
      report: (r) => this.reportOta(r),
      requestJob: () => this.publish(SUFFIX.otaRequest, '{}'),
      installed: async (version) => {
        this.firmware = version;
        await writeAtomic(this.path('firmware.json'), JSON.stringify({ version }));
        this.reportTwin();
      },
      firmwareVersion: () => this.firmware,
      log,
    });
  }

  static async start(config: AgentConfig, log: Logger): Promise<Agent> {
    const queue = await DiskQueue.open(join(config.state_dir, 'queue'), config.queue.max_readings);
    const firmware = (await readJson<{ version?: string }>(join(config.state_dir, 'firmware.json'), {})).version;
    const agent = new Agent(config, queue, log, firmware ?? config.firmware_version);
    // The session first: what the update reports while resuming waits in the client until connected.
    await agent.connect();
    await agent.ota.resume();
    agent.stopSources = startSources(config.sources, (v) => void agent.record(v), log);
    if (config.heartbeat_s > 0) agent.timers.push(setInterval(() => void agent.heartbeat(), config.heartbeat_s * 1000));
    agent.timers.push(setInterval(() => void agent.writeStatus(), 1000));
    await agent.writeStatus();
    return agent;
  }

  /** Queues a reading set (sent at once when connected, later when not). */
  async record(values: Values): Promise<void> {
    const { reading, refused } = toReading(values, nowMs());
    if (refused.length > 0) this.log.warn({ refused }, 'metrics dropped: the broker would refuse them');
    if (Object.keys(reading).length === 1) return; // `ts` alone
    await this.queue.push([reading]);
    void this.drain();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.nextAttemptAt = null;
    for (const t of this.timers) clearInterval(t);
    await this.stopSources?.();
    await this.writeStatus();
    await this.client.endAsync();
  }

  private async connect() {
    const tls = this.config.tls;
    this.client = mqtt.connect(this.config.broker_url, {
      clientId: this.config.device_id,
      username: this.config.device_id,
      password: this.config.secret,
      protocolVersion: 4,
      clean: true,
      // mqtt.js retries at a fixed period, and never again after a refused CONNACK: a device being
      // re-provisioned or a busy broker would strand it. The agent reconnects itself (onClose).
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      ...(tls ? { ca: tls.ca ? await readFile(tls.ca) : undefined, rejectUnauthorized: tls.reject_unauthorized } : {}),
    });
    const prefix = devicePrefix(this.config.device_id);
    const subscriptions = [SUFFIX.otaJob, SUFFIX.twinDesired, SUFFIX.commands].map((s) => prefix + s);
    this.client.on('connect', () => {
      this.backoff.reset();
      this.failed = false;
      this.log.info({ broker: this.config.broker_url }, 'connected');
      this.client.subscribe(subscriptions, { qos: 1 }, (err) => {
        if (err) this.log.error({ err: err.message }, 'subscribe failed');
      });
      this.reportTwin();
      const job = this.ota.status;
      if (job) this.reportOta({ job_id: job.job_id, state: job.state });
      void this.drain();
      void this.writeStatus();
    });
    this.client.on('close', () => this.onClose());
    // Logged once the connection is closed, with when the next attempt comes (onClose).
    this.client.on('error', (err) => {
      this.failed = true;
      const { code } = err as Error & { code?: number | string };
      this.lastError = { message: err.message, ...(code === undefined ? {} : { code }), at: new Date().toISOString() };
    });
    this.client.on('message', (topic, payload) => {
      const kind = parseDeviceSuffix(topic.slice(prefix.length))?.kind;
      let doc: unknown;
      try {
        doc = JSON.parse(payload.toString('utf8'));
      } catch {
        return this.log.warn({ topic }, 'message dropped: not JSON');
      }
      if (kind === 'otaJob') void this.ota.onJob(doc);
      else if (kind === 'twinDesired') this.applyDesired(doc);
      else if (kind === 'commands') void this.command(doc);
    });
  }

  /**
   * Every attempt that fails, is refused or drops ends here: the next one after a random wait whose
   * ceiling doubles up to `reconnect.max_s`, so a refused fleet does not hammer the broker in step.
   */
  private onClose() {
    if (this.stopped || this.retryTimer) return;
    const error =
      this.failed && this.lastError ? this.lastError : { message: 'connection lost', at: new Date().toISOString() };
    this.lastError = error;
    this.failed = false;
    const wait = this.backoff.next();
    this.nextAttemptAt = new Date(Date.now() + wait);
    // mqtt.js's messages name the reason only (e.g. "Connection refused: Not authorized"), never the secret.
    const { message, code } = error;
    const what = typeof code === 'number' ? 'broker refused the connection' : 'not connected';
    this.log.warn({ reason: message, code, retry_in_ms: wait, attempt: this.backoff.attempts }, `${what}; retrying`);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.nextAttemptAt = null;
      if (!this.stopped) this.client.connect();
    }, wait);
    void this.writeStatus();
  }

  /** Sends the queue in order, a batch per message, acknowledged by the broker before it is dropped. */
  private async drain() {
    if (this.sending) return;
    this.sending = true;
    try {
      const { batch, rate_per_s } = this.config.queue;
      while (!this.stopped && this.client.connected && this.queue.depth > 0) {
        const readings = this.queue.peek(batch);
        const sent = await new Promise<boolean>((resolve) => {
          const onClose = () => resolve(false);
          this.client.once('close', onClose);
          this.client.publish(
            deviceTopic(this.config.device_id, SUFFIX.telemetry),
            JSON.stringify(readings),
            { qos: 1 },
            (err) => {
              this.client.off('close', onClose);
              resolve(!err);
            },
          );
        });
        // Not acknowledged: sent again after reconnecting. The platform keeps a reading once.
        if (!sent) break;
        await this.queue.ack(readings.length);
        if (this.queue.depth > 0) await new Promise((r) => setTimeout(r, 1000 / rate_per_s));
      }
    } finally {
      this.sending = false;
    }
  }

  private publish(suffix: string, payload: string) {
    this.client.publish(deviceTopic(this.config.device_id, suffix), payload, { qos: 1 });
  }

  private reportOta(r: Report) {
    this.publish(SUFFIX.otaStatus, JSON.stringify(r));
    void this.writeStatus();
  }

  private applyDesired(doc: unknown) {
    const parsed = TwinDesired.safeParse(doc);
    if (!parsed.success) return this.log.warn({ problems: parsed.error.message }, 'desired state dropped: unreadable');
    const { desired, version } = parsed.data;
    // A copy resent on subscribe can arrive after a newer one: the older version is ignored.
    if (version < this.desiredVersion) return;
    this.desiredVersion = version;
    // One write at a time, in arrival order, so the newest state is what stays on disk.
    // Reported as applied only once the application can read it.
    this.desiredWrite = this.desiredWrite
      .then(() => writeAtomic(this.path('desired.json'), JSON.stringify(desired, null, 2)))
      .then(() => {
        this.desired = desired;
        this.reportTwin();
      })
      .catch((err: unknown) => this.log.error({ err }, 'desired state not written'));
  }

  private reportTwin() {
    this.publish(
      SUFFIX.twinReported,
      JSON.stringify({
        ...this.desired,
        firmware_version: this.firmware,
        hardware: this.config.hardware,
        uptime_s: Math.round(process.uptime()),
        health: this.healthState,
      }),
    );
  }

  private async command(doc: unknown) {
    const parsed = Command.safeParse(doc);
    if (!parsed.success) return this.log.warn({ problems: parsed.error.message }, 'command dropped: unreadable');
    const cmd = parsed.data;
    const answer = (status: 'succeeded' | 'failed', result: unknown) =>
      this.publish(commandResponseSuffix(cmd.id), JSON.stringify({ status, result }));
    if (cmd.name === 'ping') return answer('succeeded', { pong: true, uptime_s: Math.round(process.uptime()) });
    if (cmd.name === 'get-config') {
      const { secret: _s, ...shown } = this.config;
      return answer('succeeded', { ...shown, desired: this.desired, firmware_version: this.firmware });
    }
    if (cmd.name === 'reboot') {
      answer('succeeded', { rebooting: true });
      const command = this.config.reboot_command;
      if (command) exec(command, (err) => err && this.log.error({ err: err.message }, 'reboot command failed'));
      else setTimeout(() => void this.stop().then(() => process.exit(0)), 200);
      return;
    }
    answer('failed', { error: `unknown command ${cmd.name}; known: ping, get-config, reboot` });
  }

  /** Uptime, queue and health as telemetry, and the twin's reported state refreshed. */
  private async heartbeat() {
    const problem = this.ota.status ? undefined : await this.ota.checkHealth();
    const health = problem ? `failing: ${problem}` : 'ok';
    if (health !== this.healthState) {
      this.healthState = health;
      this.reportTwin();
    }
    await this.record({
      'agent.healthy': !problem,
      'agent.uptime_s': Math.round(process.uptime()),
      'agent.queue_depth': this.queue.depth,
      'agent.queue_dropped': this.queue.dropped,
    });
  }

  private async writeStatus() {
    const slots = await this.ota.slotState().catch(() => ({ active: 'a' as const, versions: {}, trial: undefined }));
    const status: AgentStatus = {
      pid: process.pid,
      device_id: this.config.device_id,
      connected: this.client?.connected ?? false,
      firmware_version: this.firmware,
      queue_depth: this.queue.depth,
      queue_dropped: this.queue.dropped,
      slots: { active: slots.active, versions: slots.versions, trial: Boolean(slots.trial) },
      job: this.ota.status,
      last_error: this.lastError,
      next_attempt_at: this.nextAttemptAt?.toISOString() ?? null,
      started_at: this.startedAt.toISOString(),
      updated_at: new Date().toISOString(),
    };
    await writeAtomic(this.path('status.json'), JSON.stringify(status, null, 2)).catch(() => undefined);
  }

  private path(name: string) {
    return join(this.config.state_dir, name);
  }
}
