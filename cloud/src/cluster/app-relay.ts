import { randomUUID } from 'node:crypto';
import { headers as natsHeaders, type Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { NatsConnection } from './nats.ts';

/** Nodes say which organizations have applications connected to them, and ask each other again. */
const INTEREST = 'iotp.apps.interest';
const SYNC = 'iotp.apps.sync';
const data = (orgId: string) => `iotp.apps.data.${orgId}`;
/** A node re-announces what it holds this often; an announcement not renewed within 3 of them lapses. */
const ANNOUNCE_MS = 30_000;

/** What the relay needs of this node's broker. */
export interface AppBroker {
  onDeviceMessage(listener: (orgId: string, topic: string, payload: Buffer) => void): () => void;
  publishForApps(topic: string, payload: Buffer): Promise<void>;
}

/**
 * Several nodes: an application hears its organization's devices wherever they are connected.
 * A node with applications of an organization subscribes to `iotp.apps.data.{orgId}` and tells
 * the others (`iotp.apps.interest`, renewed every 30 s); a node sends its devices' messages there
 * only for organizations some other node wants, so a cluster without applications sends nothing.
 * Messages come back to the applications only (QoS 0), never twice to the node they came from.
 * @example const relay = new AppRelay({ nc, broker, logger }); orgDevices.onHeld = (org, held) => relay.held(org, held);
 */
export class AppRelay {
  private readonly node = randomUUID();
  /** Organizations held on this node: their data subscription. */
  private readonly local = new Map<string, Subscription>();
  /** Organizations other nodes hold: node -> when it last said so. */
  private readonly remote = new Map<string, Map<string, number>>();
  private readonly relayed: Counter<'direction'>;
  private readonly log: Logger;
  private readonly stops: (() => void)[] = [];

  constructor(private readonly o: { nc: NatsConnection; broker: AppBroker; logger: Logger; registry?: Registry }) {
    this.log = o.logger.child({ component: 'app-relay' });
    this.relayed = new Counter({
      name: 'cluster_app_messages_total',
      help: "Devices' messages relayed between nodes for applications, by direction (sent, received)",
      labelNames: ['direction'] as const,
      registers: o.registry ? [o.registry] : [],
    });
    const interest = o.nc.subscribe(INTEREST, {
      callback: (err, msg) => {
        if (err) return this.log.error({ err }, 'application interest subscription failed');
        try {
          const { orgId, node, held } = msg.json<{ orgId: string; node: string; held: boolean }>();
          if (typeof orgId === 'string' && typeof node === 'string' && node !== this.node)
            this.heard(orgId, node, held);
        } catch (cause) {
          this.log.warn({ err: cause }, 'application interest ignored: not JSON');
        }
      },
    });
    const sync = o.nc.subscribe(SYNC, { callback: () => this.announceAll() });
    this.stops.push(
      () => interest.unsubscribe(),
      () => sync.unsubscribe(),
      o.broker.onDeviceMessage((orgId, topic, payload) => this.send(orgId, topic, payload)),
    );
    const timer = setInterval(() => {
      this.announceAll();
      this.lapse(Date.now() - 3 * ANNOUNCE_MS);
    }, ANNOUNCE_MS);
    timer.unref();
    this.stops.push(() => clearInterval(timer));
    // A node that starts late learns what the others hold.
    o.nc.publish(SYNC);
  }

  /** An organization's first application came to this node (`held`), or its last one left. */
  held(orgId: string, held: boolean): void {
    const sub = this.local.get(orgId);
    if (held && !sub) {
      this.local.set(
        orgId,
        this.o.nc.subscribe(data(orgId), {
          callback: (err, msg) => {
            if (err) return this.log.error({ err, orgId }, 'application data subscription failed');
            const topic = msg.headers?.get('topic');
            if (!topic || msg.headers?.get('node') === this.node) return;
            this.relayed.inc({ direction: 'received' });
            // A copy: the payload is marked, and NATS may reuse its buffer.
            this.o.broker
              .publishForApps(topic, Buffer.from(msg.data))
              .catch((cause) => this.log.warn({ err: cause, orgId }, 'relayed message not handed to applications'));
          },
        }),
      );
    } else if (!held && sub) {
      sub.unsubscribe();
      this.local.delete(orgId);
    }
    this.announce(orgId, held);
  }

  close(): void {
    for (const stop of this.stops) stop();
    for (const [orgId, sub] of this.local) {
      sub.unsubscribe();
      this.announce(orgId, false);
    }
    this.local.clear();
  }

  private send(orgId: string, topic: string, payload: Buffer): void {
    if (!this.remote.get(orgId)?.size) return;
    const h = natsHeaders();
    h.set('topic', topic);
    h.set('node', this.node);
    try {
      this.o.nc.publish(data(orgId), payload, { headers: h });
      this.relayed.inc({ direction: 'sent' });
    } catch (err) {
      this.log.warn({ err, orgId }, 'device message not relayed to other nodes');
    }
  }

  private heard(orgId: string, node: string, held: boolean): void {
    const nodes = this.remote.get(orgId);
    if (held) {
      if (nodes) nodes.set(node, Date.now());
      else this.remote.set(orgId, new Map([[node, Date.now()]]));
    } else if (nodes) {
      nodes.delete(node);
      if (!nodes.size) this.remote.delete(orgId);
    }
  }

  private lapse(before: number): void {
    for (const [orgId, nodes] of this.remote) {
      for (const [node, at] of nodes) if (at < before) nodes.delete(node);
      if (!nodes.size) this.remote.delete(orgId);
    }
  }

  private announce(orgId: string, held: boolean): void {
    try {
      this.o.nc.publish(INTEREST, JSON.stringify({ orgId, node: this.node, held }));
    } catch (err) {
      this.log.warn({ err, orgId }, 'application interest not announced');
    }
  }

  private announceAll(): void {
    for (const orgId of this.local.keys()) this.announce(orgId, true);
  }
}
