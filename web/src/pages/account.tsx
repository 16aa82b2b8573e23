import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { QrCode } from '../qr.tsx';
import { useSession } from '../session.tsx';
import { ButtonForm, Field, FormError, Notice, Submit, Title, useLoad, useSubmit, when } from '../ui.tsx';
import { ApiKeys, PERSONAL_SCOPES } from './api-keys.tsx';
import { Avatar, PreferencesForm } from './preferences.tsx';

/**
 * The account: name, avatar, preferences, password, two-step verification with an authenticator
 * app, sessions, and personal API keys.
 */

interface SessionRow {
  id: string;
  user_agent: string | null;
  address: string | null;
  last_used_at: string;
  current: boolean;
}

export function AccountPage() {
  const session = useSession();
  const user = session.user!;
  const [saved, setSaved] = useState(false);
  const profile = useSubmit(async (f) => {
    await api('PATCH', '/v1/me', { name: f.name });
    await session.reload();
    setSaved(true);
  });
  const sessions = useLoad(() => api<{ data: SessionRow[] }>('GET', '/v1/me/sessions'), []);
  const revoke = useSubmit(async (f) => {
    await api('DELETE', `/v1/me/sessions/${f.id}`);
    await sessions.reload();
  });
  return (
    <main>
      <Title text="Your account" />
      <form onSubmit={profile.onSubmit} class="inline">
        {profile.error && <Notice kind="error">{profile.error}</Notice>}
        {saved && <Notice kind="success">Saved.</Notice>}
        <Field label="Email" value={user.email} readOnly />
        <Field label="Name" name="name" defaultValue={user.name ?? ''} maxLength={100} autoComplete="name" />
        <Submit busy={profile.busy}>Save</Submit>
      </form>
      <h2>Avatar</h2>
      <Avatar />
      <h2>Preferences</h2>
      <PreferencesForm />
      <h2>Password</h2>
      <PasswordChange />
      <h2>Two-step verification</h2>
      <Mfa />
      <h2>Sessions</h2>
      {revoke.error && <Notice kind="error">{revoke.error}</Notice>}
      <ul class="cards">
        {sessions.data?.data.map((s) => (
          <li key={s.id}>
            {s.user_agent ?? 'Unknown browser'} <span class="muted">{s.address}</span> · last used{' '}
            {when(s.last_used_at)}{' '}
            {s.current ? (
              <span class="badge">this session</span>
            ) : (
              <ButtonForm onSubmit={revoke.onSubmit} fields={{ id: s.id }} kind="small danger">
                Sign out this session
              </ButtonForm>
            )}
          </li>
        ))}
      </ul>
      <h2>Personal API keys</h2>
      <p class="muted">Keys that act as you, for your scripts: they can do no more than you and their scopes allow.</p>
      <ApiKeys path="/v1/me/api-keys" scopes={PERSONAL_SCOPES} caption="Your personal API keys" Heading="h3" />
    </main>
  );
}

function Mfa() {
  const session = useSession();
  const [enrolment, setEnrolment] = useState<{ secret: string; otpauth_uri: string }>();
  const [codes, setCodes] = useState<string[]>();
  const start = useSubmit(async () => setEnrolment(await api('POST', '/v1/me/mfa/totp')));
  const confirm = useSubmit(async (f) => {
    const answer = await api<{ recovery_codes: string[] }>('POST', '/v1/me/mfa/totp/confirm', { code: f.code });
    setCodes(answer.recovery_codes);
    setEnrolment(undefined);
    await session.reload();
  });
  if (codes)
    return (
      <section>
        <Notice kind="success">
          Two-step verification is on. Keep these recovery codes somewhere safe: each works once.
        </Notice>
        <ul class="codes">
          {codes.map((c) => (
            <li key={c}>
              <code>{c}</code>
            </li>
          ))}
        </ul>
      </section>
    );
  if (session.user?.mfa_enabled) return <p>Two-step verification is on.</p>;
  if (enrolment)
    return (
      <form onSubmit={confirm.onSubmit}>
        <p>Scan this code with your authenticator app, or enter the key by hand, then type the code it shows.</p>
        <QrCode text={enrolment.otpauth_uri} label="QR code of the authenticator key" />
        <p>
          Key: <code>{enrolment.secret}</code>
        </p>
        {confirm.error && <Notice kind="error">{confirm.error}</Notice>}
        <Field label="Code" name="code" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" required />
        <Submit busy={confirm.busy}>Turn on</Submit>
      </form>
    );
  return (
    <form onSubmit={start.onSubmit}>
      {start.error && <Notice kind="error">{start.error}</Notice>}
      <p>Ask for a code from an authenticator app at each sign-in.</p>
      <Submit busy={start.busy}>Set up two-step verification</Submit>
    </form>
  );
}

/** A new password, given the current one; every other session ends. */
function PasswordChange() {
  const [done, setDone] = useState(false);
  const change = useSubmit(async (f, form) => {
    if (f.new_password !== f.confirm) throw new FormError('The two new passwords differ.');
    await api('PUT', '/v1/me/password', { current_password: f.current_password, new_password: f.new_password });
    form.reset();
    setDone(true);
  });
  return (
    <form onSubmit={change.onSubmit} class="inline">
      {change.error && <Notice kind="error">{change.error}</Notice>}
      {done && <Notice kind="success">Password changed; your other sessions were signed out.</Notice>}
      <Field
        label="Current password"
        name="current_password"
        type="password"
        autoComplete="current-password"
        required
      />
      <Field
        label="New password"
        name="new_password"
        type="password"
        autoComplete="new-password"
        required
        minLength={10}
        error={change.fieldErrors.new_password}
      />
      <Field label="New password again" name="confirm" type="password" autoComplete="new-password" required />
      <Submit busy={change.busy}>Change password</Submit>
    </form>
  );
}
