import { createRequire } from 'node:module';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasBrowser, launchBrowser } from './browser.ts';
import { startTestPlatform, type TestPlatform } from './helpers.ts';

const require = createRequire(import.meta.url);

/** A web app in a real browser: mqtt.js's browser bundle over WebSocket to the HTTP port's /mqtt. */
describe.skipIf(!hasBrowser)('MQTT over WebSocket from a browser', () => {
  let p: TestPlatform;
  let browser: Browser;

  beforeAll(async () => {
    [p, browser] = await Promise.all([startTestPlatform('postgres'), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await p?.stop();
  });

  it('publishes telemetry stored before the PUBACK, and receives a command, from headless Chromium', async () => {
    const d = await p.device('browser');
    const page = await browser.newPage();
    // A page of the platform's origin, as a console served by it would be.
    await page.goto(`http://127.0.0.1:${p.httpPort}/healthz`);
    await page.addScriptTag({ path: require.resolve('mqtt/dist/mqtt.min') });
    const connected = page.evaluate(
      ({ url, id, secret }) =>
        new Promise<string>((resolve, reject) => {
          const mqtt = (globalThis as unknown as { mqtt: typeof import('mqtt') }).mqtt;
          const client = mqtt.connect(url, { clientId: id, username: id, password: secret, reconnectPeriod: 0 });
          client.on('error', (err) => reject(err.message));
          client.on('connect', () => {
            client.subscribe(`devices/${id}/commands`, { qos: 1 }, () => {
              client.publish(`devices/${id}/telemetry`, JSON.stringify({ temp: 19.5 }), { qos: 1 }, (err) => {
                if (err) return reject(err.message);
                (globalThis as unknown as { published: boolean }).published = true;
              });
            });
          });
          client.on('message', (_topic, payload) => {
            client.end();
            resolve(new TextDecoder().decode(payload));
          });
        }),
      { url: `ws://127.0.0.1:${p.httpPort}/mqtt`, id: d.id, secret: d.secret },
    );
    await page.waitForFunction(() => (globalThis as unknown as { published?: boolean }).published === true);
    // Acknowledged means stored.
    expect(await p.count('SELECT count(*) AS n FROM telemetry WHERE device_id = $1', [d.id])).toBe(1);
    await p.broker.publishToDevice(d.id, 'commands', '{"name":"blink"}');
    expect(await connected).toBe('{"name":"blink"}');
    await page.close();
  });
});
