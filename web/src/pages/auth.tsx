import { useEffect, useState } from 'preact/hooks';
import { api, completeMfa, signIn } from '../api.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import { useSession } from '../session.tsx';
import { Field, FormError, Notice, problemText, Submit, Title, useSubmit } from '../ui.tsx';

/** Sign up, sign in (with the MFA step), verify the address, reset the password: the pages mail links to. */

/** Where to go after signing in: a path of the console only, never another site. */
function nextPath(params: URLSearchParams) {
  const next = params.get('next') ?? '/';
  // `//host` and `/\host` name another host.
  return /^\/(?![/\\])/.test(next) ? next : '/';
}

export function SignInPage() {
  const { params } = useLocation();
  const session = useSession();
  const [challenge, setChallenge] = useState<string>();
  const done = async () => {
    await session.reload();
    navigate(nextPath(params), { replace: true });
  };
  const password = useSubmit(async (f) => {
    const mfa = await signIn(f.email ?? '', f.password ?? '');
    if (mfa) setChallenge(mfa.mfa_token);
    else await done();
  });
  const code = useSubmit(async (f) => {
    await completeMfa(challenge!, (f.code ?? '').replace(/\s/g, ''));
    await done();
  });
  if (challenge)
    return (
      <main class="narrow">
        <Title text="Two-step verification" />
        <p>Enter the 6-digit code from your authenticator app, or one of your recovery codes.</p>
        <form onSubmit={code.onSubmit}>
          {code.error && <Notice kind="error">{code.error}</Notice>}
          <Field label="Code" name="code" autoComplete="one-time-code" inputMode="numeric" required autoFocus />
          <Submit busy={code.busy}>Verify</Submit>
        </form>
      </main>
    );
  return (
    <main class="narrow">
      <Title text="Sign in" />
      <form onSubmit={password.onSubmit}>
        {password.error && <Notice kind="error">{password.error}</Notice>}
        <Field label="Email" name="email" type="email" autoComplete="username" required autoFocus />
        <Field label="Password" name="password" type="password" autoComplete="current-password" required />
        <Submit busy={password.busy}>Sign in</Submit>
      </form>
      <p>
        <Link href="/forgot-password">Forgot your password?</Link> · <Link href="/signup">Create an account</Link>
      </p>
    </main>
  );
}

export function SignUpPage() {
  const [sentTo, setSentTo] = useState<string>();
  const form = useSubmit(async (f) => {
    await api('POST', '/v1/auth/signup', { email: f.email, password: f.password, name: f.name || undefined });
    setSentTo(f.email);
  });
  if (sentTo)
    return (
      <main class="narrow">
        <Title text="Check your mail" />
        <Notice kind="success">
          We sent a link to <strong>{sentTo}</strong>. Open it to verify your address, then{' '}
          <Link href="/signin">sign in</Link>.
        </Notice>
      </main>
    );
  return (
    <main class="narrow">
      <Title text="Create an account" />
      <form onSubmit={form.onSubmit}>
        {form.error && <Notice kind="error">{form.error}</Notice>}
        <Field label="Name" name="name" autoComplete="name" error={form.fieldErrors.name} />
        <Field label="Email" name="email" type="email" autoComplete="email" required error={form.fieldErrors.email} />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={10}
          hint="A long passphrase: at least 10 characters, not a common one."
          error={form.fieldErrors.password}
        />
        <Submit busy={form.busy}>Create account</Submit>
      </form>
      <p>
        Already have one? <Link href="/signin">Sign in</Link>
      </p>
    </main>
  );
}

/** `/verify-email?token=…`, from the mail sent at sign-up. */
export function VerifyEmailPage() {
  const { params } = useLocation();
  const session = useSession();
  const token = params.get('token');
  const [result, setResult] = useState<'working' | 'done' | string>('working');
  useEffect(() => {
    if (!token) return setResult('This link has no token: open the link from the mail again.');
    api('POST', '/v1/auth/verify-email', { token })
      .then(async () => {
        setResult('done');
        if (session.state === 'signed-in') await session.reload();
      })
      .catch((err) => setResult(problemText(err)));
    // Once per token: a token works once.
  }, [token]);
  return (
    <main class="narrow">
      <Title text="Verify your email" />
      {result === 'working' && <p aria-busy="true">Verifying…</p>}
      {result === 'done' && (
        <Notice kind="success">
          Your email address is verified.{' '}
          {session.state === 'signed-in' ? (
            <Link href="/">Go to the console</Link>
          ) : (
            <Link href="/signin">Sign in</Link>
          )}
        </Notice>
      )}
      {result !== 'working' && result !== 'done' && <Notice kind="error">{result}</Notice>}
    </main>
  );
}

