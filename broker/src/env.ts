import proxyaddr from 'proxy-addr';
import { z } from 'zod';

/** A bad environment: every offending variable, with what it allows. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
  }
}

/**
 * Parses `env` with `schema` once, listing every bad variable rather than the first.
 * @example const config = parseEnv(z.object({ HTTP_PORT: port(8080) }), process.env);
 */
export function parseEnv<S extends z.ZodObject>(schema: S, env: Record<string, string | undefined>): z.infer<S> {
  // An empty variable means "not set", as in most shells' `VAR= command`.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(present);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
}

/** A TCP port number; 0 asks the system for a free one. */
export const port = (fallback: number) =>
  z.coerce
    .number({ error: 'must be a port number from 0 to 65535' })
    .int('must be a port number from 0 to 65535')
    .min(0, 'must be a port number from 0 to 65535')
    .max(65535, 'must be a port number from 0 to 65535')
    .default(fallback);

/** A positive whole number. */
export const count = (fallback: number) =>
  z.coerce
    .number({ error: 'must be a whole number above 0' })
    .int('must be a whole number above 0')
    .positive('must be a whole number above 0')
    .default(fallback);

/** A yes/no flag: true/false, 1/0, yes/no. */
export const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
    .transform((v) => v === 'true' || v === '1' || v === 'yes')
    .default(fallback);

/**
 * Comma-separated addresses or CIDRs, or proxy-addr's names `loopback`, `linklocal`, `uniquelocal`;
 * empty by default.
 */
export const addressList = () =>
  z
    .string()
    .default('')
    .transform((v, ctx) => {
      const list = v
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean);
      try {
        proxyaddr.compile(list);
      } catch (err) {
        ctx.addIssue({
          code: 'custom',
          message: `${(err as Error).message}: list addresses or CIDRs, like 10.0.0.0/8,127.0.0.1`,
        });
        return z.NEVER;
      }
      return list;
    });
