import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '@iotp/db/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureConsoleBuilt,
  hasBrowser,
  launchBrowser,
  mailedLink as mailLink,
  person,
  screenshots,
  signInWith,
} from './browser.ts';
import { apiClient, creds, startTestPlatform, type TestPlatform, until } from './helpers.ts';
import { signedFirmware, signingKey } from './ota-fixtures.ts';

/** Screenshots of the main pages, kept as test artifacts (git-ignored). */
const ARTIFACTS = join(import.meta.dirname, 'artifacts', 'console');
const PASSWORD = 'correct horse battery';

/**
 * The web console in headless Chromium against the whole platform: the pages mail links to, an
 * organization and its members, a device whose real MQTT telemetry shows on its page.
 */
describe.skipIf(!hasBrowser)('the web console in a browser', () => {
  let p: TestPlatform;
  let browser: Browser;
  let base: string;
  /** What the page reports that a console must never do: CSP violations, uncaught errors. */
  const faults: string[] = [];
  /** The device the first test registers through the page. */
  const greenhouse = { id: '', secret: '' };

  beforeAll(async () => {
    ensureConsoleBuilt();
    [p, browser] = await Promise.all([
      startTestPlatform('postgres', { OTA_TICK_MS: '200' }),
      launchBrowser(),
      mkdir(ARTIFACTS, { recursive: true }),
    ]);
    base = `http://127.0.0.1:${p.httpPort}`;
  });
  afterAll(async () => {
    await browser?.close();
    await p?.stop();
  });

  const newPerson = () => person(browser, faults);
  const shot = screenshots(ARTIFACTS);
  const mailedLink = (to: string, subject: RegExp) => mailLink(p.db.sql, to, subject);
  const signIn = (page: Page, email: string, password = PASSWORD) => signInWith(page, email, password);

  it('signs up, verifies through the mailed link, signs in, and runs a device whose telemetry it shows', async () => {
    const { context, page } = await newPerson();
    await page.goto(`${base}/`);
    await page.waitForURL(/\/signin/);
    await shot(page, '01-sign-in');

    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Ada');
    await page.getByLabel('Email').fill('ada@console.example');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('We sent a link to').waitFor();

    await page.goto(base + (await mailedLink('ada@console.example', /verify/i)));
    await page.getByText('Your email address is verified').waitFor();
    await shot(page, '02-verify-email');

    await page.getByRole('link', { name: 'Sign in' }).click();
    await signIn(page, 'ada@console.example');
    // No organization yet: the console asks for one.
    await page.waitForURL(/\/orgs$/);
    await page.getByLabel('Name', { exact: true }).fill('Acme');
    await page.getByRole('button', { name: 'Create organization' }).click();
    await page.waitForURL(/\/devices$/);

    await page.getByLabel('Name', { exact: true }).fill('greenhouse-1');
    await page.getByLabel('Tags', { exact: true }).fill('north, glass');
    await page.getByRole('button', { name: 'Register', exact: true }).click();
    const id = (await page.getByTestId('device-id').textContent())!;
    const secret = (await page.getByTestId('device-secret').textContent())!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    Object.assign(greenhouse, { id, secret });
    await shot(page, '03-device-created');

    // A real device: mqtt.js with the credentials the page showed once; it answers its commands.
    const device = await p.connect(creds({ id, secret }));
    await device.subscribeAsync(`devices/${id}/commands`, { qos: 1 });
    device.on('message', (_topic, payload) => {
      const command = JSON.parse(payload.toString()) as { id: string; params: unknown };
      device.publish(
        `devices/${id}/commands/${command.id}/response`,
        JSON.stringify({ status: 'succeeded', result: { echoed: command.params } }),
        { qos: 1 },
      );
    });
    const now = Date.now();
    for (let i = 10; i >= 1; i--)
      await device.publishAsync(
        `devices/${id}/telemetry`,
        JSON.stringify({ ts: now - i * 60_000, temp: 20 + i / 10 }),
        { qos: 1 },
      );
    await device.publishAsync(`devices/${id}/telemetry`, JSON.stringify({ temp: 21.5, door_open: false }), {
      qos: 1,
    });

    await page.getByRole('link', { name: 'Open greenhouse-1' }).click();
    await page.waitForURL(new RegExp(`/devices/${id}$`));
    await expect
      .poll(() => page.locator('tr[data-metric="temp"] .value').textContent(), { timeout: 15_000 })
      .toBe('21.5');
    await page.getByText('Online', { exact: true }).first().waitFor();
    // The chart of the last hour, drawn from the bucketed series.
    await page.locator('.chart canvas').waitFor();
    await page.getByLabel('Range').selectOption('24h');
    await page.locator('.chart canvas').waitFor();
    // The twin's desired state, and a command the device answers.
    await page.getByLabel(/Desired state/).fill('{"interval_s": 30}');
    await page.getByRole('button', { name: 'Save desired state' }).click();
    await page.getByLabel('Desired state (version 1)').waitFor();
    await page.getByLabel('Command', { exact: true }).fill('blink');
    await page.getByLabel('Parameters (JSON)').fill('{"times": 2}');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.getByText('{"echoed":{"times":2}}').waitFor();
    await page.getByLabel('Tags', { exact: true }).fill('north, glass, roof');
    await page.getByRole('button', { name: 'Save tags' }).click();
    await shot(page, '04-device');
    // As a phone shows it.
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, '04-device-phone');
    await page.setViewportSize({ width: 1100, height: 800 });

    // The list shows it online, and finds it by name.
    await page.getByRole('link', { name: 'Devices', exact: true }).click();
    await page.getByLabel('Search by name').fill('greenhouse');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('row', { name: /greenhouse-1.*Online.*roof/ }).waitFor();
    await shot(page, '05-devices');

    // Many devices from a CSV file; their credentials come back as a file.
    await page.getByLabel('CSV file').setInputFiles({
      name: 'fleet.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('name,type,tags\npump-1,pump,north;wet\npump-2,pump,south\n'),
    });
    await page.getByRole('button', { name: 'Register devices' }).click();
    await page.getByText('2 devices registered').waitFor();
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download their credentials' }).click();
    const csv = await (await download).createReadStream();
    let text = '';
    for await (const chunk of csv) text += chunk;
    expect(text.split(/\r?\n/)[0]).toBe('id,name,host,port,client_id,username,password');
    expect(text).toContain('pump-2');

    // Nothing secret in the page's storage: the refresh token is an httpOnly, SameSite=Strict cookie.
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
    expect(stored).not.toMatch(/rt_|eyJ/);
    const cookie = (await context.cookies()).find((c) => c.name === 'iotp_refresh');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/v1/auth/refresh' });
    // A reload keeps the session through that cookie.
    await page.reload();
    await page.getByRole('row', { name: /greenhouse-1/ }).waitFor();
    device.end();
    await context.close();
  });

  it('invites a second person, who signs up and accepts through the mailed link', async () => {
    const ada = await newPerson();
    await ada.page.goto(`${base}/signin`);
    await signIn(ada.page, 'ada@console.example');
    await ada.page.waitForURL(/\/devices$/);
    await ada.page.getByRole('link', { name: 'Members' }).click();
    await ada.page.getByLabel('Email to invite').fill('bob@console.example');
    await ada.page.getByLabel('Role', { exact: true }).selectOption('operator');
    await ada.page.getByRole('button', { name: 'Send invitation' }).click();
    await ada.page.getByText('bob@console.example').waitFor();
    await shot(ada.page, '06-members');

    const link = await mailedLink('bob@console.example', /invit/i);
    expect(link).toMatch(/^\/invitations\/accept\?token=/);
    const bob = await newPerson();
    await bob.page.goto(base + link);
    await bob.page.getByText('Sign in with the address the invitation was sent to').waitFor();
    await bob.page.getByRole('link', { name: 'create an account' }).click();
    await bob.page.getByLabel('Email').fill('bob@console.example');
    await bob.page.getByLabel('Password').fill(PASSWORD);
    await bob.page.getByRole('button', { name: 'Create account' }).click();
    await bob.page.getByText('We sent a link to').waitFor();
    // Signing in from the invitation comes back to it.
    await bob.page.goto(`${base}/signin?next=${encodeURIComponent(link)}`);
    await signIn(bob.page, 'bob@console.example');
    await bob.page.getByRole('button', { name: 'Accept the invitation' }).click();
    await bob.page.getByText('You joined').waitFor();
    expect(await bob.page.getByText('You joined').textContent()).toContain('Acme');
    await shot(bob.page, '07-invitation-accepted');
    await bob.page.getByRole('link', { name: 'Open its devices' }).click();
    await bob.page.getByRole('row', { name: /greenhouse-1/ }).waitFor();

    await ada.page.reload();
    await ada.page.getByRole('cell', { name: 'bob@console.example', exact: true }).waitFor();
    // The audit log has the invitation, found by its action.
    await ada.page.getByRole('link', { name: 'Audit log' }).click();
    await ada.page.getByLabel('Action contains').fill('invitations');
    await ada.page.getByRole('button', { name: 'Filter' }).click();
    await ada.page.getByText('POST /v1/orgs/{orgId}/invitations', { exact: true }).first().waitFor();
    await shot(ada.page, '10-audit');

    // An organization API key, shown once, that works for what its scopes allow until revoked.
    await ada.page.getByRole('link', { name: 'API keys' }).click();
    await ada.page.getByLabel('Key name').fill('inventory');
    await ada.page.getByRole('checkbox', { name: /devices:read/ }).check();
    await ada.page.getByRole('button', { name: 'Create key' }).click();
    const key = (await ada.page.getByTestId('api-key-secret').textContent())!;
    const [acme] = await p.db.sql.query<{ id: string }>("SELECT id FROM organizations WHERE name = 'Acme'");
    const devices = (k: string) =>
      fetch(`${base}/v1/orgs/${acme!.id}/devices`, { headers: { authorization: `Bearer ${k}` } });
    expect((await devices(key)).status).toBe(200);
    await ada.page.getByRole('button', { name: 'Revoke inventory' }).click();
    await ada.page.getByText('No key yet.').waitFor();
    expect((await devices(key)).status).toBe(401);
    await ada.context.close();
    await bob.context.close();
  });

  it('runs a firmware rollout, paused, resumed and finished, its progress live from the event stream', async () => {
    // A signed release, registered and uploaded as firmware-tools publish does.
    const api = apiClient(p);
    api.token = (
      await api.call('POST', '/v1/auth/login', { email: 'ada@console.example', password: PASSWORD })
    ).body.access_token;
    const org = (await api.call('GET', '/v1/orgs')).body.data[0].id;
    const dir = await tempDir();
    const key = await signingKey(dir.path);
    expect((await api.call('POST', `/v1/orgs/${org}/ota/keys`, { name: 'ci', public_key: key.pem })).status).toBe(201);
    const fw = await signedFirmware(dir.path, key.privateKey, { version: '2.0.0' });
    const release = (await api.call('POST', `/v1/orgs/${org}/ota/releases`, fw.manifest)).body;
    const uploaded = await fetch(`${base}/v1/orgs/${org}/ota/releases/${release.id}/artifact`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/octet-stream' },
      body: new Uint8Array(fw.bytes),
    });
    expect(uploaded.status).toBe(200);
    await dir.remove();
    // The greenhouse, listening for its update.
    const device = await p.connect(creds(greenhouse));
    const jobs: { job_id: string }[] = [];
    device.on('message', (_t, payload) => jobs.push(JSON.parse(payload.toString())));
    await device.subscribeAsync(`devices/${greenhouse.id}/ota/job`, { qos: 1 });
    const report = (state: string, extra: object = {}) =>
      device.publishAsync(
        `devices/${greenhouse.id}/ota/status`,
        JSON.stringify({ job_id: jobs[0]!.job_id, state, ...extra }),
        { qos: 1 },
      );

    const { context, page } = await newPerson();
    await page.goto(`${base}/signin?next=/updates`);
    await signIn(page, 'ada@console.example');
    await page.waitForURL(/\/updates$/);
    await page.getByLabel('Rollout name').fill('glass houses');
    await page.getByLabel('Devices with tags').fill('glass');
    await page.getByLabel('Phases (% of devices)').fill('100');
    await page.getByRole('button', { name: 'Start rollout' }).click();
    await page.getByRole('link', { name: 'glass houses' }).click();
    await page.getByText('active', { exact: true }).first().waitFor();

    await until(() => jobs.length > 0, 'the job on the device');
    await report('downloading', { progress: 40 });
    // Seen through the stream: nothing on the page asks again by itself.
    await page.getByRole('cell', { name: '40%' }).waitFor();
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByText('paused', { exact: true }).first().waitFor();
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('button', { name: 'Pause' }).waitFor();
    await report('succeeded');
    await page.getByText('1 of 1 finished').waitFor();
    await page.getByText('completed', { exact: true }).first().waitFor();
    await shot(page, '11-rollout');
    device.end();
    await context.close();
  });

  it('resets a password through the mailed link, and signs out', async () => {
    const { context, page } = await newPerson();
    await page.goto(`${base}/signin`);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByLabel('Email').fill('ada@console.example');
    await page.getByRole('button', { name: 'Send the link' }).click();
    await page.getByText('a link to reset its password is on its way').waitFor();

    await page.goto(base + (await mailedLink('ada@console.example', /reset/i)));
    await page.getByLabel('New password', { exact: true }).fill('a brand new passphrase');
    await page.getByLabel('New password again').fill('a brand new passphrase');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Your password is changed').waitFor();
    await shot(page, '08-password-reset');

    await page.getByRole('link', { name: 'Sign in' }).click();
    await signIn(page, 'ada@console.example', PASSWORD);
    await page.getByText('Email or password is wrong').waitFor();
    // By keyboard alone: the email field, Tab to the password, Enter.
    await page.getByLabel('Email').fill('');
    await page.getByLabel('Email').focus();
    await page.keyboard.type('ada@console.example');
    await page.keyboard.press('Tab');
    await page.keyboard.type('a brand new passphrase');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/devices$/);

    // The password changed again from the account page, which needs the current one.
    await page.getByRole('link', { name: 'ada@console.example' }).click();
    await page.getByLabel('Current password').fill('a brand new passphrase');
    await page.getByLabel('New password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('New password again').fill(PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed').waitFor();
    await shot(page, '12-account');

    await page.getByRole('link', { name: 'Billing' }).click();
    await page.getByText('Plan', { exact: true }).waitFor();
    await page.goto(`${base}/billing?checkout=cancelled`);
    await page.getByText('The checkout was cancelled').waitFor();
    await shot(page, '09-billing');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/signin$/);
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect((await context.cookies()).find((c) => c.name === 'iotp_refresh')).toBeUndefined();
    await context.close();
    expect(faults).toEqual([]);
  });
});
