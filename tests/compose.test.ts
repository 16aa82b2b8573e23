import { readFile } from 'node:fs/promises';
import { loadConfig, platformEnv } from '@iotp/cloud/config';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = new URL('..', import.meta.url).pathname;

interface Compose {
  services: Record<string, { image?: string; build?: unknown; environment?: Record<string, string> }>;
}

/** Docker Compose's `${VAR:?message}`: the deployment must set it; the check gives it a valid value. */
const FILLED: Record<string, string> = {
  JWT_SIGNING_KEY: '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n',
};
const fill = (value: string) =>
  value.replace(/\$\{(\w+)(?::?[-?][^}]*)?\}/g, (_m, name: string) => FILLED[name] ?? `unset-${name}`);

describe('compose.yaml', () => {
  it('sets on every platform node only variables the configuration knows, with values it accepts', async () => {
    const compose = parse(await readFile(`${ROOT}compose.yaml`, 'utf8'), { merge: true }) as Compose;
    const nodes = Object.entries(compose.services).filter(([, s]) => s.image === 'iot-platform:latest');
    expect(nodes.map(([name]) => name).sort()).toEqual(['api-1', 'api-2', 'broker-1', 'broker-2']);
    const known = new Set(Object.keys(platformEnv.shape));
    for (const [name, service] of nodes) {
      const env = Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, fill(String(v))]));
      expect(
        Object.keys(env).filter((k) => !known.has(k)),
        `${name}: unknown variables`,
      ).toEqual([]);
      const config = loadConfig(env);
      expect(config.NATS_URL, name).toBeDefined();
      expect(config.DATABASE_URL, name).toBeDefined();
    }
    // Brokers hold devices; the others serve the API and run the background jobs.
    const roles = Object.fromEntries(
      nodes.map(([name, s]) => [name, [...loadConfig({ ROLES: s.environment?.ROLES }).ROLES].sort().join(',')]),
    );
    expect(roles).toEqual({ 'broker-1': 'broker', 'broker-2': 'broker', 'api-1': 'api,worker', 'api-2': 'api,worker' });
  });

  it('names in HAProxy and Prometheus exactly the platform nodes compose.yaml runs', async () => {
    const compose = parse(await readFile(`${ROOT}compose.yaml`, 'utf8'), { merge: true }) as Compose;
    const haproxy = await readFile(`${ROOT}deploy/haproxy.cfg`, 'utf8');
    const prometheus = await readFile(`${ROOT}deploy/prometheus.yml`, 'utf8');
    for (const name of Object.keys(compose.services).filter((n) => /^(broker|api)-\d$/.test(n))) {
      expect(haproxy, name).toMatch(new RegExp(`server ${name} ${name}:`));
      expect(prometheus, name).toMatch(new RegExp(`["']${name}:8080["']`));
    }
  });

  it('builds an image that runs the built JavaScript on a production install', async () => {
    const dockerfile = await readFile(`${ROOT}Dockerfile`, 'utf8');
    const build = JSON.parse(await readFile(`${ROOT}tsconfig.build.json`, 'utf8')) as {
      references: { path: string }[];
    };
    const workspaces = build.references.map((r) => r.path.split('/')[0]);
    expect(dockerfile).toMatch(/RUN npm run build\n/);
    expect(dockerfile).toMatch(/RUN npm ci --omit=dev /);
    for (const w of workspaces) expect(dockerfile, w).toContain(`COPY --from=build /app/${w}/dist ${w}/dist\n`);
    expect(dockerfile).toContain('COPY db/migrations db/migrations\n');
    expect(dockerfile).toMatch(/CMD \["node", "cloud\/dist\/main\.js"\]\n$/);
    expect(dockerfile).not.toMatch(/tsx/);
  });
});
