import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { until } from './helpers.ts';
import type { Ready } from './process.ts';

/** A node as HAProxy sees it: a name and the ports its process reported. */
export interface HaproxyNode {
  name: string;
  ready: Ready;
}

/** A port free at the moment of asking, for a program that binds it itself. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * deploy/haproxy.cfg, the production layout, bound to local ports: each backend's servers become
 * `nodes`, keeping the options of its first server line (send-proxy, the readiness check).
 * @example const cfg = localHaproxy(await readFile('deploy/haproxy.cfg', 'utf8'), { mqtt, http }, [{ name: 'n1', ready }]);
 */
export function localHaproxy(cfg: string, ports: { mqtt: number; http: number }, nodes: HaproxyNode[]): string {
  const out: string[] = [];
  let backend = '';
  let written = '';
  for (const line of cfg.split('\n')) {
    if (/^backend /.test(line)) backend = line;
    const server = /^(\s*)server \S+ \S+?:\d+(.*)$/.exec(line);
    if (!server) {
      out.push(
        line
          .replace(/bind :1883$/, `bind 127.0.0.1:${ports.mqtt}`)
          .replace(/bind :8080$/, `bind 127.0.0.1:${ports.http}`),
      );
      continue;
    }
    if (written === backend) continue;
    written = backend;
    const mqtt = backend.includes('brokers');
    for (const n of nodes) {
      const httpPort = new URL(n.ready.http).port;
      const options = server[2]!.replace(/port 8080/, `port ${httpPort}`).replace(/inter \S+/, 'inter 200ms');
      out.push(`${server[1]}server ${n.name} 127.0.0.1:${mqtt ? n.ready.mqttPort : httpPort}${options}`);
    }
  }
  // Checks come quicker than in production, so a killed node leaves rotation at once; and a test
  // machine's file limit allows fewer connections.
  return out
    .join('\n')
    .replace(/default-server inter \S+/g, 'default-server inter 200ms')
    .replace(/maxconn \d+/, 'maxconn 2000');
}

/** The port of `frontend http`'s `bind` line. */
function httpFrontendPort(cfg: string): number {
  const port = /^frontend http\n(?:(?!frontend|backend).*\n)*?\s*bind \S*:(\d+)/m.exec(cfg)?.[1];
  if (!port) throw new Error('no `bind` under `frontend http` in the HAProxy config');
  return Number(port);
}

/**
 * Runs `haproxy -db` on `cfg` (written to `dir`) and resolves once its HTTP frontend answers
 * /readyz with 200, that is once a node behind it is in rotation.
 * @example const lb = await startHaproxy(localHaproxy(cfg, ports, nodes), dir.path); ...; lb.stop();
 */
export async function startHaproxy(cfg: string, dir: string, timeoutMs = 30_000) {
  const httpPort = httpFrontendPort(cfg);
  const cfgPath = join(dir, 'haproxy.cfg');
  await writeFile(cfgPath, cfg);
  const haproxy = spawn('haproxy', ['-db', '-f', cfgPath]);
  let log = '';
  haproxy.stderr?.on('data', (d) => {
    log += d;
  });
  haproxy.stdout?.on('data', (d) => {
    log += d;
  });
  const handle = {
    stop: () => haproxy.kill('SIGKILL'),
    log: () => log,
  };
  await until(
    async () => (await fetch(`http://127.0.0.1:${httpPort}/readyz`).catch(() => undefined))?.status === 200,
    'HAProxy in front of the nodes',
    timeoutMs,
  ).catch((err) => {
    handle.stop();
    throw new Error(`${err.message}: ${log}`);
  });
  return handle;
}
