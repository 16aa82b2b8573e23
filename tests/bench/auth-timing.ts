/**
 * `npm run bench:auth-timing`: can response time tell whether an email has an account?
 *
 * On the whole platform over a scratch database, BENCH_SAMPLES (default 100) pairs of requests,
 * each pair one for an existing account and one for an unknown email, in alternating order:
 * password-reset request, login with a wrong password, and sign-up (a taken email against a new one).
 * Each request comes from its own loopback address (127.x.y.z) and each email is used once per
 * endpoint, so no rate limit or lockout answers instead of the code under test.
 * `p_known_slower` is the chance that a request for a known email is slower than one for an unknown
 * email (pairs compared all against all): 0.5 is indistinguishable. The baseline is the same
 * comparison between two sets of unknown emails, which shows this run's noise.
 * Progress goes to stderr; the last stdout line is the JSON result.
 */
import { request } from 'node:http';
import { benchPlatform, progressTo } from './scratch.ts';

const env = process.env;
const SERVER = env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SAMPLES = Number(env.BENCH_SAMPLES ?? 100);
const PASSWORD = 'correct horse battery';
const progress = progressTo('auth-timing');

let addresses = 0;
/** A loopback address not used before: per-address rate limits never see two requests from one. */
function nextAddress(): string {
  const n = addresses++;
  return `127.${Math.floor(n / 65_024) % 256}.${Math.floor(n / 254) % 256}.${(n % 254) + 1}`;
}

/** POSTs JSON from a fresh local address; resolves with the status and the milliseconds taken. */
function post(port: number, path: string, body: unknown): Promise<{ status: number; ms: number }> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        localAddress: nextAddress(),
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0 }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return Number((s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2).toFixed(2));
};

/** The chance that a draw from `a` exceeds one from `b` (ties count half): Mann-Whitney U / (n·m). */
function pSlower(a: number[], b: number[]): number {
  let wins = 0;
  for (const x of a) for (const y of b) wins += x > y ? 1 : x === y ? 0.5 : 0;
  return Number((wins / (a.length * b.length)).toFixed(3));
}

/** Times `known(i)` and `unknown(i)` SAMPLES times each, alternating which goes first. */
async function compare(
  name: string,
  expected: number,
  known: (i: number) => Promise<{ status: number; ms: number }>,
  unknown: (i: number) => Promise<{ status: number; ms: number }>,
) {
  progress(`${name}...`);
  const k: number[] = [];
  const u: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const pair = i % 2 ? [unknown, known] : [known, unknown];
    for (const fn of pair) {
      const { status, ms } = await fn(i);
      if (status !== expected) throw new Error(`${name}: expected ${expected}, got ${status}`);
      (fn === known ? k : u).push(ms);
    }
  }
  return { known_ms: median(k), unknown_ms: median(u), p_known_slower: pSlower(k, u) };
}

async function main() {
  const bench = await benchPlatform(SERVER, 'benchauth');
  const port = bench.platform.httpPort;
  try {
    const known = (i: number) => `known${i}@example.com`;
    const ghost = (tag: string, i: number) => `${tag}${i}@example.com`;
    progress(`${SAMPLES} accounts...`);
    for (let i = 0; i < SAMPLES; i++) await post(port, '/v1/auth/signup', { email: known(i), password: PASSWORD });
    // Warm up both paths (argon2's dummy hash, prepared statements, JIT) before measuring.
    for (let i = 0; i < 10; i++) {
      await post(port, '/v1/auth/login', { email: ghost('warm', i), password: 'wrong password 1' });
      await post(port, '/v1/auth/password-reset/request', { email: ghost('warm', i) });
    }
    const reset = (email: string) => post(port, '/v1/auth/password-reset/request', { email });
    const result = {
      bench: 'auth-timing',
      samples: SAMPLES,
      password_reset_request: await compare(
        'password reset request',
        202,
        (i) => reset(known(i)),
        (i) => reset(ghost('nobody', i)),
      ),
      login_wrong_password: await compare(
        'login with a wrong password',
        401,
        (i) => post(port, '/v1/auth/login', { email: known(i), password: 'wrong password 1' }),
        (i) => post(port, '/v1/auth/login', { email: ghost('nobody', i), password: 'wrong password 1' }),
      ),
      signup_taken_vs_new: await compare(
        'sign-up, a taken email against a new one',
        201,
        (i) => post(port, '/v1/auth/signup', { email: known(i), password: PASSWORD }),
        (i) => post(port, '/v1/auth/signup', { email: ghost('fresh', i), password: PASSWORD }),
      ),
      baseline_unknown_vs_unknown: await compare(
        'baseline: reset requests for two sets of unknown emails',
        202,
        (i) => reset(ghost('nobodyA', i)),
        (i) => reset(ghost('nobodyB', i)),
      ),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await bench.stop();
  }
}

await main();
