import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium (`.ci/run` installs it), or the one CHROMIUM_PATH names. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Whether the browser suites can run: always in CI, where a missing browser is a failure. */
export const hasBrowser = existsSync(CHROMIUM) || Boolean(process.env.CI);

/**
 * Headless Chromium for end-to-end tests, with nothing reaching out to the internet (this machine's
 * network is closed: without these flags Chromium keeps trying, and waits on it).
 * @example const browser = await launchBrowser(); const page = await browser.newPage();
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Builds the web console unless it is built (`npm install` builds it): the platform serves web/dist.
 * @example beforeAll(() => ensureConsoleBuilt());
 */
export function ensureConsoleBuilt(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  if (!existsSync(`${root}web/dist/index.html`))
    execFileSync('npm', ['run', 'build', '-w', 'web'], { cwd: root, stdio: 'inherit' });
}
