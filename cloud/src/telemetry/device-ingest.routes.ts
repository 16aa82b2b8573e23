import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../http/env.ts';
import { requestContext } from '../http/env.ts';
import { json, problems } from '../http/openapi.ts';
import { Forbidden, PayloadTooLarge } from '../http/problem.ts';
import { Uuid } from '../http/uuid.ts';
import { CHALLENGE, type DeviceIngest } from './device-ingest.service.ts';

export const DEVICE_TELEMETRY_PATH = /^\/v1\/devices\/[^/]+\/telemetry$/;

// The payload is read by the broker's parser, not by zod: these schemas only document it.
const Value = z.union([z.number(), z.boolean(), z.string().max(1024)]);
const Reading = z
  .object({ ts: z.union([z.string(), z.number()]).optional().openapi({ description: 'ISO 8601 or epoch ms' }) })
  .catchall(Value);
const SenmlRecord = z
  .object({
    bn: z.string(),
    bt: z.number(),
    n: z.string(),
    t: z.number(),
    v: z.number(),
    vb: z.boolean(),
    vs: z.string(),
  })
  .partial();
const Payload = z.union([Reading, z.array(Reading), z.array(SenmlRecord)]).openapi('DeviceTelemetry', {
  description:
    'As on MQTT `devices/{id}/telemetry`: an object of metric values with an optional `ts`, an array of them, or SenML JSON (RFC 8428)',
  example: { ts: '2026-11-23T10:00:00Z', temperature: 21.5, door_open: false, mode: 'eco' },
});

/**
 * Telemetry from a device that cannot speak MQTT: the device's own credentials as HTTP Basic, the
 * MQTT payloads, and 202 once the readings are stored, as a QoS 1 PUBACK.
 * @example app.route('/', deviceIngestRoutes(ingest));
 */
export function deviceIngestRoutes(ingest: DeviceIngest) {
  const { maxPayloadBytes } = ingest;
  const app = new OpenAPIHono<AppEnv>();
  app.openAPIRegistry.registerComponent('securitySchemes', 'device', {
    type: 'http',
    scheme: 'basic',
    description: "The device's id as user name and its secret as password, as on MQTT",
  });
  app.openAPIRegistry.register('DeviceTelemetry', Payload);
  return app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/devices/{id}/telemetry',
      tags: ['telemetry'],
      security: [{ device: [] }],
      summary: "A device's telemetry over HTTP; 202 once stored",
      description: `The payload formats and limits of MQTT telemetry (at most ${maxPayloadBytes} bytes). 202 means the readings are committed, as a QoS 1 PUBACK does; a refused payload is a 400 \`invalid-telemetry\` whose \`reason\` is the broker's.`,
      request: {
        params: z.object({ id: Uuid }),
        body: {
          required: true,
          content: {
            'application/json': { schema: { $ref: '#/components/schemas/DeviceTelemetry' } },
            'application/senml+json': { schema: { $ref: '#/components/schemas/DeviceTelemetry' } },
          },
        },
      },
      responses: {
        202: json(z.object({ readings: z.number().int().openapi({ example: 3 }) }), 'Stored'),
        ...problems(400, 401, 403, 413, 415, 429, 503),
      },
    }),
    async (c) => {
      const { address } = requestContext(c);
      // RFC 7235 section 4.1: a 401 names the scheme to use.
      c.header('www-authenticate', CHALLENGE);
      const device = await ingest.authenticate(c.req.header('authorization'), address);
      c.header('www-authenticate', undefined);
      const fields = { deviceId: device.id, address };
      if (c.req.valid('param').id !== device.id)
        throw ingest.refuse(new Forbidden('A device may send only its own telemetry'), 'topic_not_allowed', fields);
      // The app's body limit is larger; telemetry keeps the broker's.
      const declared = Number(c.req.header('content-length') ?? 0);
      const body = declared > maxPayloadBytes ? undefined : Buffer.from(await c.req.arrayBuffer());
      if (!body || body.length > maxPayloadBytes) {
        const problem = new PayloadTooLarge(`Send at most ${maxPayloadBytes} bytes of telemetry`);
        throw ingest.refuse(problem, 'payload_too_large', { ...fields, size: body?.length ?? declared });
      }
      return c.json(await ingest.take(device, body), 202);
    },
  );
}
