/** A JSON Schema, as the OpenAPI 3.1 document holds one. */
export type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  example?: unknown;
  examples?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minItems?: number;
};

/** What a string of a format looks like; the first of `WORDS` a pattern takes stands for other strings. */
const FORMATS: Record<string, string> = {
  email: 'ada@example.com',
  uuid: '7d1e6c4a-3b2f-4c1d-9e8f-0a1b2c3d4e5f',
  'date-time': '2026-01-01T12:00:00.000Z',
  date: '2026-01-01',
  uri: 'https://example.com',
  url: 'https://example.com',
  binary: '',
};
const WORDS = ['sensor-1', 'example', 'a', 'en', 'Europe/Paris', '12:00', '1.0.0', '123456', '+1 555 0100'];

class NoExample extends Error {}

/**
 * An example value that `schema` accepts, built from its `example`, `default`, `enum` and bounds;
 * `undefined` when a string's pattern takes none of the stock words (give the schema an example then).
 * @example exampleOf({ type: 'object', properties: { n: { type: 'integer', minimum: 1 } }, required: ['n'] }, {}) // { n: 1 }
 */
export function exampleOf(schema: JsonSchema, schemas: Record<string, JsonSchema>): unknown {
  try {
    return sample(schema, schemas, 0);
  } catch (err) {
    if (err instanceof NoExample) return undefined;
    throw err;
  }
}

function sample(s: JsonSchema, schemas: Record<string, JsonSchema>, depth: number): unknown {
  if (depth > 8) throw new NoExample();
  if (s.$ref) return sample(schemas[s.$ref.replace('#/components/schemas/', '')] ?? {}, schemas, depth + 1);
  if (s.example !== undefined) return s.example;
  if (s.examples?.length) return s.examples[0];
  if (s.const !== undefined) return s.const;
  if (s.default !== undefined) return s.default;
  if (s.enum?.length) return s.enum[0];
  const choices = s.anyOf ?? s.oneOf;
  if (choices) {
    const first = choices.find((c) => c.type !== 'null') ?? {};
    return sample(first, schemas, depth + 1);
  }
  if (s.allOf) return Object.assign({}, ...s.allOf.map((p) => sample(p, schemas, depth + 1)));
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type ?? (s.properties ? 'object' : undefined)) {
    case 'object': {
      const props = Object.entries(s.properties ?? {});
      const required = s.required ?? props.map(([k]) => k);
      return Object.fromEntries(
        props.filter(([k]) => required.includes(k)).map(([k, p]) => [k, sample(p, schemas, depth + 1)]),
      );
    }
    case 'array':
      return Array.from({ length: Math.max(1, s.minItems ?? 1) }, () => sample(s.items ?? {}, schemas, depth + 1));
    case 'string':
      return text(s);
    case 'integer':
    case 'number': {
      const low = s.minimum ?? (s.exclusiveMinimum === undefined ? 1 : s.exclusiveMinimum + 1);
      return s.maximum === undefined ? Math.max(low, 1) : Math.min(Math.max(low, 1), s.maximum);
    }
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return {};
  }
}

function text(s: JsonSchema): string {
  const fits = (v: string) =>
    v.length >= (s.minLength ?? 0) &&
    v.length <= (s.maxLength ?? Number.POSITIVE_INFINITY) &&
    (!s.pattern || new RegExp(s.pattern, 'u').test(v));
  const stock = s.format ? FORMATS[s.format] : undefined;
  const padded = (v: string) => v.padEnd(s.minLength ?? 0, 'x');
  for (const v of [stock, ...WORDS, FORMATS.uuid].filter((w) => w !== undefined)) {
    if (fits(v)) return v;
    if (!s.pattern && fits(padded(v))) return padded(v);
  }
  throw new NoExample();
}
