import type { Principal } from '../access/principal.ts';
import type { RequestContext } from '../access/request-context.ts';
import { Invalid, NotFound, PayloadTooLarge, UnsupportedMediaType } from '../http/problem.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import type { AuthRepository } from './auth.repository.ts';
import { DEFAULT_PREFERENCES } from './auth.schemas.ts';
import { AVATAR_MAX_BYTES, sniffImageType } from './avatar.ts';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.ts';
import { publicUser } from './users.ts';

export interface ProfileServiceOptions {
  repo: AuthRepository;
  /** Where avatars are kept. */
  objects: ObjectStore;
}

/** A person's own account: profile, avatar, preferences and password. */
export class ProfileService {
  constructor(private readonly o: ProfileServiceOptions) {}

  async get(userId: string) {
    const user = await this.o.repo.findUser(userId);
    if (!user) throw new NotFound();
    return publicUser(user);
  }

  async update(userId: string, patch: { name?: string; profile?: Record<string, string | null> }) {
    const current = await this.o.repo.findUser(userId);
    if (!current) throw new NotFound();
    const user = await this.o.repo.updateUser(userId, {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.profile ? { profile: { ...current.profile, ...patch.profile } } : {}),
    });
    return publicUser(user!);
  }

  async setAvatar(userId: string, body: Buffer) {
    if (body.length === 0) throw new Invalid('The body must be the image file');
    if (body.length > AVATAR_MAX_BYTES) {
      throw new PayloadTooLarge(`Send at most ${AVATAR_MAX_BYTES} bytes`, 'Image too large');
    }
    const type = sniffImageType(body);
    if (!type) throw new UnsupportedMediaType('Send a PNG, JPEG, GIF or WebP image', 'Unsupported image');
    const key = `avatars/${userId}`;
    await this.o.objects.put(key, body, type);
    return publicUser((await this.o.repo.updateUser(userId, { avatarKey: key }))!);
  }

  async avatar(userId: string) {
    const user = await this.o.repo.findUser(userId);
    const object = user?.avatarKey ? await this.o.objects.get(user.avatarKey) : undefined;
    if (!object) throw new NotFound('No avatar');
    return object;
  }

  async deleteAvatar(userId: string): Promise<void> {
    const user = await this.o.repo.findUser(userId);
    if (user?.avatarKey) await this.o.objects.delete(user.avatarKey);
    await this.o.repo.updateUser(userId, { avatarKey: null });
  }

  /** The user's preferences, the defaults filled in where nothing was chosen. */
  async preferences(userId: string) {
    const user = await this.o.repo.findUser(userId);
    if (!user) throw new NotFound();
    return { ...DEFAULT_PREFERENCES, ...user.preferences };
  }

  async updatePreferences(userId: string, patch: Record<string, unknown>) {
    const current = await this.o.repo.findUser(userId);
    if (!current) throw new NotFound();
    const user = await this.o.repo.updateUser(userId, { preferences: { ...current.preferences, ...patch } });
    return { ...DEFAULT_PREFERENCES, ...user!.preferences };
  }

  /** Ends every other session of the account: whoever knew the old password is signed out. */
  async changePassword(
    principal: Principal,
    input: { current_password: string; new_password: string },
    ctx: RequestContext,
  ) {
    const user = await this.o.repo.findUser(principal.userId);
    if (!user || !(await verifyPassword(user.passwordHash, input.current_password))) {
      throw new Invalid('current_password: is wrong', { errors: [{ path: 'current_password', message: 'is wrong' }] });
    }
    const problem = passwordProblem(input.new_password, user.email);
    if (problem)
      throw new Invalid(`new_password: ${problem}`, { errors: [{ path: 'new_password', message: problem }] });
    await this.o.repo.updateUser(user.id, { passwordHash: await hashPassword(input.new_password) });
    await this.o.repo.revokeSessions(user.id, 'password_changed', principal.sessionId);
    await this.o.repo.recordEvent(user.id, 'password_changed', ctx);
  }
}
