import { createRoute, type RouteConfig } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../http/env.ts';
import type { Permission } from './permissions.ts';

/** Builds organization routes: each declares, in one place, the permission it needs. */
export function orgRoutes(guard: (p: Permission) => MiddlewareHandler<AppEnv>) {
  return <R extends Omit<RouteConfig, 'middleware' | 'security'>>(permission: Permission, route: R) =>
    createRoute({
      ...route,
      middleware: [guard(permission)] as const,
      security: [{ bearer: [] }],
      // Listed in the OpenAPI document, and walked by a test that proves no route is left unguarded.
      'x-required-permission': permission,
    } as R & { middleware: [MiddlewareHandler<AppEnv>]; security: { bearer: never[] }[] });
}
