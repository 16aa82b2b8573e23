import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { apiDocument } from '@iotp/cloud/api-document';
import { beforeAll, describe, expect, it } from 'vitest';
import { documentText, schemaText } from './generate.ts';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url);
const committed = (path: string) => readFile(new URL(path, root), 'utf8');
const STALE = 'stale: run `npm run sdk:generate` and commit the result';

/** The committed document and SDK types against what the app serves now, and the document against the linter. */
describe('the generated SDK', () => {
  let doc: Record<string, unknown>;
  beforeAll(async () => {
    doc = await apiDocument();
  });

  it('commits the OpenAPI document the app serves', async () => {
    expect(await committed('sdk/openapi.json'), STALE).toBe(documentText(doc));
  });

  it('commits the types generated from it', async () => {
    expect(await committed('sdk/src/schema.ts'), STALE).toBe(await schemaText(doc));
  });

  it("passes Redocly's recommended rules, offline", async () => {
    // redocly.yaml at the root names sdk/openapi.json; the first test proves it is the live document.
    const bin = new URL('node_modules/.bin/redocly', root).pathname;
    const { stdout, stderr } = await run(bin, ['lint', '--format=stylish'], {
      cwd: root.pathname,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
    }).catch((err: { stdout: string; stderr: string }) => {
      throw new Error(`redocly lint failed:\n${err.stdout}\n${err.stderr}`);
    });
    expect(`${stdout}${stderr}`).toMatch(/valid/);
  }, 60_000);
});
