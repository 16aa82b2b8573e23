import { Command } from 'commander';
import pkg from '../package.json' with { type: 'json' };
import { pack, signManifest, verifyArtifact } from './artifact.ts';
import { completionScript } from './completion.ts';
import { ToolError } from './errors.ts';
import { keygen } from './keys.ts';
import { PlatformClient, type Rollout, type RolloutInput } from './platform.ts';

const ENV_HELP = `
The platform is reached with --url, --org and --api-key, or IOTP_URL, IOTP_ORG and IOTP_API_KEY
(an organization API key with ota:deploy).`;

/** `firmware-tools`: build, sign and check firmware artifacts for over-the-air updates. */
export function program(): Command {
  const cli = new Command('firmware-tools')
    .version(pkg.version, '-V, --version', 'the version of firmware-tools')
    // The tool's own options before the command, so `pack --version 1.4.2` is pack's version.
    .enablePositionalOptions()
    .description('Build, sign and check firmware for over-the-air updates')
    .option('--json', 'print results as JSON, for scripts')
    .showHelpAfterError();
  const out = (human: string, data: unknown) => {
    process.stdout.write(cli.opts().json ? `${JSON.stringify(data)}\n` : `${human}\n`);
  };

  cli
    .command('keygen')
    .description('create an ed25519 signing key pair (private key file mode 0600)')
    .argument('[name]', 'file name without extension', 'firmware-signing')
    .addHelpText(
      'after',
      '\nExample:\n  $ firmware-tools keygen release-2026\n  wrote release-2026.key (keep it secret) and release-2026.pub',
    )
    .action(async (name: string) => {
      const r = await keygen(name);
      out(`wrote ${r.privateKey} (keep it secret) and ${r.publicKey}; key id ${r.keyId}`, r);
    });

  cli
    .command('pack')
    .description('pack a firmware file or folder into an artifact and its manifest')
    .argument('<input>', 'firmware file or folder')
    .requiredOption('--name <name>', 'firmware name, like sensor-fw')
    .requiredOption('--version <semver>', 'its version, like 1.4.2')
    .requiredOption('--hardware <boards>', 'comma-separated boards it runs on', (v) => v.split(',').filter(Boolean))
    .option('--min-version <semver>', 'the oldest version it may update from')
    .option('--out <dir>', 'where to write', '.')
    .option('--delta-from <artifact>', 'an earlier artifact (its manifest beside it): also write a delta from it')
    .option('--no-gzip', 'pack a folder as a plain .tar, which deltas between versions keep small')
    .addHelpText(
      'after',
      '\nExamples:\n  $ firmware-tools pack build/app.bin --name sensor-fw --version 1.4.2 --hardware esp32-s3,esp32-c6\n  $ firmware-tools pack build/rootfs.img --name gw-os --version 2.1.0 --hardware pi4 --delta-from gw-os-2.0.0.bin',
    )
    .action(
      async (
        input: string,
        o: {
          name: string;
          version: string;
          hardware: string[];
          minVersion?: string;
          out: string;
          deltaFrom?: string;
          gzip: boolean;
        },
      ) => {
        const r = await pack({
          input,
          name: o.name,
          version: o.version,
          hardware: o.hardware,
          minVersion: o.minVersion,
          outDir: o.out,
          deltaFrom: o.deltaFrom,
          gzip: o.gzip,
        });
        const d = r.data.delta;
        out(
          `packed ${r.artifact} (${r.data.size} bytes, sha256 ${r.data.sha256.slice(0, 12)}...)${d ? `, ${d.artifact} (${d.size} bytes from ${d.base_version})` : ''} and ${r.manifest}`,
          r,
        );
      },
    );

  cli
    .command('sign')
    .description("sign an artifact's manifest with an ed25519 private key")
    .argument('<manifest>', 'the .manifest.json written by pack')
    .requiredOption('--key <file>', 'private key file from keygen')
    .addHelpText(
      'after',
      '\nExample:\n  $ firmware-tools sign sensor-fw-1.4.2.bin.manifest.json --key release-2026.key',
    )
    .action(async (manifest: string, o: { key: string }) => {
      const r = await signManifest(manifest, o.key);
      out(`signed ${manifest} with key ${r.signature.key_id}`, r);
    });

  cli
    .command('verify')
    .description('check the signature and the artifact against its manifest')
    .argument('<manifest>', 'a signed .manifest.json, with its artifact beside it')
    .requiredOption('--pub <file>', 'public key file')
    .addHelpText(
      'after',
      '\nExample:\n  $ firmware-tools verify sensor-fw-1.4.2.bin.manifest.json --pub release-2026.pub',
    )
    .action(async (manifest: string, o: { pub: string }) => {
      const r = await verifyArtifact(manifest, o.pub);
      out(`ok: ${r.name} ${r.version}, signed by ${r.signature.key_id}`, { ok: true, manifest: r });
    });

  const platform = (cmd: Command) =>
    cmd
      .option('--url <url>', 'platform URL', process.env.IOTP_URL ?? 'http://localhost:8080')
      .option('--org <id>', 'organization id', process.env.IOTP_ORG)
      .option('--api-key <key>', 'organization API key with ota:deploy', process.env.IOTP_API_KEY);
  const client = (o: { url: string; org?: string; apiKey?: string }) =>
    new PlatformClient({ url: o.url, org: o.org ?? '', apiKey: o.apiKey ?? '' });
  const showRollout = (r: Rollout) => {
    const counts = Object.entries(r.counts)
      .filter(([k]) => k !== 'total')
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    const phase = `phase ${r.current_phase + 1}/${r.phases.length} (${r.phases[r.current_phase]?.percent}%)`;
    out(
      `rollout ${r.id} ${r.status}${r.status_reason ? ` (${r.status_reason})` : ''}, ${phase}, ${r.counts.total ?? 0} devices${counts ? `: ${counts}` : ''}`,
      r,
    );
  };

  platform(
    cli
      .command('publish')
      .description('upload a signed artifact to the platform as a release (progress on stderr)')
      .argument('<manifest>', 'a signed .manifest.json, with its artifact beside it'),
  )
    .addHelpText(
      'after',
      `\nExample:\n  $ IOTP_ORG=7d1e... IOTP_API_KEY=iot_... firmware-tools publish sensor-fw-1.4.2.bin.manifest.json --url https://iot.example.com\n${ENV_HELP}`,
    )
    .action(async (manifest: string, o: { url: string; org?: string; apiKey?: string }) => {
      const r = await client(o).publish(manifest, !cli.opts().json);
      out(`published ${r.name} ${r.version} as release ${r.id}`, r);
    });

  const rollout = cli.command('rollout').description('start and steer staged rollouts');
  platform(
    rollout
      .command('create')
      .description('send a release to devices, a group or tags, in phases')
      .requiredOption('--release <id>', 'release id (from publish)')
      .option('--devices <ids>', 'comma-separated device ids', list)
      .option('--group <id>', 'a device group id')
      .option('--tags <tags>', 'every device carrying all these comma-separated tags', list)
      .option('--phases <percents>', 'share of the target reached by each phase', list, ['100'])
      .option('--failure-threshold <share>', 'share of a phase failing that stops the rollout', '0.2')
      .option('--success-threshold <share>', 'share of a phase that must succeed before the next', '1')
      .option('--wait <seconds>', 'least time in a phase before the next starts', '0')
      .option('--manual', 'start each next phase only by hand (rollout advance)')
      .option('--on-failure <action>', 'pause or abort when failures pass the threshold', 'pause')
      .option('--max-concurrent <n>', 'updates running at once', '100')
      .option('--window <HH:MM-HH:MM>', 'start updates only in this daily UTC window')
      .option('--progress-timeout <seconds>', 'fail an update with no report for this long', '3600')
      .option('--name <name>', 'a name for people')
      .option('--dry-run', 'show which devices each phase would reach and which are left out and why; create nothing')
      .option('--id <uuid>', 'create the rollout a dry run answered, reaching devices in the order it showed'),
  )
    .addHelpText(
      'after',
      `\nExamples:\n  $ firmware-tools rollout create --release 5b0c... --tags greenhouse --phases 1,10,50,100 --dry-run\n  $ firmware-tools rollout create --release 5b0c... --tags greenhouse --phases 1,10,50,100 --failure-threshold 0.05 --window 01:00-05:00\n${ENV_HELP}`,
    )
    .action(async (o: Record<string, string | string[] | boolean | undefined> & { url: string }) => {
      const target = o.devices
        ? { device_ids: o.devices }
        : o.group
          ? { group_id: o.group }
          : o.tags
            ? { tags: o.tags }
            : undefined;
      if (!target) throw new ToolError('name a target: --devices, --group or --tags');
      const num = (name: string) => {
        const n = Number(o[name]);
        if (!Number.isFinite(n))
          throw new ToolError(`--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} must be a number`);
        return n;
      };
      const [start, end] = typeof o.window === 'string' ? o.window.split('-') : [];
      const body = {
        ...(o.id ? { id: o.id } : {}),
        release_id: o.release,
        ...(o.name ? { name: o.name } : {}),
        target,
        phases: (o.phases as string[]).map((p) => ({
          percent: Number(p),
          failure_threshold: num('failureThreshold'),
          success_threshold: num('successThreshold'),
          wait_s: num('wait'),
          advance: o.manual ? 'manual' : 'auto',
        })),
        max_concurrent: num('maxConcurrent'),
        progress_timeout_s: num('progressTimeout'),
        on_failure: o.onFailure,
        ...(start && end ? { window: { start, end } } : {}),
      };
      if (o.dryRun) {
        const plan = await client(o).dryRun(body as RolloutInput);
        out(describeDryRun(plan as DryRun), plan);
        return;
      }
      showRollout(await client(o).createRollout(body as RolloutInput));
    });
  platform(rollout.command('status').description("a rollout's phase and counts by state").argument('<id>'))
    .addHelpText('after', '\nExample:\n  $ firmware-tools rollout status 9a4f...')
    .action(async (id: string, o: { url: string }) => {
      showRollout(await client(o).rollout(id));
    });
  for (const [verb, what] of [
    ['pause', 'stop starting updates; running ones finish'],
    ['resume', 'go on with a paused rollout'],
    ['advance', 'start the next phase now'],
    ['abort', 'stop for good; unfinished updates are cancelled'],
  ] as const) {
    platform(rollout.command(verb).description(what).argument('<id>'))
      .addHelpText('after', `\nExample:\n  $ firmware-tools rollout ${verb} 9a4f...`)
      .action(async (id: string, o: { url: string }) => {
        showRollout(await client(o).steer(id, verb));
      });
  }
  cli
    .command('completion')
    .description('print a shell completion script for firmware-tools')
    .argument('[shell]', 'bash or zsh', 'bash')
    .addHelpText(
      'after',
      '\nExample:\n  $ source <(firmware-tools completion bash)    # or add it to ~/.bashrc\n  $ firmware-tools completion zsh > ~/.zfunc/_firmware-tools',
    )
    .action((shell: string) => {
      if (shell !== 'bash' && shell !== 'zsh') throw new ToolError(`no completion for ${shell}: use bash or zsh`);
      process.stdout.write(completionScript(cli, shell));
    });
  return cli;
}

