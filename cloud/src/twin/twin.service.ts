import {
  type Command,
  CommandResponse,
  commandResponseSuffix,
  deviceTopic,
  SUFFIX,
  type TwinDesired,
  TwinReported,
} from '@iotp/protocol';
import type { Logger } from 'pino';
import type { DevicePublisher } from '../cluster/device-delivery.ts';
import type { DeviceRepository } from '../devices/device.repository.ts';
import { Conflict, NotFound } from '../http/problem.ts';
import type { CommandRow, TwinRepository, TwinRow } from './twin.repository.ts';

/** Tells every node a command was answered, so a caller waiting on another node gets the answer. */
export interface CommandAnswers {
  announce(deviceId: string, commandId: string): void;
}

/**
 * Device twins (desired, reported, delta, version) and commands with a time-to-live. Devices get
 * the desired state retained on `devices/{id}/twin/desired` and commands on `devices/{id}/commands`;
 * they report on `twin/reported` and answer on `commands/{commandId}/response`. An MQTT 5 device
 * gets that topic as the command's Response Topic and the command id as its Correlation Data
 * [MQTT-4.10], and the command expires from its session queue with its time-to-live.
 */
export class TwinService {
  private readonly waiters = new Map<string, (row: CommandRow) => void>();
  private readonly log: Logger;

  constructor(
    private readonly twins: TwinRepository,
    private readonly devices: DeviceRepository,
    private readonly broker: DevicePublisher,
    logger: Logger,
    /**
     * Several nodes: answers handled here reach callers waiting elsewhere (see `answered`), and a
     * device gets its desired state from the database when it subscribes, since the retained copy
     * is kept by the node that published it.
     */
    private readonly cluster?: { answers: CommandAnswers },
  ) {
    this.log = logger.child({ component: 'twin' });
  }

  async get(orgId: string, deviceId: string) {
    await this.owned(orgId, deviceId);
    return publicTwin(await this.twins.twin(deviceId));
  }

  async patchDesired(orgId: string, deviceId: string, desired: Record<string, unknown>, version?: number) {
    await this.owned(orgId, deviceId);
    const row = await this.twins.patchDesired(deviceId, desired, version);
    if (row === 'conflict') throw new Conflict('The twin changed since that version; read it again and retry');
    await this.publishDesired(row);
    return publicTwin(row);
  }

  /** A device's `twin/reported`. Never throws. */
  async onReported(deviceId: string, payload: Buffer): Promise<void> {
    try {
      const doc = TwinReported.safeParse(parseJson(payload));
      if (!doc.success) return this.log.info({ deviceId }, 'twin report dropped: not a JSON object');
      const reported = doc.data;
      const row = await this.twins.patchReported(deviceId, reported);
      // The registry shows the firmware a device reports running.
      if (typeof reported.firmware_version === 'string')
        await this.devices.setFirmwareVersion(deviceId, reported.firmware_version.slice(0, 64));
      await this.publishDesired(row);
    } catch (err) {
      this.log.error({ err, deviceId, topic: SUFFIX.twinReported }, 'device message not handled');
    }
  }

  /** A device's answer on `commands/{commandId}/response`. Never throws. */
  async onCommandResponse(deviceId: string, commandId: string, payload: Buffer): Promise<void> {
    try {
      const doc = CommandResponse.parse(parseJson(payload));
      const row = await this.twins.complete(deviceId, commandId, doc.status ?? 'succeeded', doc.result);
      if (row) {
        this.waiters.get(row.id)?.(row);
        this.cluster?.answers.announce(deviceId, row.id);
      } else this.log.info({ deviceId, commandId }, 'command response dropped: unknown, closed or expired command');
    } catch (err) {
      this.log.error({ err, deviceId, commandId }, 'device message not handled');
    }
  }

  /** Another node stored a device's answer: a caller waiting here gets it. Never throws. */
  async answered(deviceId: string, commandId: string): Promise<void> {
    const waiter = this.waiters.get(commandId);
    if (!waiter) return;
    try {
      const row = await this.twins.command(deviceId, commandId);
      if (row) waiter(row);
    } catch (err) {
      this.log.error({ err, deviceId, commandId }, 'answer from another node not read');
    }
  }

  /** A device subscribed to its desired state: on several nodes, send it from the database. Never throws. */
  async onDesiredSubscribed(deviceId: string): Promise<void> {
    if (!this.cluster) return; // one node: the broker's retained copy is the current one
    try {
      const row = await this.twins.twin(deviceId);
      if (row.version > 0) await this.publishDesired(row);
    } catch (err) {
      this.log.error({ err, deviceId }, 'desired state not sent on subscribe');
    }
  }

  /**
   * A device subscribed to its commands, or resumed a persistent session subscribed to them (the
   * broker tells of both): hand it those that waited for it. Never throws.
   */
  async onCommandsSubscribed(deviceId: string): Promise<void> {
    try {
      for (const cmd of await this.twins.undelivered(deviceId)) await this.deliver(cmd);
    } catch (err) {
      this.log.error({ err, deviceId }, 'pending commands not delivered');
    }
  }

