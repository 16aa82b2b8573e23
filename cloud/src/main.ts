import { ConfigError } from '@iotp/broker';
import { DatabaseUnavailable } from '@iotp/db';
import { loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { PortInUse, startPlatform } from './platform.ts';

/**
 * Configuration from a `.env` file too (`ENV_FILE` names another; empty reads none): variables
 * already in the environment win. A missing file is no error.
 */
function loadEnvFile(file: string): void {
  if (!file) return;
  try {
    process.loadEnvFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** `npm start`: the whole platform in one process. Failures to start are one line and exit 1. */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    loadEnvFile(process.env.ENV_FILE ?? '.env');
    config = loadConfig();
  } catch (err) {
    return fail(err);
  }
  const logger = createLogger({ level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  let platform: Awaited<ReturnType<typeof startPlatform>>;
  try {
    platform = await startPlatform(config, logger);
  } catch (err) {
    return fail(err);
  }
  logger.info(
    {
      http: `http://localhost:${platform.httpPort}`,
      docs: `http://localhost:${platform.httpPort}/docs`,
      mqtt: platform.mqttPort,
    },
    'platform ready',
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new connections, flushing accepted telemetry');
    // close() keeps to SHUTDOWN_TIMEOUT_MS; this is the guard should a step ignore it.
    setTimeout(() => {
      logger.error({ timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, 'shutdown did not finish in time: exiting');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS + 10_000).unref();
    platform.close().then(
      () => {
        logger.info('stopped cleanly');
        process.exit(0);
      },
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/**
 * Prints the one line and exits 1 once it is written: whatever a failed start left open (a socket,
 * a timer of a library) must not keep the process alive.
 */
function fail(err: unknown): void {
  let line: string;
  if (err instanceof ConfigError) line = `configuration error: ${err.problems.join('; ')}`;
  else if (err instanceof PortInUse) line = err.message;
  else if (err instanceof DatabaseUnavailable) line = `${err.message}: ${err.hint}`;
  else line = `failed to start: ${(err as Error).message ?? String(err)}`;
  process.stderr.write(`${line}\n`, () => process.exit(1));
}

await main();
