import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { requireAuth } from '../auth/authenticate.ts';
import type { Authenticator } from '../auth/authenticator.ts';
import { type CounterStore, rateLimit } from '../auth/rate-limit.ts';
import type { AppEnv } from '../http/env.ts';
import { requestContext } from '../http/env.ts';
import { json, jsonBody, problems } from '../http/openapi.ts';
import type { OrgRepository } from '../orgs/org.repository.ts';
import { orgGuard } from '../orgs/org-guard.ts';
import { OrgId, orgRoutes } from '../orgs/org-route.ts';
import type { DeviceService } from './device.service.ts';

const tags = ['claim codes'];
const Code = z.string().trim().min(8).max(64);
const Mqtt = z.object({
  host: z.string(),
  port: z.number(),
  client_id: z.string(),
  username: z.string(),
  password: z.string(),
});

/**
 * Claiming: operators mint codes that ship with devices; a customer claims one into an
 * organization; the device, knowing only its code, then fetches its credentials once.
 */
export function claimRoutes(auth: Authenticator, orgs: OrgRepository, devices: DeviceService, limits: CounterStore) {
  const route = orgRoutes((p) => orgGuard(auth, orgs, p));
  return new OpenAPIHono<AppEnv>()
    .openapi(
      createRoute({
        method: 'post',
        path: '/v1/admin/claim-codes',
        tags,
        security: [{ bearer: [] }],
        summary: 'Mint claim codes to print on devices (operators); they are shown only here',
        middleware: [requireAuth(auth, { sessionOnly: true, admin: true })],
        request: { body: jsonBody(z.object({ count: z.number().int().min(1).max(10_000) })) },
        responses: { 201: json(z.object({ codes: z.array(z.string()) })), ...problems(400, 401, 403) },
      }),
      async (c) => c.json({ codes: await devices.mintClaimCodes(c.req.valid('json').count) }, 201),
    )
    .openapi(
      route('devices:write', {
        method: 'post',
        path: '/v1/orgs/{orgId}/devices/claim',
        tags,
        summary: 'Claim a device by the code on its label; it then fetches its own credentials',
        request: {
          params: OrgId,
          body: jsonBody(
            z.object({
              code: Code,
              name: z.string().trim().min(1).max(100),
              tags: z.array(z.string().max(64)).max(32).optional(),
            }),
          ),
        },
        responses: {
          201: json(z.object({ id: z.string(), name: z.string() }).passthrough()),
          ...problems(400, 401, 402, 403, 404),
        },
      }),
      async (c) => c.json(await devices.claim(c.get('org').id, c.req.valid('json')), 201),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/v1/claim/credentials',
        security: [],
        tags,
        summary: "The device's call: its MQTT credentials, once, after it was claimed (409 until then)",
        request: { body: jsonBody(z.object({ code: Code })) },
        responses: { 200: json(z.object({ mqtt: Mqtt })), ...problems(400, 404, 409, 429) },
      }),
      async (c) => {
        await rateLimit(limits, `claim:${requestContext(c).address}`, [30, 60]);
        return c.json(await devices.fetchClaimedCredentials(c.req.valid('json').code), 200);
      },
    );
}
