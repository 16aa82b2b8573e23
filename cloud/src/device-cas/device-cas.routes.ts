import { OpenAPIHono, z } from '@hono/zod-openapi';
import { CANONICAL_UUID } from '@iotp/protocol';
import type { Authenticator } from '../auth/authenticator.ts';
import type { AppEnv } from '../http/env.ts';
import { json, jsonBody, noContent, pageOf, problems, routeShapes } from '../http/openapi.ts';
import { Uuid } from '../http/uuid.ts';
import type { OrgRepository } from '../orgs/org.repository.ts';
import { orgGuard } from '../orgs/org-guard.ts';
import { OrgId, orgRoutes } from '../orgs/org-route.ts';
import type { DeviceCaService } from './device-ca.service.ts';

const tags = ['device-cas'];
const Params = OrgId.extend({ id: Uuid });
const Name = z.string().trim().min(1).max(100);
const Pem = z.string().max(16_384);
const Days = (fallback: number) => z.number().int().min(1).max(36_500).default(fallback);
const DeviceCa = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    certificate_pem: z.string(),
    fingerprint_sha256: z.string(),
    subject: z.string(),
    not_after: z.string(),
    auto_register: z.boolean(),
    active: z.boolean(),
    /** The platform made this CA and holds its key: it signs device certificates. */
    platform_key: z.boolean(),
    created_at: z.string(),
  })
  .openapi('DeviceCa');
const NewCa = z.union([
  z.object({ name: Name, certificate_pem: Pem, auto_register: z.boolean().optional() }).strict(),
  z.object({ name: Name, generate: z.literal(true), days: Days(3650), auto_register: z.boolean().optional() }).strict(),
]);
const Revocation = z.object({ serial: z.string(), revoked_at: z.string() }).openapi('RevokedCertificate');
const Issued = z
  .object({
    device_id: z.string(),
    serial: z.string(),
    certificate_pem: z.string(),
    ca_certificate_pem: z.string(),
    private_key_pem: z.string().optional(),
  })
  .openapi('DeviceCertificate');

/**
 * `/v1/orgs/{orgId}/device-cas`: the CAs whose certificates devices connect with over MQTTS,
 * their revoked certificates, and device certificates signed by a CA the platform made.
 */
export function deviceCaRoutes(auth: Authenticator, orgs: OrgRepository, cas: DeviceCaService) {
  const route = orgRoutes((p) => orgGuard(auth, orgs, p));
  const { list, show, remove } = routeShapes({ tags });
  const org = (c: { get(k: 'org'): { id: string } }) => c.get('org').id;
  return new OpenAPIHono<AppEnv>()
    .openapi(
      route('devices:write', {
        method: 'post',
        path: '/v1/orgs/{orgId}/device-cas',
        tags,
        summary: "Register the organization's CA certificate (PEM), or `generate: true` to have the platform make one",
        request: { params: OrgId, body: jsonBody(NewCa) },
        responses: { 201: json(DeviceCa), ...problems(400, 401, 403, 404, 409) },
      }),
      async (c) => {
        const body = c.req.valid('json');
        const ca = 'generate' in body ? await cas.generate(org(c), body) : await cas.register(org(c), body);
        return c.json(ca, 201);
      },
    )
    .openapi(
      route('devices:read', {
        method: 'get',
        path: '/v1/orgs/{orgId}/device-cas',
        summary: "The organization's device CAs (X.509 devices)",
        tags,
        request: {
          params: OrgId,
          query: z.object({
            limit: z.coerce.number().int().min(1).max(500).default(100),
            cursor: Uuid.optional(),
          }),
        },
        responses: { 200: pageOf(DeviceCa), ...problems(400, 401, 403, 404) },
      }),
      async (c) => c.json(await cas.list(org(c), c.req.valid('query')), 200),
    )
    .openapi(
      route(
        'devices:read',
        show(
          '/v1/orgs/{orgId}/device-cas/{id}',
          DeviceCa,
          { summary: 'One device CA and its certificate', params: Params },
          [401, 403, 404],
        ),
      ),
      async (c) => c.json(await cas.get(org(c), c.req.valid('param').id), 200),
    )
    .openapi(
      route('devices:write', {
        method: 'patch',
        path: '/v1/orgs/{orgId}/device-cas/{id}',
        tags,
        summary: 'Rename, turn just-in-time registration on or off, or deactivate (its devices are dropped)',
        request: {
          params: Params,
          body: jsonBody(z.object({ name: Name, active: z.boolean(), auto_register: z.boolean() }).partial().strict()),
        },
        responses: { 200: json(DeviceCa), ...problems(400, 401, 403, 404) },
      }),
      async (c) => c.json(await cas.update(org(c), c.req.valid('param').id, c.req.valid('json')), 200),
    )
    .openapi(
      route(
        'devices:write',
        remove(
          '/v1/orgs/{orgId}/device-cas/{id}',
          'Deleted; its devices are dropped',
          { summary: 'Delete a device CA; devices that authenticate with it are dropped', params: Params },
          [401, 403, 404],
        ),
      ),
      (c) => noContent(c, cas.delete(org(c), c.req.valid('param').id)),
    )
    .openapi(
      route('devices:write', {
        method: 'post',
        path: '/v1/orgs/{orgId}/device-cas/{id}/revocations',
        tags,
        summary: 'Revoke a certificate of the CA by its serial (hex): a device connected with it is dropped',
        request: {
          params: Params,
          body: jsonBody(z.object({ serial: z.string().regex(/^(?:[0-9A-Fa-f]{2}:?){1,20}$|^[0-9A-Fa-f]{1,40}$/) })),
        },
        responses: { 201: json(z.object({ serial: z.string() })), ...problems(400, 401, 403, 404) },
      }),
      async (c) => c.json(await cas.revoke(org(c), c.req.valid('param').id, c.req.valid('json').serial), 201),
    )
    .openapi(
      route(
        'devices:read',
        list(
          '/v1/orgs/{orgId}/device-cas/{id}/revocations',
          Revocation,
          { summary: 'The device certificates a CA has revoked', params: Params },
          [401, 403, 404],
        ),
      ),
      async (c) => c.json({ data: await cas.revocations(org(c), c.req.valid('param').id) }, 200),
    )
    .openapi(
      route('devices:write', {
        method: 'post',
        path: '/v1/orgs/{orgId}/device-cas/{id}/certificates',
        tags,
        summary:
          'A CA the platform made signs a device certificate: for a CSR (PEM), or with a key made here (in this answer only)',
        request: {
          params: Params,
          body: jsonBody(
            z
              .object({
                device_id: z.string().regex(CANONICAL_UUID, 'must be a device id, in lower case'),
                csr_pem: Pem.optional(),
                days: Days(365),
              })
              .strict(),
          ),
        },
        responses: { 201: json(Issued), ...problems(400, 401, 403, 404, 409) },
      }),
      async (c) => c.json(await cas.issue(org(c), c.req.valid('param').id, c.req.valid('json')), 201),
    );
}
