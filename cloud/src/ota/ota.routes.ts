import { OpenAPIHono, z } from '@hono/zod-openapi';
import { OTA_STATES } from '@iotp/protocol';
import type { Context } from 'hono';
import type { Authenticator } from '../auth/authenticator.ts';
import type { EventType } from '../events/domain-events.ts';
import type { EventService } from '../events/event.service.ts';
import { eventStream } from '../events/event-stream.ts';
import { EventId } from '../events/events.routes.ts';
import type { AppEnv } from '../http/env.ts';
import { json, jsonBody, noContent, problems, routeShapes } from '../http/openapi.ts';
import { Invalid } from '../http/problem.ts';
import { SSE_RESPONSE } from '../http/sse.ts';
import { Uuid } from '../http/uuid.ts';
import type { OrgRepository } from '../orgs/org.repository.ts';
import { orgGuard } from '../orgs/org-guard.ts';
import { orgRoutes } from '../orgs/org-route.ts';
import type { ReleaseService } from './release.service.ts';
import type { ContentRange } from './resumable-upload.ts';
import { Rollout, RolloutBody, RolloutDryRun } from './rollout.schemas.ts';
import type { RolloutService } from './rollout.service.ts';

const tags = ['OTA'];
const OTA_EVENT_TYPES = new Set<EventType>(['ota.job.changed', 'ota.rollout.changed']);
const OrgId = z.object({ orgId: z.string() });
const Id = OrgId.extend({ id: Uuid });
const Key = z
  .object({
    key_id: z.string(),
    name: z.string(),
    public_key: z.string(),
    created_at: z.string(),
    revoked_at: z.string().nullable(),
  })
  .openapi('FirmwareKey');
const Release = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    version: z.string(),
    hardware: z.array(z.string()),
    size: z.number(),
    sha256: z.string(),
    key_id: z.string(),
    status: z.enum(['awaiting_upload', 'ready']),
    delta: z
      .object({ base_version: z.string(), size: z.number(), uploaded: z.boolean() })
      .nullable()
      .openapi({ description: "the signed manifest's delta: devices on base_version get it once uploaded" }),
    manifest: z.record(z.string(), z.unknown()),
    created_at: z.string(),
  })
  .openapi('Release');
const State = z.enum(OTA_STATES);
const Job = z
  .object({
    id: z.string().uuid(),
    device_id: z.string().uuid(),
    phase: z.number().int(),
    state: State,
    progress: z.number().int(),
    error: z.string().nullable(),
    delivered_at: z.string().nullable(),
    updated_at: z.string(),
  })
  .openapi('OtaJob');
const Before = z.string().datetime().optional();
const octetBody = {
  required: true,
  content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } },
};

/** An upload's `Content-Range: bytes start-end/total` (RFC 9110 §14.4), if it has one. */
function contentRange(c: Context): ContentRange | undefined {
  const header = c.req.header('content-range');
  if (!header) return undefined;
  const m = /^bytes (\d+)-(\d+|\*)\/(\d+)$/.exec(header.trim());
  if (!m) throw new Invalid('Content-Range: must be bytes start-end/total');
  return { start: Number(m[1]), total: Number(m[3]) };
}

/** The release once its bytes are whole (200), or the bytes held so far (202). */
async function received<R extends object>(c: Context, result: Promise<R | { received: number }>) {
  const r = await result;
  return 'received' in r ? c.json(r, 202) : c.json(r as R, 200);
}

