import { z } from '@hono/zod-openapi';
import { PERMISSIONS } from '../access/permissions.ts';
import { Uuid } from '../http/uuid.ts';
import { NOTIFICATION_KINDS } from '../notify/preferences.ts';
import { MAX_PASSWORD_LENGTH } from './passwords.ts';

/** The path of a route on one session, API key or user. */
export const IdParam = z.object({ id: Uuid });

export const Email = z.string().trim().email('must be an email address').max(254);
export const Password = z.string().min(1, 'is required').max(MAX_PASSWORD_LENGTH);

export const User = z
  .object({
    id: z.string().uuid(),
    email: z.string(),
    name: z.string().nullable(),
    email_verified: z.boolean(),
    mfa_enabled: z.boolean(),
    profile: z.record(z.string(), z.string().nullable()),
    avatar_url: z.string().nullable(),
    disabled: z.boolean(),
    created_at: z.string(),
  })
  .openapi('User');

export const TokenPair = z
  .object({
    access_token: z.string(),
    refresh_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int(),
  })
  .openapi('TokenPair');

/** A token pair whose refresh token went into the session cookie (`refresh_cookie: true`, the console). */
export const CookieTokens = TokenPair.omit({ refresh_token: true }).openapi('CookieTokens');

export const MfaChallenge = z.object({ mfa_required: z.literal(true), mfa_token: z.string() }).openapi('MfaChallenge');

/** An IANA time zone name, checked against the runtime's zone database. */
export const TimeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone like Europe/Paris');

export const Profile = z
  .object({
    display_name: z.string().max(100).nullable(),
    bio: z.string().max(2000).nullable(),
    location: z.string().max(200).nullable(),
    website: z.string().url().max(500).nullable(),
    phone: z
      .string()
      .regex(/^\+?[0-9 ()-]{5,30}$/, 'must be a phone number')
      .nullable(),
  })
  .partial()
  .strict();

export const Preferences = z
  .object({
    language: z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'must be a language tag like en or pt-BR'),
    timezone: TimeZone,
    theme: z.enum(['light', 'dark', 'system']),
    date_format: z.string().max(32),
    time_format: z.enum(['12h', '24h']),
    notification_channels: z.array(z.enum(['email', 'sms', 'push', 'webhook'])),
    /** Per kind: these reach the inbox only, never by mail; transactional mail (verification, invitations) is not muted. */
    notification_mute: z
      .array(z.enum(NOTIFICATION_KINDS))
      .max(NOTIFICATION_KINDS.length)
      .openapi({ description: 'Kinds of notification kept to the inbox (not mailed), e.g. ["rule.fired"]' }),
  })
  .partial()
  .strict()
  .openapi('Preferences');

/** When an API key stops working: a time to come (one already past would make a key that never works). */
export const KeyExpiry = z
  .string()
  .datetime({ offset: true })
  .refine((at) => Date.parse(at) > Date.now(), 'must be in the future')
  .openapi({ example: '2027-06-30T00:00:00Z', description: 'When the key stops working; never when left out' });

/** What a user's preferences are until they choose: every channel, nothing muted. */
export const DEFAULT_PREFERENCES = {
  language: 'en',
  timezone: 'UTC',
  theme: 'system',
  date_format: 'YYYY-MM-DD',
  time_format: '24h',
  notification_channels: ['email', 'sms', 'push', 'webhook'],
  notification_mute: [],
} as const satisfies z.infer<typeof Preferences>;

export const Session = z
  .object({
    id: z.string().uuid(),
    user_agent: z.string().nullable(),
    address: z.string().nullable(),
    created_at: z.string(),
    last_used_at: z.string(),
    current: z.boolean(),
  })
  .openapi('Session');

/** A personal key may hold profile scopes and any organization permission (capped by the role). */
export const API_KEY_SCOPES = ['profile:read', 'profile:write', ...PERMISSIONS] as const;

export const ApiKey = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    prefix: z.string(),
    scopes: z.array(z.string()),
    expires_at: z.string().nullable(),
    last_used_at: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi('ApiKey');
