import { Command } from 'commander';
import pino from 'pino';
import pkg from '../package.json' with { type: 'json' };
import { Agent, type AgentStatus, type ConnectionError } from './agent.ts';
import { ConfigError, loadConfig } from './config.ts';
import { readJson } from './files.ts';

const EXAMPLE_CONFIG = `
agent.json:
  {
    "device_id": "3f6c...",
    "secret": "the MQTT password shown once when the device was registered",
    "broker_url": "mqtts://iot.example.com:8883",
    "firmware_version": "1.0.0",
    "hardware": "pi4",
    "sources": [
      { "kind": "command", "command": "vcgencmd measure_temp | tr -dc 0-9.", "metric": "cpu_temp", "interval_s": 30 },
      { "kind": "socket", "path": "/run/edge-agent.sock" }
    ],
    "reconnect": { "initial_s": 1, "max_s": 60 },
    "ota": {
      "public_keys": ["release-2026.pub"],
      "slots_dir": "/opt/app/slots",
      "restart_command": "systemctl restart app",
      "health": { "url": "http://127.0.0.1:8000/health", "deadline_s": 60 }
    }
  }`;

/** `edge-agent`: the on-device agent (telemetry, twin, commands, OTA) and its status. */
export function program(): Command {
  const cli = new Command('edge-agent')
    .version(pkg.version, '-V, --version', 'the version of edge-agent')
    .description('Connects a device to the platform: telemetry with store-and-forward, twin, commands, OTA updates')
    .showHelpAfterError();

  cli
    .command('run')
    .description('run the agent until stopped (SIGINT/SIGTERM)')
    .requiredOption('--config <file>', 'agent configuration', 'agent.json')
    .option('--log-level <level>', 'fatal, error, warn, info, debug', 'info')
    .addHelpText('after', `\nExample:\n  $ edge-agent run --config /etc/edge-agent/agent.json\n${EXAMPLE_CONFIG}`)
    .action(async (o: { config: string; logLevel: string }) => {
      const config = await loadConfig(o.config);
      const log = pino({ level: o.logLevel, base: { device: config.device_id } });
      const agent = await Agent.start(config, log);
      const stop = () => {
        log.info('stopping');
        void agent.stop().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });

  cli
    .command('status')
    .description('show connection, queue, slots and the current update of the agent running with this config')
    .requiredOption('--config <file>', 'agent configuration', 'agent.json')
    .option('--json', 'print JSON, for scripts')
    .addHelpText('after', '\nExample:\n  $ edge-agent status --config /etc/edge-agent/agent.json')
    .action(async (o: { config: string; json?: boolean }) => {
      const config = await loadConfig(o.config);
      const status = await readJson<AgentStatus | null>(`${config.state_dir}/status.json`, null);
      const running = status ? alive(status.pid) : false;
      if (o.json) {
        process.stdout.write(`${JSON.stringify({ running, ...status })}\n`);
        return;
      }
      if (!status) throw new ConfigError(`no status in ${config.state_dir}: start the agent with: edge-agent run`);
      const lines = [
        `agent:      ${running ? `running (pid ${status.pid})` : 'not running'}`,
        `device:     ${status.device_id}`,
        `connection: ${connection(status, running)}`,
        `last error: ${status.last_error ? describeError(status.last_error) : 'none'}`,
        `firmware:   ${status.firmware_version}`,
        `queue:      ${status.queue_depth} readings waiting, ${status.queue_dropped} dropped when full`,
        `slots:      active ${status.slots.active} (${Object.entries(status.slots.versions)
          .map(([s, v]) => `${s}: ${v ?? 'empty'}`)
          .join(', ')})${status.slots.trial ? ', on trial' : ''}`,
        `update:     ${status.job ? `${status.job.version} ${status.job.state} (job ${status.job.job_id})` : 'none'}`,
        `as of:      ${status.updated_at}`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
  return cli;
}

function connection(status: AgentStatus, running: boolean): string {
  if (status.connected && running) return 'connected';
  return running && status.next_attempt_at ? `offline, next attempt at ${status.next_attempt_at}` : 'offline';
}

function describeError(e: ConnectionError): string {
  return `${e.message}${e.code === undefined ? '' : ` (code ${e.code})`} at ${e.at}`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs the CLI; a configuration problem is one line on stderr and exit code 1. */
export async function main(argv = process.argv): Promise<void> {
  try {
    await program().parseAsync(argv);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`edge-agent: ${err.message}\n`);
      process.exitCode = 1;
    } else throw err;
  }
}
