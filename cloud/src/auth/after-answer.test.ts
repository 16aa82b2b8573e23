import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { AfterAnswer } from './after-answer.ts';

describe('AfterAnswer', () => {
  it('starts the work only after the caller has returned, and settled() waits for all of it', async () => {
    const queue = new AfterAnswer(pino({ level: 'silent' }));
    const done: string[] = [];
    queue.run('first', async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      done.push('first');
      // Work queued by work is waited for too.
      queue.run('second', async () => void done.push('second'));
    });
    expect(done).toEqual([]);
    await queue.settled();
    expect(done).toEqual(['first', 'second']);
  });

  it('logs a failure instead of passing it on: the caller has had its answer', async () => {
    const lines: { msg: string }[] = [];
    const log = pino({ level: 'error' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const queue = new AfterAnswer(log);
    queue.run('sign-up', async () => {
      throw new Error('mail server down');
    });
    await queue.settled();
    expect(lines.map((l) => l.msg)).toEqual(['sign-up: work after the answer failed']);
  });
});
