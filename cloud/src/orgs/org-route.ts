import { createRoute, type RouteConfig, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { Permission } from '../access/permissions.ts';
import type { AppEnv } from '../http/env.ts';
import { Uuid } from '../http/uuid.ts';
import type { OrgContext } from './org.service.ts';

/** The `{orgId}` of every organization route; the guard checks it is a UUID. */
export const OrgId = z.object({ orgId: z.string() });

/** The `{orgId}` of operators' routes on an organization (`/v1/admin/orgs/{orgId}`), which no guard checks. */
export const AdminOrgId = z.object({ orgId: Uuid });

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

/** What the guard learned, as the organization service wants it. */
export function orgContext(c: Context<AppEnv>): OrgContext {
  const org = c.get('org');
  return {
    id: org.id,
    role: org.role,
    permissions: org.permissions,
    userId: org.actor.kind === 'user' ? org.actor.userId : undefined,
  };
}
