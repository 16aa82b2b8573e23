import { verify as verifyTotp } from 'otplib';
import type { AuthRepository, UserRow } from './auth.repository.ts';
import { sha256 } from './secrets.ts';

/** Whether `token` is the TOTP code of `secret` now, one 30 s step either side allowed. */
export async function totpOk(secret: string, token: string): Promise<boolean> {
  const result = await verifyTotp({ secret, token, epochTolerance: 30 }).catch(() => ({ valid: false }));
  return result.valid;
}

/** A TOTP code (six digits) or an unused recovery code, which this uses up. */
export async function checkSecondFactor(repo: AuthRepository, user: UserRow, code: string): Promise<boolean> {
  if (/^\d{6}$/.test(code)) return user.mfaSecret ? totpOk(user.mfaSecret, code) : false;
  return repo.consumeRecoveryCode(user.id, sha256(code.trim().toLowerCase()));
}
