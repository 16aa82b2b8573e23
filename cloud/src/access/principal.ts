/** Who is calling: a person through a session token, or their personal API key with its scopes. */
export interface Principal {
  kind: 'user';
  userId: string;
  sessionId?: string;
  apiKeyId?: string;
  /** '*' for a session token: a person may do all they are allowed to. */
  scopes: string[] | '*';
  isAdmin: boolean;
}

/** An organization's own API key: it acts only on that organization, within its scopes. */
export interface OrgKeyPrincipal {
  kind: 'org_key';
  orgId: string;
  apiKeyId: string;
  scopes: string[];
}