  /**
   * Sends a command and waits up to `timeout_s` for the answer; an offline or slow device, or one
   * not yet subscribed to its commands, gets a stored command (202) that completes later or expires
   * after `ttl_s`.
   */
  async send(
    orgId: string,
    deviceId: string,
    input: { name: string; params?: unknown; timeout_s: number; ttl_s: number },
  ) {
    const device = await this.owned(orgId, deviceId);
    const cmd = await this.twins.createCommand({
      deviceId,
      name: input.name,
      params: input.params ?? null,
      expiresAt: new Date(Date.now() + input.ttl_s * 1000),
    });
    // Presence is written just after a connect: a device connected to this node, or with several
    // nodes to any node, is online already, whatever the database says.
    const online = device.online || this.broker.holds(deviceId);
    if (!online && !this.broker.publishIfHeld) return { done: false as const, command: publicCommand(cmd) };
    // Waiting before delivering: the answer may come before the delivery resolves.
    const answer = this.answer(cmd.id, input.timeout_s);
    try {
      if (!(await this.deliver(cmd, { onlyIfHeld: !online }))) {
        answer.cancel();
        return { done: false as const, command: publicCommand(cmd) };
      }
    } catch (err) {
      answer.cancel();
      throw err;
    }
    const row = await answer.row;
    if (row) return { done: true as const, command: publicCommand(row) };
    return { done: false as const, command: publicCommand((await this.twins.command(deviceId, cmd.id))!) };
  }

  async command(orgId: string, deviceId: string, id: string) {
    await this.owned(orgId, deviceId);
    const row = await this.twins.command(deviceId, id);
    if (!row) throw new NotFound('No such command');
    return publicCommand(row);
  }

  async commands(orgId: string, deviceId: string, limit: number) {
    await this.owned(orgId, deviceId);
    return (await this.twins.commands(deviceId, limit)).map(publicCommand);
  }

  async expireDue(): Promise<number> {
    return this.twins.expireDue();
  }

  /** The device's answer to a command, or undefined after `timeoutS`. */
  private answer(commandId: string, timeoutS: number) {
    let cancel!: () => void;
    const row = new Promise<CommandRow | undefined>((resolve) => {
      const done = (answered?: CommandRow) => {
        clearTimeout(timer);
        this.waiters.delete(commandId);
        resolve(answered);
      };
      const timer = setTimeout(done, timeoutS * 1000);
      this.waiters.set(commandId, done);
      cancel = done;
    });
    return { row, cancel };
  }

  /**
   * Publishes a command and marks it delivered when the device's session had a subscription to
   * take it (live, or a persistent session's, which queues it); with `onlyIfHeld`, only where a
   * node holds the device. False otherwise: the command stays pending for its next subscription
   * (`onCommandsSubscribed`), as a device connected but not yet subscribed drops it.
   */
  private async deliver(cmd: CommandRow, { onlyIfHeld = false } = {}): Promise<boolean> {
    const message: Command = { id: cmd.id, name: cmd.name, params: cmd.params };
    const ttlS = Math.ceil((cmd.expiresAt.getTime() - Date.now()) / 1000);
    const opts = {
      qos: 1 as const,
      properties: {
        responseTopic: deviceTopic(cmd.deviceId, commandResponseSuffix(cmd.id)),
        correlationData: Buffer.from(cmd.id),
        ...(ttlS > 0 ? { messageExpiryInterval: ttlS } : {}),
      },
    };
    const payload = JSON.stringify(message);
    const subscribed =
      onlyIfHeld && this.broker.publishIfHeld
        ? await this.broker.publishIfHeld(cmd.deviceId, SUFFIX.commands, payload, opts)
        : await this.broker.publishToDevice(cmd.deviceId, SUFFIX.commands, payload, opts);
    if (subscribed) await this.twins.markDelivered(cmd.id);
    return subscribed;
  }

  /** The desired state and its delta, retained, so a device gets it whenever it subscribes. */
  private async publishDesired(row: TwinRow) {
    const twin = publicTwin(row);
    const message: TwinDesired = { version: twin.version, desired: twin.desired, delta: twin.delta };
    await this.broker.publishToDevice(row.deviceId, SUFFIX.twinDesired, JSON.stringify(message), {
      qos: 1,
      retain: true,
    });
  }

  private async owned(orgId: string, deviceId: string) {
    const device = await this.devices.find(orgId, deviceId);
    if (!device) throw new NotFound('No such device');
    return device;
  }
}

/** The payload's JSON, or undefined when it is not JSON. */
function parseJson(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Keys of desired whose value reported does not match. */
function delta(desired: Record<string, unknown>, reported: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(desired).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(reported[k])),
  );
}

function publicTwin(t: TwinRow) {
  return {
    desired: t.desired,
    reported: t.reported,
    delta: delta(t.desired, t.reported),
    version: t.version,
    desired_at: t.desiredAt?.toISOString() ?? null,
    reported_at: t.reportedAt?.toISOString() ?? null,
  };
}

function publicCommand(c: CommandRow) {
  return {
    id: c.id,
    name: c.name,
    params: c.params ?? null,
    status: c.status,
    result: c.result ?? null,
    created_at: c.createdAt.toISOString(),
    expires_at: c.expiresAt.toISOString(),
    completed_at: c.completedAt?.toISOString() ?? null,
  };
}
