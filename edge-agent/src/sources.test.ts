import { describe, expect, it } from 'vitest';
import { parseValues } from './sources.ts';

describe('source output', () => {
  it.each([
    ['{"temp": 21.5, "ok": true, "deep": {"x": 1}}', undefined, { temp: 21.5, ok: true }],
    ['temp 21.5\nstate running\n', undefined, { temp: 21.5, state: 'running' }],
    ['48.3\n', 'cpu_temp', { cpu_temp: 48.3 }],
    ['', 'cpu_temp', undefined],
    ['{not json', undefined, undefined],
  ])('reads %j', (text, metric, expected) => {
    expect(parseValues(text, metric)).toEqual(expected);
  });
});
