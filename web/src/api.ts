/**
 * The platform's API as the console calls it. The access token lives in this module's memory only;
 * the refresh token is an httpOnly cookie the page never sees, sent to /v1/auth/refresh alone.
 */

/** An answer that is not 2xx, with its problem details (RFC 9457) when the API gave them. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: { title?: string; detail?: string; errors?: { path: string; message: string }[] } = {},
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
  }
}

/** Sent with every call that uses the session cookie (the server refuses those without it). */
const CSRF = { 'x-iotp-csrf': '1' };

let accessToken: string | undefined;
let refreshing: Promise<boolean> | undefined;

interface Tokens {
  access_token: string;
}
export interface MfaChallenge {
  mfa_required: true;
  mfa_token: string;
}

/** A call; a `Blob` body is sent as it is (its type as the content type), anything else as JSON. */
async function request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const raw = body instanceof Blob;
  return fetch(path, {
    method,
    headers: {
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': raw ? body.type : 'application/json' }),
      ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
    credentials: 'same-origin',
  });
}

async function read<T>(res: Response): Promise<T> {
  const text = res.status === 204 ? '' : await res.text();
  const value = text ? JSON.parse(text) : undefined;
  if (!res.ok) throw new ApiError(res.status, value);
  return value as T;
}

/**
 * Calls the API; on a 401 the session cookie is exchanged for a new access token once, and the
 * call is made again.
 * @example const me = await api<User>('GET', '/v1/me');
 */
export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  return read<T>(await call(method, path, body));
}

/** As `api`, answering the response itself (a file to download). */
export async function apiFile(method: string, path: string, body?: unknown): Promise<Blob> {
  const res = await call(method, path, body);
  if (!res.ok) await read(res);
  return res.blob();
}

async function call(method: string, path: string, body?: unknown): Promise<Response> {
  const res = await request(method, path, body);
  return res.status === 401 && (await refresh()) ? request(method, path, body) : res;
}

/** A new access token from the session cookie; false when there is no session (signed out). */
export function refresh(): Promise<boolean> {
  // Parallel calls share one refresh: each refresh token works once.
  refreshing ??= request('POST', '/v1/auth/refresh', {}, CSRF)
    .then(async (res) => {
      accessToken = res.ok ? (await res.json()).access_token : undefined;
      return res.ok;
    })
    .catch(() => false)
    .finally(() => {
      refreshing = undefined;
    });
  return refreshing;
}

/** Signs in; an account with MFA answers with a challenge for `completeMfa`. */
export async function signIn(email: string, password: string): Promise<MfaChallenge | undefined> {
  const answer = await read<Tokens | MfaChallenge>(
    await request('POST', '/v1/auth/login', { email, password, refresh_cookie: true }, CSRF),
  );
  if ('mfa_required' in answer) return answer;
  accessToken = answer.access_token;
  return undefined;
}

export async function completeMfa(mfaToken: string, code: string): Promise<void> {
  const answer = await read<Tokens>(
    await request('POST', '/v1/auth/mfa', { mfa_token: mfaToken, code, refresh_cookie: true }, CSRF),
  );
  accessToken = answer.access_token;
}

/** Ends the session on the server (which drops the cookie) and forgets the token. */
export async function signOut(): Promise<void> {
  try {
    await api('POST', '/v1/auth/logout');
  } finally {
    accessToken = undefined;
  }
}

export const signedIn = () => accessToken !== undefined;

/** A query string from the defined values. */
export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

// The shapes the console reads.
export interface User {
  id: string;
  email: string;
  name: string | null;
  email_verified: boolean;
  mfa_enabled: boolean;
  avatar_url: string | null;
}
export interface Org {
  id: string;
  name: string;
  slug: string | null;
  role: string | null;
}
export interface Device {
  id: string;
  name: string;
  type: string | null;
  tags: string[];
  online: boolean;
  last_seen: string | null;
  last_address: string | null;
  firmware_version: string | null;
  created_at: string;
}
export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/**
 * Reads a server-sent event stream of the API with the access token (EventSource cannot send one),
 * calling `onEvent` with each event's name and JSON data; reconnects after a drop, resuming with
 * Last-Event-ID. Stops when `signal` aborts.
 * @example const stop = new AbortController(); streamEvents(`/v1/orgs/${org}/ota/events`, (name, data) => …, stop.signal);
 */
export async function streamEvents(
  path: string,
  onEvent: (name: string, data: unknown) => void,
  signal: AbortSignal,
): Promise<void> {
  let lastId: string | undefined;
  while (!signal.aborted) {
    try {
      const headers = { accept: 'text/event-stream', ...(lastId ? { 'last-event-id': lastId } : {}) };
      let res = await fetch(path, { headers: { ...headers, authorization: `Bearer ${accessToken}` }, signal });
      if (res.status === 401 && (await refresh()))
        res = await fetch(path, { headers: { ...headers, authorization: `Bearer ${accessToken}` }, signal });
      if (!res.ok || !res.body) throw new ApiError(res.status);
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        // Events end with a blank line (WHATWG HTML, server-sent events, 9.2.6).
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const field = (name: string) =>
            block
              .split('\n')
              .filter((l) => l.startsWith(`${name}:`))
              .map((l) => l.slice(name.length + 1).trimStart())
              .join('\n');
          if (field('id')) lastId = field('id');
          const data = field('data');
          if (data) onEvent(field('event') || 'message', JSON.parse(data));
        }
      }
    } catch {
      if (signal.aborted) return;
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}
