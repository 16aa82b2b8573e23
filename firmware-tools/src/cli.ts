import { Command } from 'commander';
import { pack, signManifest, verifyArtifact } from './artifact.ts';
import { ToolError } from './errors.ts';
import { keygen } from './keys.ts';

/** `firmware-tools`: build, sign and check firmware artifacts for over-the-air updates. */
export function program(): Command {
  const cli = new Command('firmware-tools')
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
    .addHelpText(
      'after',
      '\nExample:\n  $ firmware-tools pack build/app.bin --name sensor-fw --version 1.4.2 --hardware esp32-s3,esp32-c6',
    )
    .action(
      async (
        input: string,
        o: { name: string; version: string; hardware: string[]; minVersion?: string; out: string },
      ) => {
        const r = await pack({
          input,
          name: o.name,
          version: o.version,
          hardware: o.hardware,
          minVersion: o.minVersion,
          outDir: o.out,
        });
        out(
          `packed ${r.artifact} (${r.data.size} bytes, sha256 ${r.data.sha256.slice(0, 12)}...) and ${r.manifest}`,
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
  return cli;
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
