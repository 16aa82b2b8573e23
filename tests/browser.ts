import { existsSync } from 'node:fs';
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
