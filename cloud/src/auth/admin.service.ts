import type { RequestContext } from '../access/request-context.ts';
import { NotFound } from '../http/problem.ts';
import type { AuthRepository } from './auth.repository.ts';
import { publicUser } from './users.ts';

/** Operators: list and search users, disable and enable them, read their activity. */
export class AdminService {
  constructor(private readonly repo: AuthRepository) {}

  async listUsers(q: { search?: string; limit: number; after?: string }) {
    const rows = await this.repo.listUsers({ ...q, limit: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    return { data: page.map(publicUser), next_cursor: rows.length > q.limit ? page[page.length - 1]!.id : null };
  }

  async setDisabled(userId: string, disabled: boolean, ctx: RequestContext) {
    const user = await this.repo.updateUser(userId, { disabledAt: disabled ? new Date() : null });
    if (!user) throw new NotFound('No such user');
    if (disabled) await this.repo.revokeSessions(userId, 'disabled_by_admin');
    await this.repo.recordEvent(userId, disabled ? 'disabled' : 'enabled', ctx);
    return publicUser(user);
  }

  async activity(userId: string, limit: number) {
    if (!(await this.repo.findUser(userId))) throw new NotFound('No such user');
    return (await this.repo.listEvents(userId, limit)).map((e) => ({
      type: e.type,
      address: e.address,
      user_agent: e.userAgent,
      detail: e.detail,
      at: e.createdAt.toISOString(),
    }));
  }
}
