import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { Forbidden } from '../http/problem.ts';

/**
 * The refresh token of a browser session (the console) kept in a cookie instead of the page's
 * storage: httpOnly, so no script reads it; SameSite=Strict and scoped to the refresh path, so
 * no other request carries it; Secure when the platform is reached over HTTPS.
 */
export const REFRESH_COOKIE = 'iotp_refresh';
export const REFRESH_COOKIE_PATH = '/v1/auth/refresh';
/**
 * What a page of the platform's own origin sends with a call that uses the cookie. A form or a
 * link of another site cannot send a header, and a script of another origin cannot either without
 * a preflight that CORS refuses (OWASP CSRF cheat sheet: custom request headers).
 */
export const CSRF_HEADER = 'x-iotp-csrf';

export interface RefreshCookieOptions {
  /** The platform's public URL (PUBLIC_URL): its origin may call; `https:` makes the cookie Secure. */
  publicUrl?: string;
  /** Lifetime of the cookie, as the refresh token's (REFRESH_TOKEN_TTL_S). */
  maxAgeS?: number;
}

export type RefreshCookie = ReturnType<typeof refreshCookie>;

/**
 * Sets, reads and clears the refresh cookie, and refuses a cookie call that may come from another site.
 * @example const cookie = refreshCookie({ publicUrl: 'https://iot.example.com' }); cookie.guard(c); cookie.read(c);
 */
export function refreshCookie({ publicUrl, maxAgeS = 30 * 86_400 }: RefreshCookieOptions = {}) {
  const publicOrigin = publicUrl ? new URL(publicUrl).origin : undefined;
  const secure = (c: Context) => publicUrl?.startsWith('https:') || new URL(c.req.url).protocol === 'https:';
  const attributes = (c: Context) =>
    ({ path: REFRESH_COOKIE_PATH, httpOnly: true, sameSite: 'Strict', secure: secure(c) }) as const;
  return {
    set(c: Context, token: string) {
      setCookie(c, REFRESH_COOKIE, token, { ...attributes(c), maxAge: maxAgeS });
    },
    read(c: Context): string | undefined {
      return getCookie(c, REFRESH_COOKIE) || undefined;
    },
    clear(c: Context) {
      deleteCookie(c, REFRESH_COOKIE, attributes(c));
    },
    /**
     * Throws unless the call carries the CSRF header and, when the browser says where it comes from
     * (`Origin`, else `Sec-Fetch-Site`), comes from the platform's own origin.
     */
    guard(c: Context) {
      if (c.req.header(CSRF_HEADER) !== '1')
        throw new Forbidden(`A call with the session cookie must send the header ${CSRF_HEADER}: 1`);
      const origin = c.req.header('origin');
      if (origin !== undefined) {
        if (origin !== publicOrigin && origin !== new URL(c.req.url).origin)
          throw new Forbidden(`Calls with the session cookie are taken from ${publicOrigin ?? 'this origin'} only`);
      } else {
        const site = c.req.header('sec-fetch-site');
        if (site !== undefined && site !== 'same-origin' && site !== 'none')
          throw new Forbidden('Calls with the session cookie are taken from this origin only');
      }
    },
  };
}
