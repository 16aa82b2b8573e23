import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { until } from './helpers.ts';

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

/**
 * A fresh browser profile (its own cookies), as another person would have; what the page reports
 * that a console must never do (CSP violations, uncaught errors) goes into `faults`.
 * @example const { context, page } = await person(browser, faults);
 */
export async function person(browser: Browser, faults: string[]): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused/i.test(m.text())) faults.push(m.text());
  });
  page.on('pageerror', (err) => faults.push(err.message));
  return { context, page };
}

/**
 * Screenshots of the whole page into `dir`, kept as test artifacts (git-ignored).
 * @example const shot = screenshots(ARTIFACTS); await shot(page, '01-sign-in');
 */
export const screenshots = (dir: string) => (page: Page, name: string) =>
  page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });

/**
 * The path and query of the link in the newest mail to `to` whose subject matches.
 * @example await page.goto(base + (await mailedLink(p.db.sql, 'ada@example.com', /verify/i)));
 */
export async function mailedLink(
  sql: { query<T>(text: string, params?: unknown[]): Promise<T[]> },
  to: string,
  subject: RegExp,
): Promise<string> {
  let link = '';
  await until(async () => {
    const rows = await sql.query<{ subject: string; text: string }>(
      'SELECT subject, text FROM mail_outbox WHERE "to" = $1 ORDER BY created_at DESC',
      [to],
    );
    const text = rows.find((r) => subject.test(r.subject))?.text ?? '';
    const url = /https?:\/\/\S+/.exec(text)?.[0];
    if (url) link = new URL(url).pathname + new URL(url).search;
    return Boolean(url);
  }, `mail to ${to}`);
  return link;
}

/** Fills in the console's sign-in form and sends it. */
export async function signInWith(page: Page, email: string, password: string) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
