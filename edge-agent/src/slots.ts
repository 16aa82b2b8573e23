import { cp, mkdir, rename, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { x as extract } from 'tar';
import { readJson, writeAtomic } from './files.ts';

export type SlotName = 'a' | 'b';

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

  static other(slot: SlotName): SlotName {
    return slot === 'a' ? 'b' : 'a';
  }

  /** Writes an artifact into a slot: a .tar.gz is unpacked, anything else copied as it is. */
  async fill(slot: SlotName, artifact: string, artifactName: string): Promise<void> {
    const path = this.path(slot);
    await rm(path, { recursive: true, force: true });
    await mkdir(path, { recursive: true });
    if (artifactName.endsWith('.tar.gz') || artifactName.endsWith('.tgz')) await extract({ file: artifact, cwd: path });
    else await cp(artifact, join(path, artifactName));
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
