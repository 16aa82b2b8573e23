import type { SessionRow, UserRow } from './auth.repository.ts';

/** Emails are kept and compared trimmed and in lower case. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** A user as the API shows them: never a password hash, MFA secret or storage key. */
export function publicUser(
  u: Pick<
    UserRow,
    'id' | 'email' | 'name' | 'emailVerified' | 'mfaEnabled' | 'profile' | 'avatarKey' | 'disabledAt' | 'createdAt'
  >,
) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    email_verified: u.emailVerified,
    mfa_enabled: u.mfaEnabled,
    profile: u.profile,
    avatar_url: u.avatarKey ? '/v1/me/avatar' : null,
    disabled: u.disabledAt !== null,
    created_at: u.createdAt.toISOString(),
  };
}

/** A sign-in session as the API shows it: where and when, never its tokens. */
export function publicSession(s: Pick<SessionRow, 'id' | 'userAgent' | 'address' | 'createdAt' | 'lastUsedAt'>) {
  return {
    id: s.id,
    user_agent: s.userAgent,
    address: s.address,
    created_at: s.createdAt.toISOString(),
    last_used_at: s.lastUsedAt.toISOString(),
  };
}

/** An entry of a user's activity (signed in, password changed, disabled...). */
export function publicActivity(e: {
  type: string;
  address: string | null;
  userAgent: string | null;
  detail: unknown;
  createdAt: Date;
}) {
  return { type: e.type, address: e.address, user_agent: e.userAgent, detail: e.detail, at: e.createdAt.toISOString() };
}
