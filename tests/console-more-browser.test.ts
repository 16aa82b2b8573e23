import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { generate } from 'otplib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stripeEndpoint } from '../cloud/src/billing/stripe-endpoint.ts';
import {
  ensureConsoleBuilt,
  hasBrowser,
  launchBrowser,
  mailedLink,
  person,
  screenshots,
  signInWith,
} from './browser.ts';
import { apiClient, startTestPlatform, type TestPlatform, until } from './helpers.ts';

/** Screenshots of the pages this file covers, kept as test artifacts (git-ignored). */
const ARTIFACTS = join(import.meta.dirname, 'artifacts', 'console-more');
const PASSWORD = 'correct horse battery';
/** The owner of the organization, also an operator of the platform (she mints claim codes, grants credits). */
const EVE = 'eve@console.example';
const BOB = 'bob@console.example';
/** The token in a mailed link's query. */
const tokenOf = (link: string) => new URL(link, 'http://x').searchParams.get('token');
/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

/**
 * The console's account, organization, fleet and alarm pages in headless Chromium against one
 * whole platform, with the real Stripe SDK calling a local endpoint.
 */
describe.skipIf(!hasBrowser)('the web console, more pages, in a browser', () => {
  let p: TestPlatform;
  let browser: Browser;
  let stripe: Awaited<ReturnType<typeof stripeEndpoint>>;
  let base: string;
  let org: string;
  /** Eve's API client and her browser, signed in once for the whole file. */
  let eve: ReturnType<typeof apiClient>;
  let eveContext: BrowserContext;
  let page: Page;
  const faults: string[] = [];
  const shot = screenshots(ARTIFACTS);
  /** Opens a console page in Eve's browser, by its link in the main navigation. */
  const open = async (link: string) => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link, exact: true }).click();
    await page.getByRole('heading', { level: 1 }).waitFor();
  };

  beforeAll(async () => {
    ensureConsoleBuilt();
    stripe = await stripeEndpoint();
    [p, browser] = await Promise.all([
      startTestPlatform('postgres', {
        STRIPE_SECRET_KEY: 'sk_test_console',
        STRIPE_API_URL: stripe.url,
        STRIPE_PRICE_PRO: 'price_pro',
        STRIPE_PRICE_ENTERPRISE: 'price_ent',
        ADMIN_EMAILS: EVE,
      }),
      launchBrowser(),
      mkdir(ARTIFACTS, { recursive: true }),
    ]);
    base = `http://127.0.0.1:${p.httpPort}`;
    eve = apiClient(p);
    await eve.signIn(EVE, PASSWORD);
    // Operators are named by a verified address.
    const verify = tokenOf(await mailedLink(p.db.sql, EVE, /verify/i));
    expect((await eve.call('POST', '/v1/auth/verify-email', { token: verify })).status).toBe(204);
    org = (await eve.call('POST', '/v1/orgs', { name: 'Wonder' })).body.id;
    // Bob joins through an invitation, as the mailed link would have him.
    expect((await eve.call('POST', `/v1/orgs/${org}/invitations`, { email: BOB, role: 'viewer' })).status).toBe(201);
    const bob = apiClient(p);
    await bob.signIn(BOB, PASSWORD);
    const token = tokenOf(await mailedLink(p.db.sql, BOB, /invit/i));
    expect((await bob.call('POST', '/v1/invitations/accept', { token })).status).toBe(200);

    ({ context: eveContext, page } = await person(browser, faults));
    await page.goto(`${base}/signin`);
    await signInWith(page, EVE, PASSWORD);
    await page.waitForURL(/\/devices$/);
  });
  afterAll(async () => {
    await eveContext?.close();
    await browser?.close();
    await p?.stop();
    await stripe?.close();
  });

  it('keeps notification preferences, shows an uploaded avatar, and makes a personal API key that works until revoked', async () => {
    await page.getByRole('link', { name: EVE }).click();
    await page.getByRole('heading', { name: 'Preferences' }).waitFor();
    const notify = page.getByRole('group', { name: 'Notify me' });
    const inboxOnly = page.getByRole('group', { name: /Keep to the inbox only/ });
    await notify.getByRole('checkbox', { name: /^sms/ }).uncheck();
    await inboxOnly.getByRole('checkbox', { name: /^rule\.fired/ }).check();
    await page.getByLabel('Time zone').selectOption('Europe/Lisbon');
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await page.getByText('Preferences saved.').waitFor();
    await page.reload();
    await expect.poll(() => inboxOnly.getByRole('checkbox', { name: /^rule\.fired/ }).isChecked()).toBe(true);
    expect(await notify.getByRole('checkbox', { name: /^sms/ }).isChecked()).toBe(false);
    expect(await notify.getByRole('checkbox', { name: /^email/ }).isChecked()).toBe(true);
    expect(await page.getByLabel('Time zone').inputValue()).toBe('Europe/Lisbon');
    expect((await eve.call('GET', '/v1/me/preferences')).body).toMatchObject({
      notification_mute: ['rule.fired'],
      timezone: 'Europe/Lisbon',
    });

    await page.getByLabel('Avatar image').setInputFiles({ name: 'eve.png', mimeType: 'image/png', buffer: PNG });
    await page.getByRole('button', { name: 'Upload avatar' }).click();
    const avatar = page.getByRole('img', { name: 'Your avatar' });
    await avatar.waitFor();
    await expect.poll(() => avatar.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1);
    await page.reload();
    await avatar.waitFor();

    await page.getByLabel('Key name').fill('my script');
    await page.getByRole('checkbox', { name: /^profile:read/ }).check();
    await page.getByRole('button', { name: 'Create key' }).click();
    const key = (await page.getByTestId('api-key-secret').textContent())!;
    const me = (k: string) => fetch(`${base}/v1/me`, { headers: { authorization: `Bearer ${k}` } });
    const answer = await me(key);
    expect(answer.status).toBe(200);
    expect((await answer.json()).email).toBe(EVE);
    await shot(page, '01-account');
    await page.getByRole('button', { name: 'Revoke my script' }).click();
    await page.getByText('No key yet.').waitFor();
    expect((await me(key)).status).toBe(401);
  });

  it('makes a custom role and gives it to a member', async () => {
    await open('Roles');
    await page.getByLabel('Role name').fill('auditor');
    await page.getByRole('checkbox', { name: 'audit:read', exact: true }).check();
    await page.getByRole('checkbox', { name: 'members:read', exact: true }).check();
    await page.getByRole('button', { name: 'Save role' }).click();
    await page.getByRole('row', { name: /auditor.*audit:read/ }).waitFor();
    await shot(page, '02-roles');

    await open('Members');
    await page.getByLabel(`Role of ${BOB}`).selectOption('auditor');
    await page
      .getByRole('row', { name: new RegExp(BOB) })
      .getByRole('button', { name: 'Change' })
      .click();
    await expect
      .poll(
        async () =>
          (await eve.call('GET', `/v1/orgs/${org}/members`)).body.data.find((m: { email: string }) => m.email === BOB)
            ?.role,
      )
      .toBe('auditor');
    await page.reload();
    expect(await page.getByLabel(`Role of ${BOB}`).inputValue()).toBe('auditor');
    await shot(page, '03-members');
  });

  it('shows the wallet and its statement, orders from it, and sends people to Stripe from every billing button', async () => {
    const granted = await eve.call('POST', `/v1/admin/orgs/${org}/credits`, {
      credits: 250,
      reason: 'welcome credits',
    });
    expect(granted.status).toBe(201);
    // Stripe's own pages are not reached: the browser is answered for them here.
    await eveContext.route(/^https:\/\/[a-z.]+\.stripe\.test\//, (route) =>
      route.fulfill({ contentType: 'text/html', body: '<title>Stripe</title>' }),
    );
    await open('Billing');
    await expect.poll(() => page.getByTestId('wallet-balance').textContent()).toBe('250 credits');
    await page.getByRole('row', { name: /\+250.*welcome credits/ }).waitFor();

    await page.getByLabel('Item').selectOption('device-license');
    await page.getByLabel('Quantity').fill('2');
    await page.getByRole('button', { name: 'Order', exact: true }).click();
    await page.getByText('Ordered 2 device licenses: fulfilled.').waitFor();
    await expect.poll(() => page.getByTestId('wallet-balance').textContent()).toBe('230 credits');
    await shot(page, '04-billing-wallet');

    const checkouts = () => stripe.requests.filter((r) => r.path === '/v1/checkout/sessions');
    await page.getByRole('button', { name: 'Upgrade to pro' }).click();
    await page.waitForURL('https://checkout.stripe.test/session');
    expect(checkouts().at(-1)?.body).toContain('price_pro');

    await page.goto(`${base}/billing`);
    await page.getByRole('button', { name: 'Payment methods and invoices' }).click();
    await page.waitForURL('https://billing.stripe.test/p');
    expect(stripe.requests.some((r) => r.path === '/v1/billing_portal/sessions')).toBe(true);

    await page.goto(`${base}/billing`);
    await page.getByLabel('Credits to buy').fill('1000');
    await page.getByRole('button', { name: 'Buy credits' }).click();
    await page.waitForURL('https://checkout.stripe.test/session');
    expect(checkouts()).toHaveLength(2);
    await page.goto(`${base}/billing?order=cancelled`);
    await page.getByText('The order was cancelled').waitFor();
  });

  it('claims a device by its code, puts it in a group, raises an alarm on its telemetry and acknowledges it', async () => {
    const [code] = (await eve.call('POST', '/v1/admin/claim-codes', { count: 1 })).body.codes;
    await open('Devices');
    // A code of no device: the API's problem is shown, announced as an alert.
    await page.getByLabel('Claim code').fill('AAAA-BBBB-CCCC-DDDD');
    await page.getByLabel('Name it').fill('nobody');
    await page.getByRole('button', { name: 'Claim', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').first().textContent()).toMatch(/\w/);
    await page.getByLabel('Claim code').fill(code);
    await page.getByLabel('Name it').fill('boiler-7');
    await page.getByRole('button', { name: 'Claim', exact: true }).click();
    await page.getByText('is yours').waitFor();
    // The device's own call, after it was claimed: its MQTT credentials.
    const fetched = await fetch(`${base}/v1/claim/credentials`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code }),
    });
    expect(fetched.status).toBe(200);
    const { mqtt } = await fetched.json();
    const device = await p.connect({ clientId: mqtt.client_id, username: mqtt.username, password: mqtt.password });
    await shot(page, '05-device-claimed');

    await open('Groups');
    await page.getByLabel('Group name').fill('boilers');
    await page.getByRole('button', { name: 'Create group' }).click();
    await page.getByRole('link', { name: 'boilers' }).click();
    await page.getByText('No device in this group.').waitFor();
    await page.getByLabel('Device to add').selectOption({ label: 'boiler-7' });
    await page.getByRole('button', { name: 'Add to group' }).click();
    await page.getByRole('row', { name: /boiler-7/ }).waitFor();
    await page.getByLabel('Group name').fill('hot water');
    await page.getByRole('button', { name: 'Save group' }).click();
    await page.getByRole('heading', { name: 'Group hot water' }).waitFor();
    await shot(page, '06-group');
    await open('Devices');
    await page.getByLabel('Group', { exact: true }).selectOption({ label: 'hot water' });
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: 'boiler-7' }).waitFor();

    await open('Rules');
    await page.getByLabel('Rule name').fill('too hot');
    await page.getByLabel('Metric').fill('temperature');
    await page.getByLabel('When it is').selectOption('gt');
    await page.getByLabel('Value').fill('80');
    await page.getByLabel('Rule severity').selectOption('critical');
    await page.getByLabel('Devices of the group').selectOption({ label: 'hot water' });
    await page.getByRole('button', { name: 'Create rule' }).click();
    await page.getByRole('row', { name: /too hot temperature above 80 critical on/ }).waitFor();
    // The form is ready for the next rule, back at its defaults.
    expect(await page.getByLabel('Rule severity').inputValue()).toBe('warning');
    await shot(page, '07-rules');

    await device.publishAsync(`devices/${mqtt.username}/telemetry`, JSON.stringify({ temperature: 95 }), { qos: 1 });
    await p.rules.engine.idle();
    await open('Alarms');
    const alarm = page.getByRole('row', { name: /critical.*too hot/ });
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Filter' }).click();
          return alarm.count();
        },
        { timeout: 15_000 },
      )
      .toBe(1);
    // By keyboard: the button takes the focus, Enter presses it.
    await alarm.getByRole('button', { name: 'Acknowledge' }).focus();
    await page.keyboard.press('Enter');
    await alarm.getByText('acknowledged').waitFor();
    // Filtered by state: no longer among the active ones, among the acknowledged.
    await page.getByLabel('Alarm state').selectOption('active');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByText('No alarm matches.').waitFor();
    await page.getByLabel('Alarm state').selectOption('acknowledged');
    await page.getByLabel('Severity').selectOption('critical');
    await page.getByRole('button', { name: 'Filter' }).click();
    await alarm.waitFor();
    await shot(page, '08-alarms');
    device.end();

    // The alarm reached the owner's inbox, which marks it read.
    await until(async () => (await eve.call('GET', '/v1/me/notifications')).body.data.length > 0, 'the notification');
    await page.goto(`${base}/notifications`);
    await page.getByRole('link', { name: /Notifications \(\d+ unread\)/ }).waitFor();
    await page
      .getByRole('button', { name: /^Mark read:/ })
      .first()
      .click();
    await page.getByText('read', { exact: true }).first().waitFor();
    // The count in the navigation follows.
    await page.getByRole('link', { name: 'Notifications', exact: true }).waitFor();
    await shot(page, '09-notifications');
  });

  it('turns on two-step verification with an authenticator code, then signs in with the code step', async () => {
    const { context, page: mia } = await person(browser, faults);
    await apiClient(p).call('POST', '/v1/auth/signup', { email: 'mia@console.example', password: PASSWORD });
    await mia.goto(`${base}/signin`);
    await signInWith(mia, 'mia@console.example', PASSWORD);
    await mia.waitForURL(/\/orgs$/);
    await mia.getByRole('link', { name: 'mia@console.example' }).click();
    await mia.getByRole('button', { name: 'Set up two-step verification' }).click();
    const secret = (await mia.locator('p', { hasText: 'Key:' }).locator('code').textContent())!;
    await mia.getByLabel('Code', { exact: true }).fill(await generate({ secret }));
    await mia.getByRole('button', { name: 'Turn on' }).click();
    await mia.getByText('Two-step verification is on').waitFor();
    await shot(mia, '10-mfa-on');

    await mia.getByRole('button', { name: 'Sign out' }).click();
    await mia.waitForURL(/\/signin$/);
    await signInWith(mia, 'mia@console.example', PASSWORD);
    await mia.getByLabel('Code', { exact: true }).fill(await generate({ secret }));
    await mia.getByRole('button', { name: 'Verify' }).click();
    await mia.waitForURL(/\/orgs$/);
    await context.close();
    expect(faults).toEqual([]);
  });
});
