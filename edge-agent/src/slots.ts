import { cp, mkdir, rename, rm, symlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { FileName } from '@iotp/protocol';
import { x as extract, type ReadEntry } from 'tar';
import { readJson, writeAtomic } from './files.ts';

export type SlotName = 'a' | 'b';

/** An artifact that would write outside its slot. */
export class UnsafeArtifact extends Error {
  override name = 'UnsafeArtifact';
}

export interface SlotState {
  active: SlotName;
  versions: Partial<Record<SlotName, string>>;
  /** Set between a switch and its commit: the update being tried and the slot to go back to. */
  trial?: { job_id: string; version: string; previous: SlotName };
}

/**
 * An A/B layout of folders: `a/` and `b/`, `slots.json` saying which is active, and a `current`
 * link to it for the application to run from. Updates go to the inactive slot; a switch is undone
 * unless committed.
 */
export class Slots {
  private ready: Promise<void> | undefined;

  constructor(private readonly dir: string) {}

  /** The layout's state; made on first use (slot `a` active, holding `initialVersion`). */
  async state(initialVersion: string): Promise<SlotState> {
    this.ready ??= this.init(initialVersion);
    await this.ready;
    return (await readJson<SlotState | null>(this.statePath, null))!;
  }

  private async init(initialVersion: string): Promise<void> {
    await mkdir(join(this.dir, 'a'), { recursive: true });
    await mkdir(join(this.dir, 'b'), { recursive: true });
    const state = await readJson<SlotState | null>(this.statePath, null);
    if (!state) await this.save({ active: 'a', versions: { a: initialVersion } });
  }

  path(slot: SlotName): string {
    return join(this.dir, slot);
  }

  /** The artifact a slot was filled from, kept beside it: the base a delta to the next version applies to. */
  artifactPath(slot: SlotName): string {
    return join(this.dir, `${slot}.artifact`);
  }

  static other(slot: SlotName): SlotName {
    return slot === 'a' ? 'b' : 'a';
  }

  /**
   * Writes an artifact into a slot: a .tar.gz or .tar is unpacked, anything else copied as it is,
   * and the artifact is kept beside the slot (`artifactPath`) for a later delta. Nothing
   * lands outside the slot: a name that is not a plain file name, or an archive with an entry
   * that would leave the slot, fails the install and leaves the slot empty.
   */
  async fill(slot: SlotName, artifact: string, artifactName: string): Promise<void> {
    const path = this.path(slot);
    await rm(path, { recursive: true, force: true });
    await rm(this.artifactPath(slot), { force: true });
    await mkdir(path, { recursive: true });
    // The manifest schema refuses such names already; checked again where a name becomes a path.
    if (!FileName.safeParse(artifactName).success) throw new UnsafeArtifact(`not a plain file name: ${artifactName}`);
    await this.unpack(path, artifact, artifactName);
    await cp(artifact, this.artifactPath(slot));
  }

  private async unpack(path: string, artifact: string, artifactName: string): Promise<void> {
    if (!/\.(tar\.gz|tgz|tar)$/.test(artifactName)) return cp(artifact, join(path, artifactName));
    let refused: string | undefined;
    try {
      await extract({
        file: artifact,
        cwd: path,
        // Never absolute paths or `..` (tar's default, stated so no one turns it off), and every
        // warning (an entry skipped, a root stripped, an unsupported type) fails the install
        // instead of leaving a slot with files missing.
        preservePaths: false,
        strict: true,
        // Our own rule besides tar's: each entry, and the target of each link, stays in the slot.
        filter: (_path, entry) => {
          const problem = escapes(entry as ReadEntry);
          refused ??= problem;
          return !problem;
        },
      });
    } catch (err) {
      refused ??= (err as Error).message;
    }
    if (refused) {
      await rm(path, { recursive: true, force: true });
      await mkdir(path, { recursive: true });
      throw new UnsafeArtifact(`the archive was refused: ${refused}`);
    }
  }

  /** Makes `slot` active (as a trial when `trial` is given) and points `current` at it. */
  async activate(state: SlotState, slot: SlotName, version: string, trial?: SlotState['trial']): Promise<SlotState> {
    const next: SlotState = { active: slot, versions: { ...state.versions, [slot]: version }, trial };
    await this.save(next);
    return next;
  }

  async save(state: SlotState): Promise<void> {
    await writeAtomic(this.statePath, JSON.stringify(state, null, 2));
    // Swap the link atomically: make it beside, then rename over.
    const tmp = join(this.dir, `current.${process.pid}.tmp`);
    await rm(tmp, { force: true });
    await symlink(state.active, tmp);
    await rename(tmp, join(this.dir, 'current'));
  }

  private get statePath() {
    return join(this.dir, 'slots.json');
  }
}

/** What takes a tar entry (or the target of a link) out of the folder it unpacks into, if anything. */
function escapes(entry: ReadEntry): string | undefined {
  const climbs = (p: string) => {
    const normal = posix.normalize(p.replaceAll('\\', '/'));
    return posix.isAbsolute(normal) || normal === '..' || normal.startsWith('../');
  };
  if (entry.path.includes('\0') || climbs(entry.path)) return `entry ${entry.path} leaves the slot`;
  if (entry.type === 'SymbolicLink' || entry.type === 'Link') {
    const target = String(entry.linkpath ?? '').replaceAll('\\', '/');
    // A symbolic link resolves from its own folder, a hard link from the archive's root.
    const from = entry.type === 'SymbolicLink' ? posix.dirname(entry.path) : '.';
    if (posix.isAbsolute(target) || climbs(posix.join(from, target)))
      return `link ${entry.path} -> ${target} leaves the slot`;
  }
  return undefined;
}
