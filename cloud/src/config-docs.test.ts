import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { configVariables, envExample, withReadmeTable } from './config-docs.ts';

const root = new URL('../../', import.meta.url);
const STALE = 'stale: run `npm run config:docs` and commit the result';

describe('the configuration docs', () => {
  it('describe every variable, with its default', () => {
    const vars = configVariables();
    expect(vars.filter((v) => !v.meaning).map((v) => v.name)).toEqual([]);
    expect(vars.find((v) => v.name === 'HTTP_PORT')).toMatchObject({ fallback: '8080' });
    expect(vars.find((v) => v.name === 'WRITER_EAGER')).toMatchObject({ fallback: 'true' });
    expect(vars.find((v) => v.name === 'DATABASE_URL')).toMatchObject({ fallback: undefined });
  });

  it('are committed as generated: .env.example and the README table', async () => {
    expect(await readFile(new URL('.env.example', root), 'utf8'), STALE).toBe(envExample());
    const readme = await readFile(new URL('README.md', root), 'utf8');
    expect(readme, STALE).toBe(withReadmeTable(readme));
  });
});
