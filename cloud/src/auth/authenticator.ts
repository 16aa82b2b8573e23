import type { OrgKeyPrincipal, Principal } from '../access/principal.ts';
import { Forbidden, Unauthorized } from '../http/problem.ts';
import type { ApiKeyService } from './api-keys.service.ts';
import type { AuthRepository, Caller } from './auth.repository.ts';
import type { CallerCache } from './caller-cache.ts';
import type { TokenService } from './tokens.ts';

export interface AuthenticatorOptions {
  repo: AuthRepository;
  tokens: TokenService;
  apiKeys: Pick<ApiKeyService, 'verify'>;
  /** Verified accounts with these emails are platform operators. */
  adminEmails?: string[];
  /** Remembers sessions and memberships for a few seconds; every request looks them up without. */
  callers?: CallerCache;
}

/**
 * Resolves a bearer credential (access token or API key) to who is calling: all a route needs of auth.
 * @example const principal = await authenticator.authenticate(bearer);
 */
export class Authenticator {
  constructor(private readonly o: AuthenticatorOptions) {}

  /** Resolves a person's bearer credential (access token or personal API key), or throws. */
  async authenticate(bearer: string): Promise<Principal> {
    const principal = await this.authenticateAny(bearer);
    if (principal.kind !== 'user')
      throw new Forbidden("An organization's API key works only on that organization's routes");
    return principal;
  }

  /** Resolves any bearer credential, organization API keys included, or throws Unauthorized. */
  async authenticateAny(bearer: string): Promise<Principal | OrgKeyPrincipal> {
    if (bearer.startsWith('iot_')) return this.o.apiKeys.verify(bearer);
    const claims = await this.accessClaims(bearer);
    const found = await this.lookup(`s:${claims.sid}`, () => this.o.repo.findSessionWithUser(claims.sid));
    return this.sessionPrincipal(claims, found);
  }

  /**
   * Resolves any bearer credential as `authenticateAny` does and, for a session token, the person's
   * role in `orgId` in the same round trip (`membership.role` undefined: not a member). API keys
   * come without `membership`: their owner's role is looked up apart.
   */
  async authenticateInOrg(
    bearer: string,
    orgId: string,
  ): Promise<{ actor: Principal | OrgKeyPrincipal; membership?: { role?: string } }> {
    if (bearer.startsWith('iot_')) return { actor: await this.o.apiKeys.verify(bearer) };
    const claims = await this.accessClaims(bearer);
    const found = await this.lookup(`o:${claims.sid}:${orgId}`, () =>
      this.o.repo.findSessionWithUserInOrg(claims.sid, orgId),
    );
    return { actor: this.sessionPrincipal(claims, found), membership: { role: found?.role ?? undefined } };
  }

  private lookup<T>(key: string, load: () => Promise<T>): Promise<T> {
    return this.o.callers ? this.o.callers.through(key, load) : load();
  }

  private async accessClaims(bearer: string) {
    return this.o.tokens.verifyAccess(bearer).catch((err: unknown) => {
      throw new Unauthorized('The access token is invalid or expired', { cause: err });
    });
  }

  private sessionPrincipal(claims: { sid: string; sub: string }, found: Caller | undefined): Principal {
    // Revocation is immediate: a logged-out session's access tokens stop working too.
    if (!found || found.session.revokedAt || found.session.userId !== claims.sub)
      throw new Unauthorized('The session has ended');
    const { session, user } = found;
    if (user.disabledAt) throw new Unauthorized();
    const isAdmin = user.isAdmin || (user.emailVerified && (this.o.adminEmails ?? []).includes(user.email));
    return { kind: 'user', userId: user.id, sessionId: session.id, scopes: '*', isAdmin };
  }
}
