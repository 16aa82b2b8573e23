import type { Logger } from 'pino';
import { z } from 'zod';
import type { CommandAnswers } from '../twin/twin.service.ts';
import type { NatsConnection } from './nats.ts';
import { listenJson, publishJson } from './nats-json.ts';

const ANSWERED = 'iotp.commands.answered';
const Answer = z.object({ deviceId: z.string(), commandId: z.string() });

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
    publishJson(this.nc, ANSWERED, { deviceId, commandId }, this.log, 'command answer');
  }

  listen(onAnswer: (deviceId: string, commandId: string) => void): void {
    listenJson(this.nc, ANSWERED, Answer, this.log, 'command answer', (a) => onAnswer(a.deviceId, a.commandId));
  }
}
