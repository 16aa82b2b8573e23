import { type Algorithm, hash, verify } from '@node-rs/argon2';
import { dictionary } from '@zxcvbn-ts/language-common';

/**
 * argon2id with OWASP's first recommended profile (19 MiB, 2 passes, 1 lane): about 25 ms here,
 * slow enough to make offline guessing expensive, fast enough for a login endpoint.
 */
export const ARGON2_PARAMS = {
  algorithm: 2 satisfies Algorithm.Argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export const MIN_PASSWORD_LENGTH = 10;
/** Long enough for any passphrase; the cap only bounds hashing work. */
export const MAX_PASSWORD_LENGTH = 256;

const COMMON = new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_PARAMS);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  return verify(stored, password).catch(() => false);
}

let dummy: Promise<string> | undefined;
/** Verifies against a throwaway hash, so a login for an unknown email costs what a real one does. */
export async function burnPasswordCheck(password: string): Promise<void> {
  dummy ??= hashPassword('dummy password for timing equality');
  await verifyPassword(await dummy, password);
}

/** Why a new password is refused, or undefined when it is acceptable. */
export function passwordProblem(password: string, email?: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `must be at most ${MAX_PASSWORD_LENGTH} characters`;
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) return 'is one of the most common passwords; choose another';
  if (email && lower.includes(email.toLowerCase().split('@')[0]!) && email.split('@')[0]!.length >= 4) {
    return 'must not contain your email address';
  }
  return undefined;
}
