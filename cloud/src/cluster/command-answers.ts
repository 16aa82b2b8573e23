import type { Logger } from 'pino';
import type { CommandAnswers } from '../twin/twin.service.ts';
import type { NatsConnection } from './nats.ts';

const ANSWERED = 'iotp.commands.answered';

/**
 * Several nodes: a device answers a command on the node it is connected to, while the caller
 * waits on the node its request reached. The answering node announces it on NATS; every node hands
 * it to its waiting callers (`onAnswer`), which read the stored answer.
 * @example const answers = new NatsCommandAnswers({ nc, logger }); answers.listen((d, c) => twins.answered(d, c));
 */
export class NatsCommandAnswers implements CommandAnswers {
  private readonly nc: NatsConnection;
  private readonly log: Logger;

  constructor(o: { nc: NatsConnection; logger: Logger }) {
    this.nc = o.nc;
    this.log = o.logger.child({ component: 'command-answers' });
  }

  announce(deviceId: string, commandId: string): void {
    try {
      this.nc.publish(ANSWERED, JSON.stringify({ deviceId, commandId }));
    } catch (err) {
      this.log.warn({ err, deviceId, commandId }, 'command answer not announced to the other nodes');
    }
  }

  listen(onAnswer: (deviceId: string, commandId: string) => void): void {
    this.nc.subscribe(ANSWERED, {
      callback: (err, msg) => {
        if (err) return this.log.error({ err }, 'command answers subscription failed');
        try {
          const { deviceId, commandId } = msg.json<{ deviceId: unknown; commandId: unknown }>();
          if (typeof deviceId === 'string' && typeof commandId === 'string') onAnswer(deviceId, commandId);
          else this.log.warn('command answer ignored: not a device and command id');
        } catch (cause) {
          this.log.warn({ err: cause }, 'command answer ignored: not JSON');
        }
      },
    });
  }
}
