import type { MiddlewareHandler } from 'hono';
import { BUILTIN_ROLES, isPermission, type Permission } from '../access/permissions.ts';
import type { Authenticator } from '../auth/authenticator.ts';
import { bearerToken } from '../http/bearer.ts';
import type { AppEnv } from '../http/env.ts';
import { Forbidden, NotFound } from '../http/problem.ts';
import { isUuid } from '../http/uuid.ts';
import type { OrgRepository } from './org.repository.ts';

/** The built-in roles' permissions as sets, made once: every guarded request asks for one. */
const BUILTIN_SETS = new Map<string, ReadonlySet<Permission>>(
  Object.entries(BUILTIN_ROLES).map(([role, permissions]) => [role, new Set(permissions)]),
);

/** The permissions a role grants in an organization: built-in or the organization's own. */
export async function rolePermissions(
  orgs: OrgRepository,
  orgId: string,
  role: string,
): Promise<ReadonlySet<Permission>> {
  const builtin = BUILTIN_SETS.get(role);
  if (builtin) return builtin;
  const custom = await orgs.customRole(orgId, role);
  return new Set((custom?.permissions ?? []).filter(isPermission));
}

/**
 * Guards `/v1/orgs/{orgId}/...`: the caller must belong to the organization (an outsider gets 404,
 * so ids do not leak) and hold `permission` there (a member without it gets 403). An API key
 * adds its scopes as a cap on top of its owner's role.
 */
export function orgGuard(auth: Authenticator, orgs: OrgRepository, permission: Permission): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const bearer = bearerToken(c.req.header('authorization'));
    const orgId = c.req.param('orgId') ?? '';
    // Made only when thrown: an error's stack costs more than the rest of the guard.
    const hidden = () => new NotFound('No such organization');
    if (!isUuid(orgId)) {
      c.set('actor', await auth.authenticateAny(bearer));
      throw hidden();
    }
    const { actor, membership } = await auth.authenticateInOrg(bearer, orgId);
    c.set('actor', actor);
    let role: string | undefined;
    let permissions: ReadonlySet<Permission>;
    if (actor.kind === 'org_key') {
      if (actor.orgId !== orgId || !(await orgs.find(orgId))) throw hidden();
      permissions = new Set(actor.scopes.filter(isPermission));
    } else {
      role = membership ? membership.role : await orgs.membership(orgId, actor.userId);
      if (!role) throw hidden();
      permissions = await rolePermissions(orgs, orgId, role);
      if (actor.scopes !== '*') {
        const scopes = actor.scopes;
        permissions = new Set([...permissions].filter((p) => scopes.includes(p)));
      }
      c.set('principal', actor);
    }
    c.set('org', { id: orgId, role, permissions, actor });
    if (!permissions.has(permission))
      throw new Forbidden(`This needs the permission ${permission} in this organization`);
    await next();
  };
}
