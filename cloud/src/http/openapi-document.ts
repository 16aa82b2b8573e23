import { exampleOf, type JsonSchema } from './openapi-example.ts';

/**
 * What the routes' own descriptions leave to one place, so that every operation of the document
 * is described alike: its `operationId` (derived from method and path), an example of each JSON
 * request body (from its schema, unless the route gives one), and the document's servers and tags.
 */

type Operation = {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: unknown[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema; example?: unknown; examples?: unknown }> };
};
export type OpenApiDocument = {
  paths?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, JsonSchema> };
  servers?: { url: string; description?: string }[];
  tags?: { name: string; description?: string }[];
};

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

const pascal = (s: string) =>
  s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');

/**
 * The operation id of `method path`: the method, then each fixed part of the path past `/v1` in
 * PascalCase, then `By` and the last parameter when the path ends with one. Unique because
 * paths are: two paths differing only in an inner parameter's name would collide, and
 * `describeApi` refuses that.
 * @example operationIdOf('get', '/v1/orgs/{orgId}/devices/{id}') // 'getOrgsDevicesById'
 */
export function operationIdOf(method: string, path: string): string {
  const parts = path.split('/').filter((p) => p && p !== 'v1');
  const last = parts.at(-1) ?? '';
  const fixed = parts.filter((p) => !p.startsWith('{')).map(pascal);
  const by = last.startsWith('{') ? `By${pascal(last.slice(1, -1))}` : '';
  return `${method}${fixed.join('')}${by}`;
}

/**
 * Completes `doc` in place (see above) and returns it; throws when two operations would share an id.
 * @example describeApi(app.getOpenAPI31Document(info), { servers: [{ url: 'https://iot.example.com' }] })
 */
export function describeApi<D extends object>(
  described: D,
  { servers, tags }: { servers: { url: string; description?: string }[]; tags: Record<string, string> },
): D {
  const doc = described as OpenApiDocument;
  const seen = new Map<string, string>();
  const used = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      op.operationId ??= operationIdOf(method, path);
      const twin = seen.get(op.operationId);
      if (twin) throw new Error(`operationId ${op.operationId} of ${method} ${path} is also ${twin}'s`);
      seen.set(op.operationId, `${method} ${path}`);
      for (const tag of op.tags ?? []) used.add(tag);
      for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) {
        if (media.example !== undefined || media.examples !== undefined || !media.schema) continue;
        if (!/json/.test(type)) continue;
        media.example = exampleOf(media.schema, doc.components?.schemas ?? {});
      }
    }
  }
  doc.servers = servers;
  doc.tags = [...used].sort().map((name) => ({ name, ...(tags[name] ? { description: tags[name] } : {}) }));
  return described;
}
