import type { UserRow } from './auth.repository.ts';

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
