import { randomBytes } from 'node:crypto';
import { generateSecret, generateURI } from 'otplib';
import type { Principal } from '../access/principal.ts';
import type { RequestContext } from '../access/request-context.ts';
import { Conflict, Invalid, NotFound } from '../http/problem.ts';
import type { AuthRepository } from './auth.repository.ts';
import { checkSecondFactor, totpOk } from './second-factor.ts';
import { sha256 } from './secrets.ts';

/** A person's second factor: TOTP enrollment and its confirmation, recovery codes, disabling. */
export class MfaService {
  constructor(private readonly repo: AuthRepository) {}

  async enrollTotp(principal: Principal) {
    const user = await this.repo.findUser(principal.userId);
    if (!user) throw new NotFound();
    if (user.mfaEnabled) throw new Conflict('MFA is already enabled; disable it first to enroll again');
    const secret = generateSecret();
    await this.repo.updateUser(user.id, { mfaSecret: secret });
    return { secret, otpauth_uri: generateURI({ issuer: 'IoT platform', label: user.email, secret }) };
  }

  async confirmTotp(principal: Principal, code: string, ctx: RequestContext) {
    const user = await this.repo.findUser(principal.userId);
    if (!user?.mfaSecret || user.mfaEnabled) throw new Conflict('Start enrollment first');
    if (!(await totpOk(user.mfaSecret, code))) throw new Invalid('code: is wrong or expired');
    const codes = Array.from({ length: 10 }, () => randomBytes(5).toString('hex'));
    await this.repo.replaceRecoveryCodes(user.id, codes.map(sha256));
    await this.repo.updateUser(user.id, { mfaEnabled: true });
    await this.repo.recordEvent(user.id, 'mfa_enabled', ctx);
    return { recovery_codes: codes };
  }

  async disableTotp(principal: Principal, code: string, ctx: RequestContext): Promise<void> {
    const user = await this.repo.findUser(principal.userId);
    if (!user?.mfaEnabled) throw new Conflict('MFA is not enabled');
    if (!(await checkSecondFactor(this.repo, user, code))) throw new Invalid('code: is wrong or expired');
    await this.repo.updateUser(user.id, { mfaEnabled: false, mfaSecret: null });
    await this.repo.replaceRecoveryCodes(user.id, []);
    await this.repo.recordEvent(user.id, 'mfa_disabled', ctx);
  }
}
