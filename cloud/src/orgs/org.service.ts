import type { Logger } from 'pino';
import { BUILTIN_ROLES, isPermission, type Permission } from '../access/permissions.ts';
import { publicApiKey } from '../auth/api-keys.service.ts';
import type { AuthRepository } from '../auth/auth.repository.ts';
import { newApiKey, newSecret, sha256 } from '../auth/secrets.ts';
import { normalizeEmail } from '../auth/users.ts';
import type { EventRecorder } from '../events/domain-events.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../http/problem.ts';
import type { MailPort } from '../notify/port.ts';
import type { AuditQuery, InvitationRow, OrgRepository, OrgRow } from './org.repository.ts';
import { rolePermissions } from './org-guard.ts';

export interface OrgServiceOptions {
  orgs: OrgRepository;
  users: AuthRepository;
  /** Invitations: transactional mail, through the notifier. */
  notify: MailPort;
  logger: Logger;
  publicUrl?: string;
  /** How long a deleted organization's data is kept before it is purged. */
  purgeGraceS?: number;
  invitationTtlS?: number;
  /**
   * Called with the ids of revoked credentials (devices' and organization API keys'), so the live
   * connections that use them can be dropped.
   */
  onCredentialsRevoked?: (ids: string[]) => void;
  /** Refuses going past the plan's seats, members and open invitations together (throws a 402 problem). */
  checkSeats?: (orgId: string, adding: number) => Promise<void>;
  /** Records member.joined. */
  events?: EventRecorder;
}

/** What the organization guard established about the caller. */
export interface OrgContext {
  id: string;
  role?: string;
  permissions: ReadonlySet<Permission>;
  userId?: string;
}

const DELETION_TTL_MS = 10 * 60_000;

/** Organizations, members, roles, invitations, organization API keys and the audit log. */
export class OrgService {
  constructor(private readonly o: OrgServiceOptions) {}

  async create(userId: string, input: { name: string; slug?: string }) {
    if (input.slug && (await this.o.orgs.slugTaken(input.slug))) throw new Conflict(`The slug ${input.slug} is taken`);
    const org = await this.o.orgs.create(input, userId);
    if (!org) throw new Conflict(`The slug ${input.slug} is taken`);
    return { ...publicOrg(org), role: 'owner' };
  }

  async list(userId: string) {
    return (await this.o.orgs.listForUser(userId)).map((r) => ({ ...publicOrg(r.org), role: r.role }));
  }

  async get(org: OrgContext) {
    const row = await this.o.orgs.find(org.id);
    if (!row) throw new NotFound('No such organization');
    return { ...publicOrg(row), role: org.role ?? null };
  }

