import type { OrgKeyPrincipal, Principal } from '../access/principal.ts';
import type { RequestContext } from '../access/request-context.ts';
import { NotFound, Unauthorized } from '../http/problem.ts';
import type { AuthRepository } from './auth.repository.ts';
import { newApiKey, sha256 } from './secrets.ts';

/** A person's own API keys (create, list, revoke), and the check of any API key presented. */
export class ApiKeyService {
  constructor(private readonly repo: AuthRepository) {}

  async create(
    principal: Principal,
    input: { name: string; scopes: string[]; expires_at?: string },
    ctx: RequestContext,
  ) {
    const { prefix, secret, hash } = newApiKey();
    const key = await this.repo.createApiKey({
      userId: principal.userId,
      name: input.name,
      prefix,
      keyHash: hash,
      scopes: input.scopes,
      expiresAt: input.expires_at ? new Date(input.expires_at) : null,
    });
    await this.repo.recordEvent(principal.userId, 'api_key_created', ctx, { apiKeyId: key.id, name: key.name });
    return { ...publicApiKey(key), secret };
  }

  async list(principal: Principal) {
    return (await this.repo.listApiKeys(principal.userId)).map(publicApiKey);
  }

  async revoke(principal: Principal, id: string, ctx: RequestContext): Promise<void> {
    if (!(await this.repo.revokeApiKey(principal.userId, id))) throw new NotFound('No such API key');
    await this.repo.recordEvent(principal.userId, 'api_key_revoked', ctx, { apiKeyId: id });
  }

  /** The organization API key behind a secret (an application on MQTT); undefined when it is none, or not valid. */
  async orgKey(secret: string): Promise<{ orgId: string; apiKeyId: string; scopes: string[] } | undefined> {
    const principal = await this.verify(secret).catch((err: unknown) => {
      if (err instanceof Unauthorized) return undefined;
      throw err;
    });
    if (principal?.kind !== 'org_key') return undefined;
    return { orgId: principal.orgId, apiKeyId: principal.apiKeyId, scopes: principal.scopes };
  }

  /** Resolves an API key (`iot_...`), a person's or an organization's, to who it acts for, or throws Unauthorized. */
  async verify(secret: string): Promise<Principal | OrgKeyPrincipal> {
    const key = await this.repo.findApiKeyByHash(sha256(secret));
    if (!key || key.revokedAt) throw new Unauthorized();
    if (key.expiresAt && key.expiresAt < new Date())
      throw new Unauthorized(`The API key expired at ${key.expiresAt.toISOString()}: create another`);
    void this.repo.touchApiKey(key.id).catch(() => undefined);
    if (!key.userId) return { kind: 'org_key', orgId: key.orgId!, apiKeyId: key.id, scopes: key.scopes };
    const user = await this.repo.findUser(key.userId);
    if (!user || user.disabledAt) throw new Unauthorized();
    return { kind: 'user', userId: user.id, apiKeyId: key.id, scopes: key.scopes, isAdmin: false };
  }
}

/** An API key as the API shows it: its prefix, never its secret or hash. */
export function publicApiKey(k: {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  createdAt: Date;
}) {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    scopes: k.scopes,
    expires_at: k.expiresAt?.toISOString() ?? null,
    last_used_at: k.lastUsedAt?.toISOString() ?? null,
    created_at: k.createdAt.toISOString(),
  };
}
