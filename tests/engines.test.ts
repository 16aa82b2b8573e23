import { readFile } from 'node:fs/promises';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('..', import.meta.url).pathname;

interface Lock {
  packages: Record<string, unknown>;
}
interface Manifest {
  version?: string;
  engines?: { node?: string } | string[];
}

/**
 * The Node.js lines the project declares (package.json `engines`: 20, 22 and 24) are ones every
 * installed package runs on, from the oldest release we name in each: a dependency that needs a newer
 * Node (as commander 15 needs 22.12, @nats-io/nuid 3 needs 22) fails here, not on a device. Packages
 * npm left out here (optional builds for other platforms) are not checked.
 */
describe('engines', () => {
  it('installs no package that refuses a Node.js release the project declares', async () => {
    const root = JSON.parse(await readFile(`${ROOT}package.json`, 'utf8')) as { engines: { node: string } };
    const releases = root.engines.node.split('||').map((range) => semver.minVersion(range)!.version);
    expect(releases.map((v) => semver.major(v))).toEqual([20, 22, 24]);
    // Every package npm installed (the lock's paths that are on disk), as its own package.json says.
    const lock = JSON.parse(await readFile(`${ROOT}package-lock.json`, 'utf8')) as Lock;
    const installed = Object.keys(lock.packages).filter((path) => path.includes('node_modules/'));
    const manifests = await Promise.all(
      installed.map((path) =>
        readFile(`${ROOT}${path}/package.json`, 'utf8').then(
          (text) => ({ path, ...(JSON.parse(text) as Manifest) }),
          () => undefined, // not installed here: an optional build for another platform
        ),
      ),
    );
    const refusing = manifests.flatMap((p) => {
      const wants = p && !Array.isArray(p.engines) ? p.engines?.node : undefined;
      const refused = wants ? releases.filter((v) => !semver.satisfies(v, wants)) : [];
      return refused.length ? [`${p!.path}@${p!.version} wants node ${wants}, refuses ${refused.join(', ')}`] : [];
    });
    expect(manifests.filter(Boolean).length).toBeGreaterThan(100);
    expect(refusing, `the project declares node ${root.engines.node}`).toEqual([]);
  });

  it('declares the same Node.js in every workspace (the edge agent installs alone on a device)', async () => {
    const read = async (dir: string) =>
      JSON.parse(await readFile(`${ROOT}${dir}package.json`, 'utf8')) as { engines?: unknown; workspaces?: string[] };
    const root = await read('');
    for (const w of root.workspaces!) expect((await read(`${w}/`)).engines, w).toEqual(root.engines);
  });
});
