// Runs before `npm start`. Where TypeScript is installed (a clone with its dev dependencies), brings
// every workspace's dist/ up to date: `tsc -b` rebuilds only what changed and returns at once when
// nothing did. A production install (`npm ci --omit=dev`) has no TypeScript: its dist/ must have been
// built where it had, and is run as it is.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = existsSync(`${root}cloud/dist/main.js`);

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  tsc = undefined;
}

if (tsc) {
  if (!built) process.stdout.write('building the platform (npm run build), once\n');
  const run = spawnSync(process.execPath, [tsc, '-b', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
} else if (!built) {
  process.stderr.write('the platform is not built: run `npm run build` where dev dependencies are installed\n');
  process.exit(1);
}
