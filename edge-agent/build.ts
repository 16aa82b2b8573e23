/**
 * Bundles the agent into one file that runs with Node.js 20 alone, no node_modules: what goes on
 * a device. `npm run build:agent` writes edge-agent/dist/edge-agent.mjs.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export async function buildAgent(outfile: string): Promise<void> {
  await build({
    entryPoints: [fileURLToPath(new URL('./src/bin.ts', import.meta.url))],
    outfile,
    bundle: true,
    platform: 'node',
    // Our workspaces (the protocol) from their TypeScript sources, as the tests run them.
    conditions: ['@iotp/source'],
    format: 'esm',
    target: 'node20',
    minify: true,
    legalComments: 'linked',
    // Some bundled packages are CommonJS and call require() for Node's own modules.
    banner: {
      js: "import { createRequire as __require } from 'node:module'; const require = __require(import.meta.url);",
    },
    logLevel: 'warning',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = fileURLToPath(new URL('./dist/edge-agent.mjs', import.meta.url));
  await buildAgent(out);
  process.stdout.write(`wrote ${out}\n`);
}
