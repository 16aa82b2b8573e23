import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createApp } from '@iotp/cloud';
import pino from 'pino';
import type { Browser } from 'playwright-core';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasBrowser, launchBrowser } from './browser.ts';

/** `/docs` in a real browser, with every request off this origin refused: Swagger UI must come up offline. */
describe.skipIf(!hasBrowser)('API docs in a browser', () => {
  let browser: Browser;
  let server: ReturnType<typeof serve>;
  let url = '';
  beforeAll(async () => {
    const app = createApp({ logger: pino({ level: 'silent' }), registry: new Registry() });
    await new Promise<void>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve());
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('renders Swagger UI on the document, from this origin only, within its CSP', async () => {
    const page = await browser.newPage();
    const elsewhere: string[] = [];
    const problems: string[] = [];
    await page.route('**/*', (route) => {
      if (route.request().url().startsWith(url)) return route.continue();
      elsewhere.push(route.request().url());
      return route.abort();
    });
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${url}/docs`);
    await page.locator('.swagger-ui .info .title').waitFor({ timeout: 20_000 });
    expect(await page.locator('.swagger-ui .info .title').textContent()).toContain('IoT platform API');
    expect(await page.locator('.opblock-summary-path').count()).toBeGreaterThan(0);
    expect(elsewhere).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });
});