/** `/v1/orgs/{orgId}/ota/...`: signing keys, releases, rollouts and their per-device jobs. */
export function otaRoutes(
  auth: Authenticator,
  orgs: OrgRepository,
  releases: ReleaseService,
  rollouts: RolloutService,
  events: EventService,
) {
  const route = orgRoutes((p) => orgGuard(auth, orgs, p));
  const { list, remove, show } = routeShapes({ tags });
  const upload = (part: 'artifact' | 'delta', summary: string) =>
    route('ota:deploy', {
      method: 'put',
      path: `/v1/orgs/{orgId}/ota/releases/{id}/${part}`,
      tags,
      summary,
      description:
        'With `Content-Range: bytes start-end/total`, a part of the bytes from `start` (what `.../uploads/{part}` says was received): a part short of the end answers 202 with the bytes held.',
      request: { params: Id, body: octetBody },
      responses: {
        200: json(Release),
        202: json(z.object({ received: z.number() }), 'Part received; send the rest'),
        ...problems(400, 401, 403, 404, 409),
      },
    });
  const action = (name: 'pause' | 'resume' | 'abort' | 'advance', summary: string) =>
    route('ota:deploy', {
      method: 'post',
      path: `/v1/orgs/{orgId}/ota/rollouts/{id}/${name}`,
      tags,
      summary,
      request: { params: Id },
      responses: { 200: json(Rollout), ...problems(401, 403, 404, 409) },
    });
  return new OpenAPIHono<AppEnv>()
    .openapi(
      route('ota:deploy', {
        method: 'post',
        path: '/v1/orgs/{orgId}/ota/keys',
        tags,
        summary: 'Trust a firmware signing key (the .pub file from firmware-tools keygen)',
        request: {
          params: OrgId,
          body: jsonBody(z.object({ name: z.string().min(1).max(100), public_key: z.string().max(4096) }).strict()),
        },
        responses: { 201: json(Key), ...problems(400, 401, 403, 404, 409) },
      }),
      async (c) => c.json(await releases.addKey(c.get('org').id, c.req.valid('json')), 201),
    )
    .openapi(
      route(
        'ota:read',
        list(
          '/v1/orgs/{orgId}/ota/keys',
          Key,
          { summary: "The organization's firmware signing keys", params: OrgId },
          [401, 403, 404],
        ),
      ),
      async (c) => c.json({ data: await releases.keys(c.get('org').id) }, 200),
    )
    .openapi(
      route(
        'ota:deploy',
        remove(
          '/v1/orgs/{orgId}/ota/keys/{keyId}',
          'Revoked',
          {
            summary: 'Stop trusting a key: releases signed with it can no longer be created',
            params: OrgId.extend({ keyId: z.string() }),
          },
          [401, 403, 404],
        ),
      ),
      (c) => noContent(c, releases.revokeKey(c.get('org').id, c.req.valid('param').keyId)),
    )
    .openapi(
      route('ota:deploy', {
        method: 'post',
        path: '/v1/orgs/{orgId}/ota/releases',
        tags,
        summary: 'Register a release from its signed manifest; upload the artifact next',
        request: { params: OrgId, body: jsonBody(z.record(z.string(), z.unknown())) },
        responses: { 201: json(Release), ...problems(400, 401, 403, 404, 409, 413) },
      }),
      async (c) => c.json(await releases.create(c.get('org').id, c.req.valid('json')), 201),
    )
    .openapi(
      upload('artifact', "Upload the artifact's bytes; refused unless size and SHA-256 match the signed manifest"),
      (c) => received(c, releases.upload(c.get('org').id, c.req.valid('param').id, c.req.raw.body, contentRange(c))),
    )
    .openapi(
      upload(
        'delta',
        'Upload the delta the signed manifest names (firmware-tools pack --delta-from); refused unless its size and SHA-256 match',
      ),
      (c) =>
        received(c, releases.uploadDelta(c.get('org').id, c.req.valid('param').id, c.req.raw.body, contentRange(c))),
    )
    .openapi(
      route('ota:deploy', {
        method: 'get',
        path: '/v1/orgs/{orgId}/ota/releases/{id}/uploads/{part}',
        tags,
        summary: 'How many bytes of a cut upload were kept: send the rest with Content-Range from `received`',
        request: { params: Id.extend({ part: z.enum(['artifact', 'delta']) }) },
        responses: {
          200: json(
            z.object({
              part: z.enum(['artifact', 'delta']),
              size: z.number(),
              received: z.number(),
              complete: z.boolean(),
            }),
          ),
          ...problems(401, 403, 404),
        },
      }),
      async (c) => {
        const { id, part } = c.req.valid('param');
        return c.json(await releases.received(c.get('org').id, id, part), 200);
      },
    )
    .openapi(
      route(
        'ota:read',
        list(
          '/v1/orgs/{orgId}/ota/releases',
          Release,
          {
            summary: 'Releases, newest first; page with `before` = the last created_at',
            params: OrgId,
            query: z.object({
              name: z.string().optional(),
              before: Before,
              limit: z.coerce.number().int().min(1).max(200).default(50),
            }),
          },
          [400, 401, 403, 404],
        ),
      ),
      async (c) => {
        const q = c.req.valid('query');
        const data = await releases.list(c.get('org').id, {
          ...q,
          before: q.before ? new Date(q.before) : undefined,
        });
        return c.json({ data }, 200);
      },
    )
    .openapi(
      route(
        'ota:read',
        show(
          '/v1/orgs/{orgId}/ota/releases/{id}',
          Release,
          { summary: 'One firmware release', params: Id },
          [401, 403, 404],
        ),
      ),
      async (c) => c.json(await releases.get(c.get('org').id, c.req.valid('param').id), 200),
    )
    .openapi(
      route(
        'ota:deploy',
        remove(
          '/v1/orgs/{orgId}/ota/releases/{id}',
          'Deleted',
          { summary: 'Delete a release no rollout uses', params: Id },
          [401, 403, 404, 409],
        ),
      ),
      (c) => noContent(c, releases.delete(c.get('org').id, c.req.valid('param').id)),
    )
    .openapi(
      route('ota:deploy', {
        method: 'post',
        path: '/v1/orgs/{orgId}/ota/rollouts',
        tags,
        summary:
          'Send a release to devices, a group or a tag filter, in phases; with dry_run=true, which devices each phase would reach and which are left out and why, creating nothing',
        description:
          'A rollout that would install the release on no device is refused: 400 `rollout-matches-no-device`, with `excluded_counts`.',
        request: {
          params: OrgId,
          query: z.object({ dry_run: z.enum(['true', 'false']).optional() }),
          body: jsonBody(RolloutBody),
        },
        responses: {
          200: json(RolloutDryRun, 'The dry run (dry_run=true)'),
          201: json(Rollout, 'Created'),
          ...problems(400, 401, 402, 403, 404, 409),
        },
      }),
      async (c) =>
        c.req.valid('query').dry_run === 'true'
          ? c.json(await rollouts.dryRun(c.get('org').id, c.req.valid('json')), 200)
          : c.json(await rollouts.create(c.get('org').id, c.req.valid('json')), 201),
    )
    .openapi(
      route(
        'ota:read',
        list(
          '/v1/orgs/{orgId}/ota/rollouts',
          Rollout,
          {
            summary: "The organization's rollouts, newest first",
            params: OrgId,
            query: z.object({
              status: z.enum(['active', 'paused', 'aborted', 'completed']).optional(),
              before: Before,
              limit: z.coerce.number().int().min(1).max(200).default(50),
            }),
          },
          [400, 401, 403, 404],
        ),
      ),
      async (c) => {
        const q = c.req.valid('query');
        const data = await rollouts.list(c.get('org').id, { ...q, before: q.before ? new Date(q.before) : undefined });
        return c.json({ data }, 200);
      },
    )
    .openapi(
      route(
        'ota:read',
        show(
          '/v1/orgs/{orgId}/ota/rollouts/{id}',
          Rollout,
          { summary: 'A rollout with its counts by state', params: Id },
          [401, 403, 404],
        ),
      ),
      async (c) => c.json(await rollouts.summary(c.get('org').id, c.req.valid('param').id), 200),
    )
    .openapi(
      route(
        'ota:read',
        list(
          '/v1/orgs/{orgId}/ota/rollouts/{id}/devices',
          Job,
          {
            summary: "Each device's job: state, progress, error; page with `after` = the last device_id",
            params: Id,
            query: z.object({
              state: State.optional(),
              after: z.string().uuid().optional(),
              limit: z.coerce.number().int().min(1).max(500).default(100),
            }),
          },
          [400, 401, 403, 404],
        ),
      ),
      async (c) =>
        c.json({ data: await rollouts.jobs(c.get('org').id, c.req.valid('param').id, c.req.valid('query')) }, 200),
    )
    .openapi(
      route('ota:read', {
        method: 'get',
        path: '/v1/orgs/{orgId}/ota/events',
        tags,
        summary:
          'Rollout and device job changes as they happen (server-sent events, `id:` the event id); with Last-Event-ID, first those after it',
        request: { params: OrgId, headers: z.object({ 'last-event-id': EventId.optional() }) },
        responses: {
          200: SSE_RESPONSE,
          ...problems(400, 401, 403, 404),
        },
      }),
      (c) =>
        // The change as the rollout recorded it (an OtaEvent), as this stream has always sent it.
        eventStream(c, events, c.get('org').id, c.req.valid('header')['last-event-id'], (e) =>
          OTA_EVENT_TYPES.has(e.type) ? { event: 'ota', data: JSON.stringify(e.data) } : undefined,
        ),
    )
    .openapi(action('pause', 'Stop starting updates; running ones finish'), async (c) =>
      c.json(await rollouts.pause(c.get('org').id, c.req.valid('param').id), 200),
    )
    .openapi(action('resume', 'Go on with a paused rollout'), async (c) =>
      c.json(await rollouts.resume(c.get('org').id, c.req.valid('param').id), 200),
    )
    .openapi(action('advance', 'Start the next phase now'), async (c) =>
      c.json(await rollouts.advance(c.get('org').id, c.req.valid('param').id), 200),
    )
    .openapi(action('abort', 'Stop for good; unfinished jobs are cancelled'), async (c) =>
      c.json(await rollouts.abort(c.get('org').id, c.req.valid('param').id), 200),
    );
}
