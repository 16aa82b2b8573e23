import type { Broker } from '@iotp/broker';
import { type AppOptions, createApp } from '../app.ts';
import { type ConsoleFiles, defaultConsoleDir, loadConsoleFiles } from '../console/console-files.ts';
import { GrafanaAccess, type GrafanaEndpoint } from '../grafana/grafana-access.ts';
import type { Wiring } from './wiring.ts';

/**
 * The HTTP app: the API on nodes with the api role (the services in `api`), and on every node
 * health, readiness, metrics and docs. Ready means what this node does works: the database
 * answers, telemetry is being stored where this node stores it, the broker listens.
 */
export function wireApp(
  { config, logger, registry, db, runs, publicUrl }: Wiring,
  parts: {
    api: Omit<
      AppOptions,
      'logger' | 'registry' | 'checks' | 'grafana' | 'trustedProxies' | 'corsOrigins' | 'metricsToken' | 'publicUrl'
    >;
    writer: { readonly problem?: string };
    broker: Pick<Broker, 'listening'>;
    /** Whether telemetry reaches the database through the stream (INGEST=jetstream). */
    streamed: boolean;
  },
) {
  const { writer, broker } = parts;
  return createApp({
    ...(runs('api')
      ? { ...parts.api, grafana: new GrafanaAccess(db, grafanaEndpoint(config.DATABASE_URL, db.wirePort)) }
      : {}),
    logger,
    registry,
    trustedProxies: config.TRUSTED_PROXIES,
    corsOrigins: config.CORS_ORIGINS,
    metricsToken: config.METRICS_TOKEN,
    publicUrl,
    checks: {
      database: () => db.ping(),
      // Reachable is not enough: ready means telemetry is being stored.
      ...((parts.streamed ? runs('writer') : runs('broker'))
        ? {
            telemetry: async () => {
              if (writer.problem) throw new Error(writer.problem);
            },
          }
        : {}),
      ...(runs('broker')
        ? {
            broker: async () => {
              if (!broker.listening) throw new Error('MQTT listener is not accepting connections');
            },
          }
        : {}),
    },
  });
}

/** The database as Grafana reaches it: the server of DATABASE_URL, or the embedded wire port. */
function grafanaEndpoint(url: string | undefined, wirePort: number | undefined): GrafanaEndpoint {
  if (!url) return { host: '127.0.0.1', port: wirePort ?? 5433, database: 'postgres' };
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || 5432), database: u.pathname.slice(1) || 'postgres' };
}

/**
 * The built web console (CONSOLE_DIR, else the web workspace's dist/), read once; none when
 * CONSOLE_DIR is `off` or nothing is built there, which a log line says with the way to build it.
 */
export async function wireConsole({
  config,
  logger,
}: Pick<Wiring, 'config' | 'logger'>): Promise<ConsoleFiles | undefined> {
  if (config.CONSOLE_DIR === 'off') return undefined;
  const dir = config.CONSOLE_DIR ?? defaultConsoleDir();
  const files = dir ? await loadConsoleFiles(dir) : undefined;
  if (!files) logger.warn({ dir }, 'the web console is not built: run `npm run build -w web` (npm install does)');
  return files;
}
