import { readFile } from 'node:fs/promises';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('..', import.meta.url).pathname;

interface Lock {
  packages: Record<string, { version?: string; dev?: boolean; engines?: { node?: string } | string[] }>;
}

/**
 * The Node.js the project declares it runs on is the oldest every dependency must run on: a
 * dependency that needs a newer Node (as @nats-io/nuid 3 needs 22) fails here, not on a device.
 */
describe('engines', () => {
  it('installs no runtime dependency that needs a newer Node.js than the project declares', async () => {
    const root = JSON.parse(await readFile(`${ROOT}package.json`, 'utf8')) as { engines: { node: string } };
    const oldest = semver.minVersion(root.engines.node)!.version;
    const lock = JSON.parse(await readFile(`${ROOT}package-lock.json`, 'utf8')) as Lock;
    const refusing = Object.entries(lock.packages)
      .filter(([path, p]) => path.includes('node_modules/') && !p.dev)
      .flatMap(([path, p]) => {
        const wants = Array.isArray(p.engines) ? undefined : p.engines?.node;
        return wants && !semver.satisfies(oldest, wants) ? [`${path}@${p.version} wants node ${wants}`] : [];
      });
    expect(refusing, `the project declares node ${root.engines.node}`).toEqual([]);
  });
});
