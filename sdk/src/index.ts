import createFetchClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './schema.ts';

export type { components, operations, paths } from './schema.ts';
/** An RFC 9457 problem, as every error of the API is answered. */
export type Problem = components['schemas']['Problem'];
/** The typed client: `GET`, `POST`, `PUT`, `PATCH`, `DELETE` on the API's paths, with their bodies and answers. */
export type PlatformClient = Client<paths>;

export interface ClientOptions {
  /** The platform's URL (its PUBLIC_URL), like `https://iot.example.com`. */
  baseUrl: string;
  /** An access token (from `POST /v1/auth/login`) or an API key (`iot_...`), sent as a bearer token. */
  token?: string;
  /** Another fetch, such as an in-process app's (`app.fetch`) in tests. */
  fetch?: (request: Request) => Response | Promise<Response>;
}

/**
 * A typed client of the platform's HTTP API.
 * @example
 * const api = createClient({ baseUrl: 'https://iot.example.com', token: process.env.IOTP_API_KEY });
 * const { data, error } = await api.GET('/v1/orgs/{orgId}/devices', { params: { path: { orgId } } });
 */
export function createClient({ baseUrl, token, fetch }: ClientOptions): PlatformClient {
  return createFetchClient<paths>({
    baseUrl: baseUrl.replace(/\/+$/, ''),
    ...(fetch ? { fetch: async (request: Request) => fetch(request) } : {}),
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
}

/** A call answered with an error status: the status and the problem the API sent. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly problem: Partial<Problem> | undefined,
  ) {
    super(`${status} ${problem?.title ?? 'error'}${problem?.detail ? `: ${problem.detail}` : ''}`);
  }
}

/**
 * The data of a successful call; throws an ApiError otherwise.
 * @example const device = ok(await api.GET('/v1/orgs/{orgId}/devices/{id}', { params: { path: { orgId, id } } }));
 */
export function ok<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.response.ok && result.error === undefined) return result.data as T;
  throw new ApiError(result.response.status, result.error as Partial<Problem> | undefined);
}
