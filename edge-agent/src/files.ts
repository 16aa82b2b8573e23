import { open, readFile, rename } from 'node:fs/promises';

/** Writes a file so that a power cut leaves the old or the new content, never half: temp file, fsync, rename. */
let serial = 0;
export async function writeAtomic(path: string, data: string | Buffer): Promise<void> {
  const tmp = `${path}.${process.pid}.${++serial}.tmp`;
  const file = await open(tmp, 'w');
  try {
    await file.writeFile(data);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(tmp, path);
}

/** A JSON file's content, or `fallback` when it does not exist or is unreadable. */
export async function readJson<T>(path: string, fallback: T): Promise<T> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return fallback;
  }
}
