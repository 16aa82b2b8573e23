import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';

const Source = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('command'),
    /** Run through the shell; stdout is a JSON object of readings or `metric value` lines. */
    command: z.string().min(1),
    interval_s: z.number().positive().default(10),
    /** The metric a bare number on stdout is stored as. */
    metric: z.string().optional(),
  }),
  z.object({
    kind: z.literal('file'),
    path: z.string().min(1),
    interval_s: z.number().positive().default(10),
    metric: z.string().optional(),
  }),
  /** A Unix socket; each line a client writes is a JSON object of readings. */
  z.object({ kind: z.literal('socket'), path: z.string().min(1) }),
  /** Each line on standard input is a JSON object of readings. */
  z.object({ kind: z.literal('stdin') }),
]);
export type Source = z.infer<typeof Source>;

const Health = z
  .object({
    /** Succeeds when it exits 0. */
    command: z.string().optional(),
    /** Succeeds on a 2xx answer. */
    url: z.string().url().optional(),
    /** How long the new firmware has to become healthy. */
    deadline_s: z.number().positive().default(60),
    interval_s: z.number().positive().default(2),
  })
  .refine((h) => !(h.command && h.url), 'give a command or a url, not both');

/** agent.json: what a device runs with. Relative paths are taken from the file's folder. */
export const AgentConfig = z.object({
  device_id: z.string().min(1),
  secret: z.string().min(1),
  /** mqtt://host:1883 or mqtts://host:8883 */
  broker_url: z.string().refine((v) => /^mqtts?:\/\//.test(v), 'must be a URL like mqtts://iot.example.com:8883'),
  tls: z.object({ ca: z.string().optional(), reject_unauthorized: z.boolean().default(true) }).optional(),
  state_dir: z.string().default('./state'),
  /** Firmware version this device ships with, until an update installs another. */
  firmware_version: z.string().default('0.0.0'),
  /** The board this device is; an update must name it among its hardware. */
  hardware: z.string().default('generic'),
  sources: z.array(Source).default([]),
  /** How often uptime and health are reported, in seconds (0: never). */
  heartbeat_s: z.number().min(0).default(60),
  /**
   * Waits between connection attempts after a drop or a refusal (bad credentials, not authorized,
   * server unavailable): a random wait below a ceiling that doubles from `initial_s` up to `max_s`,
   * back to `initial_s` once connected.
   */
  reconnect: z
    .object({ initial_s: z.number().positive().default(1), max_s: z.number().positive().default(60) })
    .refine((r) => r.max_s >= r.initial_s, 'max_s must be at least initial_s')
    .default({ initial_s: 1, max_s: 60 }),
  queue: z
    .object({
      /** Readings kept on disk while offline; past this the oldest are dropped and counted. */
      max_readings: z.number().int().positive().default(100_000),
      /** Readings per message when sending the backlog. */
      batch: z.number().int().min(1).max(1000).default(100),
      /** Messages per second at most while catching up, so a fleet coming back does not flood the broker. */
      rate_per_s: z.number().positive().default(20),
    })
    .default({ max_readings: 100_000, batch: 100, rate_per_s: 20 }),
  ota: z
    .object({
      /** Public keys (PEM files) whose signatures are trusted: pinned on the device. */
      public_keys: z.array(z.string()).default([]),
      /** Holds `a/` and `b/`; `current` points at the active one. */
      slots_dir: z.string().default('./slots'),
      /** Runs after the artifact is written to the inactive slot (SLOT_DIR, ARTIFACT set); for real hardware. */
      install_command: z.string().optional(),
      /** Restarts the application on the active slot (SLOT_DIR set). */
      restart_command: z.string().optional(),
      health: Health.optional(),
    })
    .default({ public_keys: [], slots_dir: './slots' }),
  /** Runs on the `reboot` command. */
  reboot_command: z.string().optional(),
});
export type AgentConfig = z.infer<typeof AgentConfig>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads and checks agent.json; throws a ConfigError naming every bad field. */
export async function loadConfig(path: string): Promise<AgentConfig> {
  const text = await readFile(path, 'utf8').catch(() => {
    throw new ConfigError(`cannot read ${path}; write one as shown in: edge-agent run --help`);
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${path} is not JSON: ${(err as Error).message}`);
  }
  const parsed = AgentConfig.safeParse(json);
  if (!parsed.success)
    throw new ConfigError(
      `${path}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ')}`,
    );
  const base = dirname(resolve(path));
  const at = (p: string) => resolve(base, p);
  const c = parsed.data;
  return {
    ...c,
    state_dir: at(c.state_dir),
    tls: c.tls && { ...c.tls, ca: c.tls.ca && at(c.tls.ca) },
    sources: c.sources.map((s) => (s.kind === 'file' || s.kind === 'socket' ? { ...s, path: at(s.path) } : s)),
    ota: { ...c.ota, slots_dir: at(c.ota.slots_dir), public_keys: c.ota.public_keys.map(at) },
  };
}