interface DryRun {
  rollout_id: string;
  release: { name: string; version: string; hardware: string[] };
  would_refuse: string | null;
  target_devices: number;
  updates: number;
  offline: number;
  window_open: boolean;
  phases: { phase: number; percent: number; devices: { device_id: string; name: string; online: boolean }[] }[];
  excluded: { device_id: string; name: string; reason: string; detail: string }[];
}

/** A dry run for people: each phase's devices, then those left out with the reason. */
function describeDryRun(p: DryRun): string {
  const lines = [
    `dry run: ${p.release.name} ${p.release.version} (${p.release.hardware.join(', ')}) to ${p.target_devices} target devices; ${p.updates} would update${p.offline ? ` (${p.offline} offline: when they connect)` : ''}`,
  ];
  if (!p.window_open) lines.push('outside the window now: no update starts until it opens');
  for (const phase of p.phases)
    lines.push(
      `phase ${phase.phase} (${phase.percent}%): ${phase.devices.length} devices${phase.devices.length ? `: ${phase.devices.map((d) => `${d.name}${d.online ? '' : ' (offline)'}`).join(', ')}` : ''}`,
    );
  for (const e of p.excluded) lines.push(`left out ${e.name} (${e.device_id}): ${e.reason}, ${e.detail}`);
  lines.push(
    p.would_refuse
      ? `creating it would be refused: ${p.would_refuse}`
      : `create it with --id ${p.rollout_id} to reach devices in this order`,
  );
  return lines.join('\n');
}

function list(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Runs the CLI; a ToolError is one line on stderr and exit code 1. */
export async function main(argv = process.argv): Promise<void> {
  try {
    await program().parseAsync(argv);
  } catch (err) {
    if (err instanceof ToolError) {
      process.stderr.write(`firmware-tools: ${err.message}\n`);
      process.exitCode = 1;
    } else throw err;
  }
}