  async update(org: OrgContext, patch: { name?: string; slug?: string; settings?: OrgRow['settings'] }) {
    if (patch.slug && (await this.o.orgs.slugTaken(patch.slug, org.id)))
      throw new Conflict(`The slug ${patch.slug} is taken`);
    const current = await this.o.orgs.find(org.id);
    if (!current) throw new NotFound('No such organization');
    const row = await this.o.orgs.update(org.id, {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.slug !== undefined ? { slug: patch.slug } : {}),
      ...(patch.settings ? { settings: { ...current.settings, ...patch.settings } } : {}),
    });
    return {
      org: { ...publicOrg(row!), role: org.role ?? null },
      changes: changes(publicOrg(current), publicOrg(row!)),
    };
  }

  /** Step one of a deletion: a confirmation token, valid for ten minutes. */
  async requestDeletion(org: OrgContext) {
    const token = newSecret('del_');
    await this.o.orgs.setDeletionToken(org.id, sha256(token), new Date(Date.now() + DELETION_TTL_MS));
    return { confirmation_token: token, expires_in: DELETION_TTL_MS / 1000 };
  }

  /** Step two: devices lose their credentials now; data is purged after the grace period. */
  async confirmDeletion(org: OrgContext, token: string) {
    if (!(await this.o.orgs.consumeDeletionToken(org.id, sha256(token)))) {
      throw new Invalid('confirmation_token: is wrong or expired; request a new one');
    }
    const purgeAfter = new Date(Date.now() + (this.o.purgeGraceS ?? 7 * 86_400) * 1000);
    const revoked = await this.o.orgs.markDeleted(org.id, purgeAfter);
    this.o.onCredentialsRevoked?.([...revoked.devices, ...revoked.apiKeys]);
    this.o.logger.warn({ orgId: org.id, devices: revoked.devices.length, purgeAfter }, 'organization deleted');
    return { status: 'deleted' as const, purge_after: purgeAfter.toISOString() };
  }

  async members(org: OrgContext) {
    return (await this.o.orgs.members(org.id)).map((m) => ({
      user_id: m.userId,
      email: m.email,
      name: m.name,
      role: m.role,
      since: m.since.toISOString(),
    }));
  }

  async changeRole(org: OrgContext, userId: string, role: string) {
    await this.checkGrantable(org, role);
    const current = await this.o.orgs.membership(org.id, userId);
    if (!current) throw new NotFound('No such member');
    if (current === 'owner' && org.role !== 'owner') throw new Forbidden('Only an owner can change an owner');
    if (current === 'owner' && role !== 'owner' && (await this.o.orgs.ownerCount(org.id)) <= 1) {
      throw new Conflict('The last owner cannot be demoted; make someone else owner first');
    }
    await this.o.orgs.setRole(org.id, userId, role);
    return { role: { before: current, after: role } };
  }

  async removeMember(org: OrgContext, userId: string) {
    const self = org.userId === userId;
    if (!self && !org.permissions.has('members:manage'))
      throw new Forbidden('This needs the permission members:manage');
    const current = await this.o.orgs.membership(org.id, userId);
    if (!current) throw new NotFound('No such member');
    if (current === 'owner' && !self && org.role !== 'owner') throw new Forbidden('Only an owner can remove an owner');
    if (current === 'owner' && (await this.o.orgs.ownerCount(org.id)) <= 1) {
      throw new Conflict('The last owner cannot leave; make someone else owner first, or delete the organization');
    }
    await this.o.orgs.removeMember(org.id, userId);
    return { role: { before: current, after: null } };
  }

  async roles(org: OrgContext) {
    const custom = await this.o.orgs.customRoles(org.id);
    return [
      ...Object.entries(BUILTIN_ROLES).map(([name, permissions]) => ({ name, permissions, builtin: true })),
      ...custom.map((r) => ({ name: r.name, permissions: r.permissions, builtin: false })),
    ];
  }

  async putRole(org: OrgContext, name: string, permissions: string[]) {
    if (BUILTIN_ROLES[name]) throw new Conflict(`${name} is a built-in role`);
    const bad = permissions.filter((p) => !isPermission(p));
    if (bad.length) throw new Invalid(`permissions: unknown ${bad.join(', ')}`);
    // Nobody can create a role stronger than their own.
    const beyond = permissions.filter((p) => !org.permissions.has(p as Permission));
    if (beyond.length) throw new Forbidden(`You cannot grant what you do not hold: ${beyond.join(', ')}`);
    const before = await this.o.orgs.customRole(org.id, name);
    await this.o.orgs.putRole(org.id, name, permissions);
    return {
      role: { name, permissions, builtin: false },
      changes: { permissions: { before: before?.permissions ?? null, after: permissions } },
    };
  }

  async deleteRole(org: OrgContext, name: string) {
    if (await this.o.orgs.roleInUse(org.id, name))
      throw new Conflict('Members still hold this role; change their role first');
    if (!(await this.o.orgs.deleteRole(org.id, name))) throw new NotFound('No such custom role');
  }

  async invite(org: OrgContext, input: { email: string; role: string }) {
    await this.checkGrantable(org, input.role);
    await this.o.checkSeats?.(org.id, 1);
    const token = newSecret();
    const invitation = await this.o.orgs.createInvitation({
      orgId: org.id,
      email: normalizeEmail(input.email),
      role: input.role,
      tokenHash: sha256(token),
      invitedBy: org.userId,
      expiresAt: new Date(Date.now() + (this.o.invitationTtlS ?? 7 * 86_400) * 1000),
    });
    await this.mailInvitation(invitation, token);
    return publicInvitation(invitation);
  }

  async invitations(org: OrgContext) {
    return (await this.o.orgs.invitations(org.id)).map(publicInvitation);
  }

  /** A new token and expiry; the old link stops working. */
  async resendInvitation(org: OrgContext, id: string) {
    const current = await this.o.orgs.invitation(org.id, id);
    if (!current || current.acceptedAt || current.revokedAt) throw new NotFound('No such open invitation');
    const token = newSecret();
    const invitation = await this.o.orgs.updateInvitation(org.id, id, {
      tokenHash: sha256(token),
      expiresAt: new Date(Date.now() + (this.o.invitationTtlS ?? 7 * 86_400) * 1000),
    });
    await this.mailInvitation(invitation!, token);
    return publicInvitation(invitation!);
  }

  async revokeInvitation(org: OrgContext, id: string) {
    const current = await this.o.orgs.invitation(org.id, id);
    if (!current || current.acceptedAt || current.revokedAt) throw new NotFound('No such open invitation');
    await this.o.orgs.updateInvitation(org.id, id, { revokedAt: new Date() });
  }

  /** The signed-in person accepts: the invitation must be theirs, open and unexpired. */
  async acceptInvitation(userId: string, token: string) {
    const invitation = await this.o.orgs.invitationByToken(sha256(token));
    if (!invitation || invitation.revokedAt || invitation.acceptedAt || invitation.expiresAt < new Date()) {
      throw new Invalid('token: the invitation is invalid, expired, revoked or already used');
    }
    const user = await this.o.users.findUser(userId);
    if (!user || user.email !== invitation.email) {
      throw new Forbidden(`This invitation is for ${maskEmail(invitation.email)}; sign in with that account`);
    }
    const existing = await this.o.orgs.membership(invitation.orgId, userId);
    // The open invitation held the seat: joining adds none, unless the plan shrank meanwhile.
    if (!existing) await this.o.checkSeats?.(invitation.orgId, 0);
    if (!(await this.o.orgs.acceptInvitation(invitation.id)))
      throw new Invalid('token: the invitation was already used');
    if (!existing) {
      await this.o.orgs.addMember(invitation.orgId, userId, invitation.role);
      await this.o.events?.record({
        orgId: invitation.orgId,
        type: 'member.joined',
        subjectType: 'user',
        subjectId: userId,
        data: { role: invitation.role },
      });
    }
    // The mailed link proves the address is theirs.
    if (!user.emailVerified) await this.o.users.updateUser(userId, { emailVerified: true });
    const org = await this.o.orgs.find(invitation.orgId);
    return { org_id: invitation.orgId, name: org?.name ?? null, role: existing ?? invitation.role };
  }

  async createApiKey(org: OrgContext, input: { name: string; scopes: string[]; expires_at?: string }) {
    const bad = input.scopes.filter((p) => !isPermission(p));
    if (bad.length) throw new Invalid(`scopes: unknown ${bad.join(', ')}`);
    const beyond = input.scopes.filter((p) => !org.permissions.has(p as Permission));
    if (beyond.length) throw new Forbidden(`You cannot grant what you do not hold: ${beyond.join(', ')}`);
    const { prefix, secret, hash } = newApiKey();
    const key = await this.o.users.createApiKey({
      orgId: org.id,
      name: input.name,
      prefix,
      keyHash: hash,
      scopes: input.scopes,
      expiresAt: input.expires_at ? new Date(input.expires_at) : null,
    });
    return { ...publicApiKey(key), secret };
  }

  async apiKeys(org: OrgContext) {
    return (await this.o.orgs.orgApiKeys(org.id)).map(publicApiKey);
  }

  async revokeApiKey(org: OrgContext, id: string) {
    if (!(await this.o.orgs.revokeOrgApiKey(org.id, id))) throw new NotFound('No such API key');
    // Applications connected with it are dropped, on whichever node.
    this.o.onCredentialsRevoked?.([id]);
  }

  async audit(org: OrgContext, q: Omit<AuditQuery, 'before'> & { cursor?: string }) {
    let before: AuditQuery['before'];
    if (q.cursor) {
      try {
        const [at, id] = JSON.parse(Buffer.from(q.cursor, 'base64url').toString()) as [string, string];
        before = { at: new Date(at), id };
      } catch (err) {
        throw new Invalid('cursor: is not one this API gave out', undefined, { cause: err });
      }
    }
    const rows = await this.o.orgs.auditPage(org.id, { ...q, before, limit: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      data: page.map(publicAudit),
      next_cursor:
        rows.length > q.limit && last
          ? Buffer.from(JSON.stringify([last.createdAt.toISOString(), last.id])).toString('base64url')
          : null,
    };
  }

  /** Every matching entry, newest first, page by page: for streaming exports. */
  async *auditAll(org: OrgContext, q: Omit<AuditQuery, 'before' | 'limit'>) {
    let before: AuditQuery['before'];
    while (true) {
      const rows = await this.o.orgs.auditPage(org.id, { ...q, before, limit: 1000 });
      for (const row of rows) yield publicAudit(row);
      if (rows.length < 1000) return;
      const last = rows[rows.length - 1]!;
      before = { at: last.createdAt, id: last.id };
    }
  }

  async purgeDue(): Promise<string[]> {
    return this.o.orgs.purgeDue();
  }

  private async checkGrantable(org: OrgContext, role: string) {
    if (!BUILTIN_ROLES[role] && !(await this.o.orgs.customRole(org.id, role)))
      throw new Invalid(`role: no role named ${role}`);
    if (role === 'owner' && org.role !== 'owner') throw new Forbidden('Only an owner can make someone an owner');
    const granted = await rolePermissions(this.o.orgs, org.id, role);
    const beyond = [...granted].filter((p) => !org.permissions.has(p));
    if (beyond.length) throw new Forbidden(`You cannot grant what you do not hold: ${beyond.join(', ')}`);
  }

  private async mailInvitation(invitation: InvitationRow, token: string) {
    const org = await this.o.orgs.find(invitation.orgId);
    const link = `${this.o.publicUrl ?? ''}/invitations/accept?token=${token}`;
    await this.o.notify.sendMail({
      to: invitation.email,
      subject: `You are invited to ${org?.name ?? 'an organization'}`,
      text:
        `You are invited to join ${org?.name} as ${invitation.role}. Open ${link} to accept.\n` +
        `No account yet? Sign up with this email address first, then open the link.\nToken: ${token}`,
    });
  }
}

function publicOrg(o: OrgRow) {
  return { id: o.id, name: o.name, slug: o.slug, settings: o.settings, created_at: o.createdAt.toISOString() };
}

function publicInvitation(i: InvitationRow) {
  return {
    id: i.id,
    email: i.email,
    role: i.role,
    expires_at: i.expiresAt.toISOString(),
    created_at: i.createdAt.toISOString(),
  };
}

/** The fields that differ between two versions of a thing, each as `{ before, after }`. */
function changes(before: Record<string, unknown>, after: Record<string, unknown>) {
  const changed: Record<string, { before: unknown; after: unknown }> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)]))
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key]))
      changed[key] = { before: before[key] ?? null, after: after[key] ?? null };
  return changed;
}

function publicAudit(a: import('./org.repository.ts').AuditRow) {
  return {
    id: a.id,
    at: a.createdAt.toISOString(),
    actor_type: a.actorType,
    actor_id: a.actorId,
    action: a.action,
    target_type: a.targetType,
    target_id: a.targetId,
    result: a.result,
    status: a.status,
    address: a.address,
    user_agent: a.userAgent,
    request_id: a.requestId,
    detail: a.detail ?? null,
  };
}

function maskEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 1)}***@${domain}`;
}
