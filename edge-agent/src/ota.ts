import { exec } from 'node:child_process';
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { OtaJob, OtaJobMessage, type OtaStatusReport, SignedManifest, signatureProblem } from '@iotp/protocol';
import type { Logger } from 'pino';
import { lt, valid } from 'semver';
import type { AgentConfig } from './config.ts';
import { applyDelta, DELTA_FORMATS, DeltaFailed } from './delta.ts';
import { resumableDownload } from './download.ts';
import { readJson, writeAtomic } from './files.ts';
import { type SlotState, Slots } from './slots.ts';

const run = promisify(exec);

type State = 'downloading' | 'downloaded' | 'verifying' | 'installing' | 'rebooting';

/** The update under way, on disk so a restart (or a power cut) goes on where it stopped. */
interface Progress {
  job: OtaJob;
  state: State;
}

export type Report = OtaStatusReport;

/** A file's size and SHA-256, streamed. */
async function digest(path: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { size, sha256: hash.digest('hex') };
}

const sha256Of = async (path: string) => (await digest(path)).sha256;

class JobFailed extends Error {
  constructor(
    message: string,
    readonly state: 'failed' | 'rolled_back' = 'failed',
  ) {
    super(message);
  }
}

/**
 * Over-the-air updates on the device: download (resumable), verify against pinned keys, install
 * into the inactive slot, switch, restart, health check, then commit or roll back. Each step is
 * recorded before it starts, so `resume()` after a restart finishes or undoes what was cut.
 */
export class OtaAgent {
  private current: Progress | undefined;
  private running: Promise<void> | undefined;
  private readonly slots: Slots;
  private readonly trusted: Promise<KeyObject[]>;
  private urlWaiter: ((url: string) => void) | undefined;
  private cancelled = false;

  constructor(
    private readonly config: AgentConfig,
    private readonly o: {
      report: (r: Report) => void;
      /** Asks the platform to send the job again (a fresh download URL). */
      requestJob: () => void;
      /** The firmware version is now this (committed). */
      installed: (version: string) => Promise<void>;
      firmwareVersion: () => string;
      log: Logger;
    },
  ) {
    this.slots = new Slots(config.ota.slots_dir);
    this.trusted = Promise.all(config.ota.public_keys.map(async (p) => createPublicKey(await readFile(p, 'utf8'))));
  }

  /** The job under way and its step, for `status`. */
  get status() {
    return this.current
      ? { job_id: this.current.job.job_id, version: this.current.job.version, state: this.current.state }
      : null;
  }

  slotState(): Promise<SlotState> {
    return this.slots.state(this.o.firmwareVersion());
  }

  /** After a start: goes on with an update that was under way. */
  async resume(): Promise<void> {
    await this.slots.state(this.o.firmwareVersion());
    const saved = await readJson<Progress | null>(this.progressPath, null);
    if (!saved) return;
    this.o.log.info({ job: saved.job.job_id, state: saved.state }, 'resuming the update that was under way');
    this.current = saved;
    this.start();
  }

  /** A message on `ota/job`; one that is not a job or a cancel is logged and dropped. */
  async onJob(message: unknown): Promise<void> {
    const parsed = OtaJobMessage.safeParse(message);
    if (!parsed.success) {
      // What a job lacks: the union's own complaint names no field.
      const issues = OtaJob.safeParse(message).error?.issues ?? parsed.error.issues;
      const problems = issues.map((i) => `${i.path.join('.') || 'job'}: ${i.message}`).join('; ');
      this.o.log.warn({ problems }, 'OTA job refused: not a job the agent can read');
      return;
    }
    const job = parsed.data;
    if ('cancel' in job) {
      if (
        this.current?.job.job_id === job.job_id &&
        ['downloading', 'downloaded', 'verifying'].includes(this.current.state)
      ) {
        this.o.log.info({ job: job.job_id }, 'update cancelled by the platform');
        this.cancelled = true;
      }
      return;
    }
    if (this.current) {
      // The same job again: it carries a fresh URL.
      if (this.current.job.job_id === job.job_id) {
        this.current.job.url = job.url;
        this.current.job.delta_url = job.delta_url;
        this.urlWaiter?.(job.url);
      } else this.o.log.info({ job: job.job_id }, 'another update is under way; this job waits for its turn');
      return;
    }
    if (job.version === this.o.firmwareVersion()) {
      this.o.report({ job_id: job.job_id, state: 'succeeded', progress: 100 });
      return;
    }
    this.current = { job, state: 'downloading' };
    await this.save();
    this.start();
  }

  /** Resolves when no update is running. */
  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private start() {
    this.running ??= this.work()
      .catch((err) => this.o.log.error({ err }, 'update stopped unexpectedly'))
      .finally(() => {
        this.running = undefined;
      });
  }

