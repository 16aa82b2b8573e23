import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { Logger } from 'pino';
import type { AppEnv } from '../http/env.ts';
import { requestContext } from '../http/env.ts';
import { UUID_SOURCE } from '../http/uuid.ts';
import type { OrgRepository } from './org.repository.ts';

// An operator's action on an organization (`/v1/admin/orgs/{orgId}/...`) goes to its log too.
const ORG_PATH = new RegExp(`^/v1/(?:admin/)?orgs/(${UUID_SOURCE})`, 'i');
const SKIP = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A route as the API documents it: `/v1/orgs/{orgId}/members/{userId}`, not Hono's `:orgId`. */
export function openApiPath(path: string): string {
  return path.replace(/:(\w+)/g, '{$1}');
}

/**
 * Writes an audit entry for every state-changing request, and for every refused read of an
 * organization's resources (401, 403, 404): who, which organization, what, on what, the result.
 * The entry is written before the response leaves, so nothing acknowledged goes unrecorded.
 */
export function auditTrail({ orgs, logger }: { orgs: OrgRepository; logger: Logger }): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const status = c.res.status;
    const refused = status === 401 || status === 403 || status === 404;
    if (SKIP.has(c.req.method) && !refused) return;
    const orgMatch = ORG_PATH.exec(c.req.path);
    if (SKIP.has(c.req.method) && !orgMatch) return;
    const org = c.get('org');
    const note = c.get('audit');
    const actor = c.get('actor');
    const ctx = requestContext(c);
    const params = c.req.param() as Record<string, string>;
    const targetKey = Object.keys(params)
      .filter((k) => k !== 'orgId')
      .pop();
    try {
      await orgs.audit({
        orgId: org?.id ?? orgMatch?.[1] ?? note?.orgId ?? null,
        actorType: !actor ? 'anonymous' : actor.kind === 'org_key' || actor.apiKeyId ? 'api_key' : 'user',
        actorId: !actor ? null : actor.kind === 'org_key' ? actor.apiKeyId : actor.userId,
        action: `${c.req.method} ${openApiPath(routePath(c) || c.req.path)}`,
        targetType: targetKey ?? null,
        targetId: targetKey ? params[targetKey]! : null,
        result: status < 400 ? 'success' : 'failure',
        status,
        address: ctx.address,
        userAgent: ctx.userAgent,
        requestId: c.get('requestId'),
        detail: note?.detail && Object.keys(note.detail).length ? note.detail : null,
      });
    } catch (err) {
      logger.error({ err, requestId: c.get('requestId') }, 'audit entry not written');
    }
  };
}
