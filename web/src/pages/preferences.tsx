import { useEffect, useState } from 'preact/hooks';
import { api, apiFile } from '../api.ts';
import { useSession } from '../session.tsx';
import { Checks, ErrorNotice, Field, FormError, Notice, Select, Submit, ticked, useLoad, useSubmit } from '../ui.tsx';

/** The account's avatar and preferences: language, time zone, and which notifications reach one how. */

interface Preferences {
  language?: string;
  timezone?: string;
  theme?: 'light' | 'dark' | 'system';
  time_format?: '12h' | '24h';
  notification_channels?: string[];
  notification_mute?: string[];
}

/** The channels beyond the inbox (which always has every notification). */
const CHANNELS: [name: string, what: string][] = [
  ['email', 'by mail'],
  ['sms', 'by text message'],
  ['push', 'on your phone'],
  ['webhook', "to your organization's webhooks"],
];
/** The kinds of notification one can keep to the inbox. */
const KINDS: [name: string, what: string][] = [
  ['alarm.raised', 'a rule raised an alarm'],
  ['rule.fired', 'a rule fired'],
  ['webhook.disabled', 'a webhook endpoint was turned off after failing'],
  ['payment.failed', 'a payment failed'],
];
const ZONES = Intl.supportedValuesOf('timeZone');

export function PreferencesForm() {
  const prefs = useLoad(() => api<Preferences>('GET', '/v1/me/preferences'), []);
  const [saved, setSaved] = useState(false);
  const save = useSubmit(async (f) => {
    setSaved(false);
    prefs.setData(
      await api<Preferences>('PATCH', '/v1/me/preferences', {
        language: f.language,
        timezone: f.timezone,
        theme: f.theme,
        time_format: f.time_format,
        notification_channels: ticked(f, CHANNELS),
        notification_mute: ticked(f, KINDS, 'mute:'),
      }),
    );
    setSaved(true);
  });
  const p = prefs.data;
  if (prefs.error) return <Notice kind="error">{prefs.error}</Notice>;
  if (!p) return <p aria-busy="true">Loading…</p>;
  return (
    <form onSubmit={save.onSubmit}>
      {save.error && <Notice kind="error">{save.error}</Notice>}
      {saved && <Notice kind="success">Preferences saved.</Notice>}
      <div class="inline">
        <Field
          label="Language"
          name="language"
          defaultValue={p.language}
          pattern="[a-z]{2}(-[A-Z]{2})?"
          hint="A tag such as en or pt-BR"
          error={save.fieldErrors.language}
        />
        <Select
          label="Time zone"
          name="timezone"
          chosen={p.timezone}
          options={p.timezone && !ZONES.includes(p.timezone) ? [p.timezone, ...ZONES] : ZONES}
        />
        <Select label="Theme" name="theme" chosen={p.theme} options={['system', 'light', 'dark']} />
        <Select label="Clock" name="time_format" chosen={p.time_format} options={['24h', '12h']} />
      </div>
      <Checks legend="Notify me" options={CHANNELS} checked={p.notification_channels} />
      <Checks
        legend="Keep to the inbox only (never mailed)"
        options={KINDS}
        checked={p.notification_mute}
        prefix="mute:"
      />
      <Submit busy={save.busy}>Save preferences</Submit>
    </form>
  );
}

/** The avatar, shown from the API with the access token (an image URL could not send it). */
export function Avatar() {
  const session = useSession();
  const has = Boolean(session.user?.avatar_url);
  const [src, setSrc] = useState<string>();
  useEffect(() => {
    if (!has) return setSrc(undefined);
    let url: string | undefined;
    let gone = false;
    void apiFile('GET', '/v1/me/avatar')
      .then((blob) => {
        if (gone) return;
        url = URL.createObjectURL(blob);
        setSrc(url);
      })
      .catch(() => setSrc(undefined));
    return () => {
      gone = true;
      if (url) URL.revokeObjectURL(url);
    };
  }, [has, session.user]);
  const upload = useSubmit(async (_f, form) => {
    const file = (form.elements.namedItem('avatar') as HTMLInputElement).files?.[0];
    if (!file) throw new FormError('Choose an image first.');
    await api('PUT', '/v1/me/avatar', file);
    form.reset();
    await session.reload();
  });
  const remove = useSubmit(async () => {
    await api('DELETE', '/v1/me/avatar');
    await session.reload();
  });
  return (
    <div class="row">
      {src ? (
        <img src={src} alt="Your avatar" class="avatar" width={96} height={96} />
      ) : (
        <p class="muted">No avatar yet.</p>
      )}
      <form onSubmit={upload.onSubmit} class="inline">
        <ErrorNotice of={[upload.error, remove.error]} />
        <Field
          label="Avatar image"
          name="avatar"
          type="file"
          accept="image/png,image/jpeg,image/gif,image/webp"
          hint="PNG, JPEG, GIF or WebP, at most 1 MiB"
          required
        />
        <Submit busy={upload.busy}>Upload avatar</Submit>
      </form>
      {src && (
        <form onSubmit={remove.onSubmit}>
          <button type="submit" class="secondary small">
            Remove avatar
          </button>
        </form>
      )}
    </div>
  );
}