  private async work() {
    const p = this.current!;
    const id = p.job.job_id;
    try {
      const manifest = this.manifest(p.job);
      const artifact = join(this.config.state_dir, 'download', `${manifest.sha256}.part`);
      for (;;) {
        this.o.report({ job_id: id, state: p.state });
        if (p.state === 'downloading') {
          this.checkApplicable(manifest);
          if (!(await this.fromDelta(p.job, manifest, artifact))) await this.download(p.job, artifact, manifest.size);
          await this.move('downloaded');
        } else if (p.state === 'downloaded') {
          await this.move('verifying');
        } else if (p.state === 'verifying') {
          await this.verify(manifest, artifact);
          await this.move('installing');
        } else if (p.state === 'installing') {
          await this.install(manifest, artifact);
          await this.move('rebooting');
        } else {
          await this.switchAndCheck(p.job, manifest.version);
          break;
        }
        if (this.cancelled) throw new JobFailed('cancelled');
      }
      await rm(artifact, { force: true });
      this.o.report({ job_id: id, state: 'succeeded', progress: 100 });
    } catch (err) {
      const failure = err instanceof JobFailed ? err : new JobFailed((err as Error).message);
      this.o.log.warn({ job: id, state: p.state, error: failure.message }, `update ${failure.state}`);
      if (!this.cancelled) this.o.report({ job_id: id, state: failure.state, error: failure.message });
      await rm(join(this.config.state_dir, 'download'), { recursive: true, force: true });
    }
    this.current = undefined;
    this.cancelled = false;
    await rm(this.progressPath, { force: true });
    // A job that arrived while this one ran: ask for it again.
    this.o.requestJob();
  }

  private manifest(job: OtaJob) {
    // The schema is the one check of what the platform names: the artifact must be a plain file
    // name, and the download is named by the SHA-256 alone, so neither can lead out of its folder.
    const parsed = SignedManifest.safeParse(job.manifest);
    if (!parsed.success)
      throw new JobFailed(
        `the job carries no valid signed manifest: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    return parsed.data;
  }

  private checkApplicable(m: SignedManifest) {
    if (!m.hardware.includes(this.config.hardware))
      throw new JobFailed(`built for ${m.hardware.join(', ')}, this device is ${this.config.hardware}`);
    const current = this.o.firmwareVersion();
    if (m.min_version && valid(current) && lt(current, m.min_version))
      throw new JobFailed(`needs at least ${m.min_version} installed; this device runs ${current}`);
  }

  private async download(job: OtaJob, path: string, size: number) {
    await mkdir(join(this.config.state_dir, 'download'), { recursive: true });
    await resumableDownload({
      url: () => job.url,
      path,
      size,
      renewUrl: () => this.freshUrl(job),
      progress: (percent) => this.o.report({ job_id: job.job_id, state: 'downloading', progress: percent }),
      stopped: () => this.cancelled,
      log: this.o.log,
    });
  }

  /**
   * Rebuilds the artifact from the job's delta and the active slot's kept artifact, when the job
   * offers one this device can use. Anything that does not match (the base, the delta's bytes, the
   * rebuilt artifact's size or SHA-256) leaves nothing behind and answers false: the full download follows.
   */
  private async fromDelta(job: OtaJob, m: SignedManifest, artifact: string): Promise<boolean> {
    const d = m.delta;
    const current = this.o.firmwareVersion();
    if (!job.delta_url || !d || !DELTA_FORMATS.includes(d.format) || d.base_version !== current) return false;
    // The delta's names and hashes count only under a signature the device trusts.
    if (signatureProblem(m, await this.trusted)) return false;
    const base = this.slots.artifactPath((await this.slots.state(current)).active);
    const part = join(this.config.state_dir, 'download', `${d.sha256}.delta.part`);
    try {
      if ((await sha256Of(base).catch(() => undefined)) !== d.base_sha256)
        throw new DeltaFailed(`no kept artifact of ${current} with the delta's base SHA-256`);
      await mkdir(join(this.config.state_dir, 'download'), { recursive: true });
      await resumableDownload({
        url: () => job.delta_url!,
        path: part,
        size: d.size,
        renewUrl: () => this.freshUrl(job),
        progress: (percent) => this.o.report({ job_id: job.job_id, state: 'downloading', progress: percent }),
        stopped: () => this.cancelled,
        log: this.o.log,
        maxFailures: 3,
      });
      if ((await sha256Of(part)) !== d.sha256) throw new DeltaFailed('the delta does not match its signed SHA-256');
      const rebuilt = await applyDelta(base, await readFile(part), artifact);
      if (rebuilt.size !== m.size || rebuilt.sha256 !== m.sha256)
        throw new DeltaFailed('the rebuilt artifact does not match the signed manifest');
      this.o.log.info({ base: current, delta_bytes: d.size, size: m.size }, `rebuilt ${m.version} from a delta`);
      return true;
    } catch (err) {
      if (this.cancelled) throw new JobFailed('cancelled');
      this.o.log.warn({ error: (err as Error).message }, 'delta not used; downloading the full artifact');
      await rm(artifact, { force: true });
      return false;
    } finally {
      await rm(part, { force: true });
    }
  }

