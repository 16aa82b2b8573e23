import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';

// patches/postgres+3.4.9.patch: postgres.js keeps its pool's connection lists in this queue.
type Queue<T> = {
  readonly length: number;
  push(x: T): T;
  shift(): T | undefined;
  pop(): T | undefined;
  remove(x: T): T | null;
};
const queueFile = join(dirname(createRequire(import.meta.url).resolve('postgres')), 'queue.js');
const { default: Queue } = (await import(pathToFileURL(queueFile).href)) as { default: <T>() => Queue<T> };

describe("postgres.js's pool queue (patched)", () => {
  it('keeps first-in first-out order through shifts, pushes and removals', () => {
    const q = Queue<number>();
    for (let i = 0; i < 100; i++) q.push(i);
    const out: number[] = [];
    for (let i = 0; i < 60; i++) out.push(q.shift()!);
    expect(q.remove(70)).toBe(70);
    expect(q.remove(70)).toBeNull();
    expect(q.remove(10)).toBeNull(); // already shifted out
    q.push(100);
    while (q.length) out.push(q.shift()!);
    expect(out).toEqual([...Array.from({ length: 101 }, (_, i) => i)].filter((i) => i !== 70));
  });

  it('finds a member after many rotations, as a busy pool rotates its connections', () => {
    const q = Queue<string>();
    for (const c of ['a', 'b', 'c']) q.push(c);
    for (let i = 0; i < 99_999; i++) q.push(q.shift()!);
    expect(q.length).toBe(3);
    expect(q.remove('b')).toBe('b');
    expect([q.shift(), q.shift(), q.shift()]).toEqual(['a', 'c', undefined]);
    expect(q.length).toBe(0);
  });

  it('gives its newest entry, around shifted-out holes and when empty', () => {
    const q = Queue<number>();
    expect(q.pop()).toBeUndefined();
    for (let i = 0; i < 5; i++) q.push(i);
    expect(q.shift()).toBe(0);
    expect([q.pop(), q.pop()]).toEqual([4, 3]);
    q.push(5);
    expect([q.pop(), q.pop(), q.pop(), q.pop()]).toEqual([5, 2, 1, undefined]);
    expect(q.length).toBe(0);
    q.push(6);
    expect(q.shift()).toBe(6);
  });

  describe('in a pool', () => {
    const sql = postgres(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', {
      max: 3,
      onnotice: () => undefined,
    });
    afterAll(() => sql.end());

    it('answers every one of many concurrent queries on few connections, each its own', async () => {
      const answers = await Promise.all(
        Array.from({ length: 2000 }, (_, i) => sql<{ n: number }[]>`SELECT ${i}::int AS n`.then((r) => r[0]!.n)),
      );
      expect(answers).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    });

    it('hands out the idle connection it used last, not the one idle longest', async () => {
      // All three connections open and idle, then one query at a time: each finds the last one's.
      const pid = async (sleepS: number) =>
        (await sql<{ pid: number }[]>`SELECT pg_backend_pid() AS pid, pg_sleep(${sleepS})`)[0]!.pid;
      const opened = await Promise.all([0, 1, 2].map(() => pid(0.05)));
      expect(new Set(opened).size).toBe(3);
      const pids = () => pid(0);
      const used = [];
      for (let i = 0; i < 6; i++) used.push(await pids());
      expect(new Set(used).size).toBe(1);
    });
  });
});
