import { authHarness } from '@iotp/cloud/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, createClient, ok } from './index.ts';

/** The SDK against the whole platform, in process (`fetch: app.fetch`), as an app would use it. */
describe('the SDK', () => {
  let h: Awaited<ReturnType<typeof authHarness>>;
  const baseUrl = 'http://localhost:8080/';
  beforeAll(async () => {
    h = await authHarness();
  });
  afterAll(() => h?.close());

  it('signs in, and manages an organization and its devices with typed calls', async () => {
    const fetch = h.app.fetch;
    const anonymous = createClient({ baseUrl, fetch });
    const credentials = { email: 'sdk@example.com', password: 'correct horse battery' };
    ok(await anonymous.POST('/v1/auth/signup', { body: credentials }));
    const tokens = ok(await anonymous.POST('/v1/auth/login', { body: credentials }));
    expect('access_token' in tokens).toBe(true);
    const token = 'access_token' in tokens ? tokens.access_token : '';

    const api = createClient({ baseUrl, token, fetch });
    const org = ok(await api.POST('/v1/orgs', { body: { name: 'SDK' } }));
    const path = { orgId: org.id };
    const device = ok(await api.POST('/v1/orgs/{orgId}/devices', { params: { path }, body: { name: 'greenhouse-1' } }));
    expect(device.mqtt.username).toBeTruthy();
    const list = ok(await api.GET('/v1/orgs/{orgId}/devices', { params: { path, query: { limit: 10 } } }));
    expect(list.data.map((d) => d.name)).toEqual(['greenhouse-1']);

    // An error is the API's problem, thrown by ok() as an ApiError.
    const missing = api.GET('/v1/orgs/{orgId}/devices/{id}', {
      params: { path: { ...path, id: crypto.randomUUID() } },
    });
    const err = await missing.then(ok).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 404, problem: { type: expect.stringMatching(/not-found$/) } });
    // Without a token: 401.
    expect((await anonymous.GET('/v1/orgs/{orgId}/devices', { params: { path } })).response.status).toBe(401);
  });
});