  private freshUrl(job: OtaJob): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.urlWaiter = undefined;
        resolve();
      }, 30_000);
      this.urlWaiter = (url) => {
        clearTimeout(timer);
        this.urlWaiter = undefined;
        job.url = url;
        resolve();
      };
      this.o.requestJob();
    });
  }

  /** The signature against the pinned keys, then the bytes against the signed size and SHA-256. */
  private async verify(m: SignedManifest, path: string) {
    const problem = signatureProblem(m, await this.trusted);
    if (problem) throw new JobFailed(`signature refused: ${problem}`);
    const { size, sha256 } = await digest(path);
    if (size !== m.size || sha256 !== m.sha256)
      throw new JobFailed('the artifact does not match its signed manifest (size or SHA-256)');
  }

  private async install(m: SignedManifest, artifact: string) {
    const state = await this.slots.state(this.o.firmwareVersion());
    // Installing again after a cut: the slot is refilled from the start.
    const target = Slots.other(state.trial ? state.trial.previous : state.active);
    await this.slots.fill(target, artifact, m.artifact);
    if (this.config.ota.install_command) {
      await run(this.config.ota.install_command, {
        env: { ...process.env, SLOT_DIR: this.slots.path(target), ARTIFACT: artifact, VERSION: m.version },
      }).catch((err: Error & { stderr?: string }) => {
        throw new JobFailed(`install command failed: ${(err.stderr || err.message).trim().slice(0, 500)}`);
      });
    }
  }

  /** Switches to the new slot, restarts, and commits if healthy within the deadline, else rolls back. */
  private async switchAndCheck(job: OtaJob, version: string) {
    let state = await this.slots.state(this.o.firmwareVersion());
    if (!state.trial && state.versions[state.active] === version) {
      // Committed just before a cut: only the version record was left to write.
      if (this.o.firmwareVersion() !== version) await this.o.installed(version);
      return;
    }
    if (state.trial?.job_id !== job.job_id) {
      const target = Slots.other(state.active);
      state = await this.slots.activate(state, target, version, {
        job_id: job.job_id,
        version,
        previous: state.active,
      });
    }
    const problem = (await this.restart(state)) ?? (await this.health());
    if (!problem) {
      await this.slots.activate(state, state.active, version);
      await this.o.installed(version);
      this.o.log.info({ version }, 'update committed');
      return;
    }
    const back = await this.slots.activate(state, state.trial!.previous, state.versions[state.trial!.previous] ?? '');
    await this.restart(back);
    throw new JobFailed(
      `${problem}; rolled back to ${back.versions[back.active] ?? 'the previous slot'}`,
      'rolled_back',
    );
  }

  private async restart(state: SlotState): Promise<string | undefined> {
    const command = this.config.ota.restart_command;
    if (!command) return undefined;
    try {
      await run(command, { env: { ...process.env, SLOT_DIR: this.slots.path(state.active) } });
      return undefined;
    } catch (err) {
      return `restart command failed: ${((err as Error & { stderr?: string }).stderr || (err as Error).message).trim().slice(0, 300)}`;
    }
  }

  /** The health check once, on the active slot: undefined when healthy (or none is set), else what failed. */
  async checkHealth(): Promise<string | undefined> {
    const h = this.config.ota.health;
    if (!h || (!h.command && !h.url)) return undefined;
    const state = await this.slotState();
    try {
      if (h.command) await run(h.command, { env: { ...process.env, SLOT_DIR: this.slots.path(state.active) } });
      else {
        const res = await fetch(h.url!, { signal: AbortSignal.timeout(h.interval_s * 1000) });
        if (!res.ok) throw new Error(`answered ${res.status}`);
      }
      return undefined;
    } catch (err) {
      return ((err as Error & { stderr?: string }).stderr || (err as Error).message).trim().slice(0, 200) || 'failed';
    }
  }

  /** Retries the health check until it passes or the deadline comes. */
  private async health(): Promise<string | undefined> {
    const h = this.config.ota.health;
    if (!h || (!h.command && !h.url)) return undefined;
    const deadline = Date.now() + h.deadline_s * 1000;
    let last: string | undefined;
    while (Date.now() < deadline) {
      last = await this.checkHealth();
      if (last === undefined) return undefined;
      await new Promise((r) => setTimeout(r, h.interval_s * 1000));
    }
    return `health check failed within ${h.deadline_s} s${last ? `: ${last}` : ''}`;
  }

  private async move(state: State) {
    this.current!.state = state;
    await this.save();
  }

  private save() {
    return writeAtomic(this.progressPath, JSON.stringify(this.current));
  }

  private get progressPath() {
    return join(this.config.state_dir, 'ota.json');
  }
}
