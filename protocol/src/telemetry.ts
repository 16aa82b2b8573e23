import { z } from 'zod';

/**
 * The telemetry payloads a device publishes on `telemetry`. The broker reads them with its own
 * parser (`broker/src/telemetry-parser.ts`, hand-written for speed); these schemas describe the
 * same shapes for devices, the agent and documentation. What the schemas leave to the broker:
 * the future limit on times and the readings per message (its clock and configuration decide);
 * the text limit here is the broker's default.
 */

/** Letters, digits and `_ . : / -`, not starting with a punctuation mark other than `_`; 1 to 64 characters. */
export const METRIC_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.:/-]{0,63}$/;
/** The broker's longest string value (`maxTextLength` in `broker/src/limits.ts`), in UTF-16 code units. */
export const MAX_TEXT_LENGTH = 1024;
/** 2000-01-01T00:00:00Z in µs: the earliest time a reading may have. */
const YEAR_2000_US = 946_684_800_000_000;
/** SenML times below 2^28 s are relative to the receive time (RFC 8428 §4.5.3). */
export const SENML_RELATIVE_LIMIT_S = 2 ** 28;

export const MetricName = z.string().regex(METRIC_NAME, 'metric name: letters, digits and _ . : / -, at most 64');

// PostgreSQL text cannot hold NUL, so the broker refuses it.
const Text = z
  .string()
  .max(MAX_TEXT_LENGTH)
  .refine((s) => !s.includes('\0'), 'text must not contain NUL');

/** A reading's value: a finite number (zod refuses Infinity, which `1e999` parses to), a boolean or a short string. */
export const MetricValue = z.union([z.number(), z.boolean(), Text]);
export type MetricValue = z.infer<typeof MetricValue>;

/** Rounded as the broker rounds, so both draw the line at the same microsecond. */
const afterYear2000 = (us: number) => Number.isFinite(us) && Math.round(us) >= YEAR_2000_US;

/** `ts`: epoch milliseconds (fractional: µs) or a date string `Date.parse` reads, after 2000. */
export const TelemetryTimestamp = z
  .union([z.number(), z.string()])
  .refine(
    (ts) => afterYear2000((typeof ts === 'number' ? ts : Date.parse(ts)) * 1000),
    'timestamp unreadable or before 2000',
  );

/**
 * One reading set: `{"ts"?, metric: value, ...}`. Without `ts` the broker stamps the receive time.
 * @example TelemetryObject.parse({ ts: 1767323045678, temperature: 21.5, door_open: false })
 */
export const TelemetryObject = z
  // zod skips a `__proto__` key (prototype safety), but JSON.parse makes it an own key that the
  // broker reads as a metric like any other: its value is checked here (and it is left out of the output).
  .custom<unknown>(
    (v) => {
      const proto = typeof v === 'object' && v !== null ? Object.getOwnPropertyDescriptor(v, '__proto__') : undefined;
      return proto === undefined || MetricValue.safeParse(proto.value).success;
    },
    { message: 'value must be a finite number, a boolean or a short string', path: ['__proto__'] },
  )
  .pipe(
    z
      .object({ ts: TelemetryTimestamp.optional() })
      .catchall(MetricValue)
      .superRefine((obj, ctx) => {
        for (const key of Object.keys(obj))
          if (key !== 'ts' && !METRIC_NAME.test(key))
            ctx.addIssue({
              code: 'custom',
              path: [key],
              message: 'metric name: letters, digits and _ . : / -, at most 64',
            });
      }),
  );
export type TelemetryObject = z.infer<typeof TelemetryObject>;

/**
 * What makes an array SenML rather than a batch: its first record has a string `n` or `bn`, or a
 * `bt` (RFC 8428 §4.5.1: names are strings, so `[{"n": 7}]` is a batch with a metric called n).
 */
export function looksLikeSenml(x: unknown): boolean {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as Record<string, unknown>;
  return typeof r.n === 'string' || typeof r.bn === 'string' || 'bt' in r;
}

/** A batch: reading sets in an array, the first not looking like SenML. `[]` is an empty batch. */
export const TelemetryBatch = z
  .array(TelemetryObject)
  .refine((a) => a.length === 0 || !looksLikeSenml(a[0]), 'a SenML pack, not a batch');
export type TelemetryBatch = z.infer<typeof TelemetryBatch>;

/**
 * A SenML record (RFC 8428 §4, JSON types per §5): the fields the broker reads, others (`u`, `s`,
 * `vd`, `bver`, ...) kept and ignored. A record with none of `v`, `vb`, `vs` only sets the base.
 */
export const SenmlRecord = z.looseObject({
  bn: z.string().optional(),
  bt: z.number().optional(),
  n: z.string().optional(),
  t: z.number().optional(),
  v: z.number().optional(),
  vb: z.boolean().optional(),
  vs: Text.optional(),
});
export type SenmlRecord = z.infer<typeof SenmlRecord>;

/**
 * A SenML pack. Base name and base time carry over to the records that follow (RFC 8428 §4.1);
 * a reading's name is the base name (unless it ends in `:`, naming the device) plus `n`, and
 * must be a metric name; its time `bt + t` is relative below 2^28 s, else absolute after 2000.
 * @example SenmlPack.parse([{ bn: 'urn:dev:mac:0024befffe804ff1:', bt: 1.7e9, n: 'temp', v: 23.1 }])
 */
export const SenmlPack = z
  .array(SenmlRecord)
  .min(1)
  .superRefine((records, ctx) => {
    if (!looksLikeSenml(records[0])) {
      ctx.addIssue({ code: 'custom', path: [0], message: 'a SenML pack starts with n, bn or bt' });
      return;
    }
    let bn = '';
    let bt = 0;
    records.forEach((rec, i) => {
      if (rec.bn !== undefined) bn = rec.bn;
      if (rec.bt !== undefined) bt = rec.bt;
      if (rec.v === undefined && rec.vb === undefined && rec.vs === undefined) return;
      const name = (bn.endsWith(':') ? '' : bn) + (rec.n ?? '');
      if (!METRIC_NAME.test(name)) ctx.addIssue({ code: 'custom', path: [i, 'n'], message: `metric name: ${name}` });
      const t = bt + (rec.t ?? 0);
      if (Math.abs(t) >= SENML_RELATIVE_LIMIT_S && !afterYear2000(t * 1e6))
        ctx.addIssue({ code: 'custom', path: [i, 't'], message: 'time before 2000' });
    });
  });
export type SenmlPack = z.infer<typeof SenmlPack>;

/** Anything the broker accepts on `telemetry`: a reading set, a batch of them, or a SenML pack. */
export const Telemetry = z.union([TelemetryObject, SenmlPack, TelemetryBatch]);
export type Telemetry = z.infer<typeof Telemetry>;
