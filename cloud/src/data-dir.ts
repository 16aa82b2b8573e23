import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '@iotp/broker';

/**
 * Creates DATA_DIR when missing and checks that it takes files, so an unusable one stops start-up
 * with one line before the database or the spill trip over it.
 * @example await prepareDataDir(config.DATA_DIR);
 */
export async function prepareDataDir(dir: string): Promise<void> {
  try {
    await makeDirectory(resolve(dir));
    const probe = join(dir, `.write-test-${process.pid}`);
    await writeFile(probe, '');
    await rm(probe);
  } catch (err) {
    throw new ConfigError([`DATA_DIR: ${dir} is not a writable directory (${(err as Error).message})`]);
  }
}

/**
 * `mkdir -p` that gives up: where a parent exists but refuses children with ENOENT (under /proc, a
 * dangling symlink), Node's own recursive mkdir, and the libraries built on it, retry forever.
 */
async function makeDirectory(dir: string): Promise<void> {
  try {
    await mkdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return; // a file in the way fails the probe
    if (code !== 'ENOENT' || dirname(dir) === dir) throw err;
    await makeDirectory(dirname(dir));
    await mkdir(dir); // the parent exists now: another ENOENT is final
  }
}
