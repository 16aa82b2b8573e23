// Runs on `npm install`: builds the console into dist/ so a clean clone serves it with no other step.
// A production install (`npm ci --omit=dev`) has no Vite; it then builds nothing and says so.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

try {
  createRequire(import.meta.url).resolve('vite/package.json');
} catch {
  console.warn('web: Vite is not installed (production install): the console is not built here');
  process.exit(0);
}
const { status } = spawnSync('npm', ['run', 'build'], { stdio: 'inherit', shell: process.platform === 'win32' });
process.exit(status ?? 1);
