import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux's every common build). */
const TICKS_PER_S = 100;

/** CPU seconds (user + system) a process has used so far, from /proc; 0 when it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    // The command name (field 2) may hold spaces: count fields from after its closing parenthesis.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
  } catch {
    return 0;
  }
}

/** The processes of this machine whose command name is `name` (postgres, mosquitto). */
function pidsNamed(name: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === name;
      } catch {
        return false;
      }
    });
}

/**
 * CPU used meanwhile by each named party: this process (`self`, the platform in the bench's own
 * process), and all processes of a command name (`postgres`: the database's backends, started
 * meanwhile or not). Times do not depend on how busy the machine is the way rates do, so CPU per
 * message compares two brokers on a machine where the load generator and the database share cores.
 * @example const cpu = cpuMeter({ self: true, postgres: 'postgres' }); await load(); cpu.used(); // { self: 3.1, postgres: 4.2 }
 */
export function cpuMeter(parties: Record<string, true | string>) {
  const read = () => {
    const out: Record<string, number> = {};
    for (const [label, what] of Object.entries(parties)) {
      if (what === true) {
        const u = process.cpuUsage();
        out[label] = (u.user + u.system) / 1e6;
      } else {
        // Processes that ended meanwhile are not counted: measure over runs that keep theirs.
        out[label] = pidsNamed(what).reduce((s, pid) => s + cpuSeconds(pid), 0);
      }
    }
    return out;
  };
  const start = read();
  return {
    /** CPU seconds each party used since the meter was made. */
    used(): Record<string, number> {
      const now = read();
      return Object.fromEntries(Object.keys(now).map((k) => [k, now[k]! - start[k]!]));
    },
  };
}
