import type { Principal } from '../access/principal.ts';
import type { RequestContext } from '../access/request-context.ts';
import { NotFound } from '../http/problem.ts';
import type { AuthRepository } from './auth.repository.ts';
import { publicSession } from './users.ts';

/** A person's sign-in sessions: list them, end one, end them all. */
export class SessionService {
  constructor(private readonly repo: AuthRepository) {}

  async list(principal: Principal) {
    return (await this.repo.listSessions(principal.userId)).map((s) => ({
      ...publicSession(s),
      current: s.id === principal.sessionId,
    }));
  }

  async revoke(principal: Principal, id: string): Promise<void> {
    if (!(await this.repo.revokeSession(principal.userId, id, 'revoked_by_user')))
      throw new NotFound('No such session');
  }

  async logoutAll(principal: Principal, ctx: RequestContext): Promise<void> {
    await this.repo.revokeSessions(principal.userId, 'logout_all');
    await this.repo.recordEvent(principal.userId, 'logout_all', ctx);
  }
}
