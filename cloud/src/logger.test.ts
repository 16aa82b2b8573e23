import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';

/** A stream that keeps what is written to it. */
function sink() {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

describe('createLogger', () => {
  it('writes readable lines on a terminal, and JSON lines otherwise or when asked', () => {
    const onTty = sink();
    createLogger({ level: 'info', format: 'auto', tty: true, destination: onTty.stream }).info(
      { deviceId: 'd1' },
      'device connected',
    );
    expect(onTty.text()).toMatch(/INFO.*device connected/);
    expect(onTty.text()).toMatch(/deviceId: "d1"/);
    expect(onTty.text()).not.toMatch(/^\{/);

    for (const [format, tty] of [
      ['auto', false],
      ['json', true],
    ] as const) {
      const out = sink();
      createLogger({ level: 'info', format, tty, destination: out.stream }).info(
        { deviceId: 'd1' },
        'device connected',
      );
      expect(JSON.parse(out.text())).toMatchObject({ level: 30, deviceId: 'd1', msg: 'device connected' });
    }
  });
});
