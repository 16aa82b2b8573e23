import type { Context } from 'hono';
import type { Permission } from '../access/permissions.ts';
import type { OrgKeyPrincipal, Principal } from '../access/principal.ts';
import type { RequestContext } from '../access/request-context.ts';

/** Hono environment shared by every router: what middleware puts on the context. */
export interface AppEnv {
  Variables: {
    requestId: string;
    /** The caller's address, through trusted load balancers (set by `clientAddress`). */
    clientAddress?: string;
    principal: Principal;
    /** Whoever the bearer credential named, set as soon as it is verified (for the audit log). */
    actor: Principal | OrgKeyPrincipal;
    /** What a route adds to its request's audit entry (see `noteAudit`). */
    audit?: AuditNote;
    /** Set by the organization guard: the organization in the path and what the caller may do there. */
    org: { id: string; role?: string; permissions: ReadonlySet<Permission>; actor: Principal | OrgKeyPrincipal };
  };
}

/**
 * What a route tells the audit trail beyond the request: the organization when the path names none
 * (one created, an invitation accepted), and what changed (`{ field: { before, after } }`).
 */
export interface AuditNote {
  orgId?: string;
  detail?: Record<string, unknown>;
}

/** Notes on this request's audit entry what changed, or which organization it concerns. */
export function noteAudit(c: Context<AppEnv>, note: AuditNote): void {
  const was = c.get('audit');
  c.set('audit', { ...was, ...note, detail: { ...was?.detail, ...note.detail } });
}

/** The caller's address and user agent, for sessions, rate limits and the activity log. */
export function requestContext(c: Context<AppEnv>): RequestContext {
  return { address: c.get('clientAddress') ?? 'unknown', userAgent: c.req.header('user-agent')?.slice(0, 512) };
}