export function ForgotPasswordPage() {
  const [sent, setSent] = useState(false);
  const form = useSubmit(async (f) => {
    await api('POST', '/v1/auth/password-reset/request', { email: f.email });
    setSent(true);
  });
  return (
    <main class="narrow">
      <Title text="Reset your password" />
      {sent ? (
        <Notice kind="success">If an account has this address, a link to reset its password is on its way.</Notice>
      ) : (
        <form onSubmit={form.onSubmit}>
          {form.error && <Notice kind="error">{form.error}</Notice>}
          <Field label="Email" name="email" type="email" autoComplete="email" required autoFocus />
          <Submit busy={form.busy}>Send the link</Submit>
        </form>
      )}
    </main>
  );
}

/** `/reset-password?token=…`, from the mailed link. */
export function ResetPasswordPage() {
  const { params } = useLocation();
  const token = params.get('token') ?? '';
  const [done, setDone] = useState(false);
  const form = useSubmit(async (f) => {
    if (f.password !== f.confirm) throw new FormError('The two passwords differ.');
    await api('POST', '/v1/auth/password-reset', { token, password: f.password });
    setDone(true);
  });
  const { error } = form;
  return (
    <main class="narrow">
      <Title text="Choose a new password" />
      {!token && <Notice kind="error">This link has no token: open the link from the mail again.</Notice>}
      {done ? (
        <Notice kind="success">
          Your password is changed and every session was signed out. <Link href="/signin">Sign in</Link>
        </Notice>
      ) : (
        <form onSubmit={form.onSubmit}>
          {error && <Notice kind="error">{error}</Notice>}
          <Field
            label="New password"
            name="password"
            type="password"
            autoComplete="new-password"
            required
            error={form.fieldErrors.password}
          />
          <Field label="New password again" name="confirm" type="password" autoComplete="new-password" required />
          <Submit busy={form.busy}>Change password</Submit>
        </form>
      )}
    </main>
  );
}

/** `/invitations/accept?token=…`: joins the organization as the signed-in account. */
export function AcceptInvitationPage() {
  const { params, path } = useLocation();
  const session = useSession();
  const token = params.get('token') ?? '';
  const [joined, setJoined] = useState<{ org_id: string; name: string | null; role: string }>();
  const form = useSubmit(async () => {
    const result = await api<{ org_id: string; name: string | null; role: string }>('POST', '/v1/invitations/accept', {
      token,
    });
    await session.reload();
    session.switchOrg(result.org_id);
    setJoined(result);
  });
  const here = `${path}?${params.toString()}`;
  return (
    <main class="narrow">
      <Title text="Join an organization" />
      {!token && <Notice kind="error">This link has no token: open the link from the mail again.</Notice>}
      {session.state === 'signed-out' && (
        <Notice>
          Sign in with the address the invitation was sent to, then come back here:{' '}
          <Link href={`/signin?next=${encodeURIComponent(here)}`}>sign in</Link> or{' '}
          <Link href={`/signup?next=${encodeURIComponent(here)}`}>create an account</Link>.
        </Notice>
      )}
      {joined ? (
        <Notice kind="success">
          You joined <strong>{joined.name ?? 'the organization'}</strong> as {joined.role}.{' '}
          <Link href="/devices">Open its devices</Link>
        </Notice>
      ) : (
        session.state === 'signed-in' && (
          <form onSubmit={form.onSubmit}>
            {form.error && <Notice kind="error">{form.error}</Notice>}
            <p>
              You are signed in as <strong>{session.user?.email}</strong>.
            </p>
            <Submit busy={form.busy}>Accept the invitation</Submit>
          </form>
        )
      )}
    </main>
  );
}
