import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { exportFile } from './export.ts';

async function* slowly<T>(rows: T[]) {
  for (const row of rows) yield row;
}

describe('exportFile', () => {
  it('streams CSV under the first row’s keys, as an attachment', async () => {
    const app = new Hono().get('/', (c) =>
      exportFile(c, {
        format: 'csv',
        name: 'audit',
        rows: slowly([
          { id: 1, memo: 'a, b' },
          { id: 2, memo: '=1' },
        ]),
      }),
    );
    const res = await app.request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="audit.csv"');
    expect(await res.text()).toBe('id,memo\r\n1,"a, b"\r\n2,\'=1\r\n');
  });

  it('writes the named columns in order, and their header even for no rows', async () => {
    const app = new Hono()
      .get('/none', (c) => exportFile(c, { format: 'csv', name: 'x', rows: [], columns: ['b', 'a'] }))
      .get('/some', (c) =>
        exportFile(c, { format: 'csv', name: 'x', rows: [{ a: 1, b: 2 }], columns: ['b', 'a'], status: 201 }),
      );
    expect(await (await app.request('/none')).text()).toBe('b,a\r\n');
    const res = await app.request('/some');
    expect(res.status).toBe(201);
    expect(await res.text()).toBe('b,a\r\n2,1\r\n');
  });

  it('streams NDJSON, one object a line', async () => {
    const app = new Hono().get('/', (c) =>
      exportFile(c, { format: 'ndjson', name: 'telemetry', rows: slowly([{ a: 1 }, { a: 'two' }]) }),
    );
    const res = await app.request('/');
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="telemetry.ndjson"');
    expect(await res.text()).toBe('{"a":1}\n{"a":"two"}\n');
  });

  it('fails before answering when the first row does, so the error handler answers it', async () => {
    const refused: AsyncIterable<{ a: number }> = {
      [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error('refused')) }),
    };
    const app = new Hono().get('/', (c) => exportFile(c, { format: 'ndjson', name: 'x', rows: refused }));
    app.onError((err, c) => c.text(err.message, 400));
    const res = await app.request('/');
    expect(res.status).toBe(400);
    expect(await res.text()).toBe('refused');
  });
});
