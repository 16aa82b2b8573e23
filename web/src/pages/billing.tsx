import { api } from '../api.ts';
import { useLocation } from '../router.tsx';
import { Notice, Title, useLoad, useSubmit, when } from '../ui.tsx';
import { toStripe, Wallet } from './wallet.tsx';

/** Plan, usage, wallet; Stripe sends people back here (`/billing?checkout=success`, `?order=cancelled`). */

interface Billing {
  plan: string;
  status: string;
  limits: Record<string, number | null>;
  usage: { devices: number; messages_today: number; data_points_today: number };
  current_period_end: string | null;
  billing_configured: boolean;
  credits: number;
}

const RETURNS: Record<string, [kind: 'success' | 'info', text: string]> = {
  'checkout=success': [
    'success',
    'Thank you: your subscription is being set up. The plan below changes once Stripe confirms the payment.',
  ],
  'checkout=cancelled': ['info', 'The checkout was cancelled; nothing was charged.'],
  'order=success': ['success', 'Thank you: your credits are added once Stripe confirms the payment.'],
  'order=cancelled': ['info', 'The order was cancelled; nothing was charged.'],
};

const limitText = (used: number, limit: number | null | undefined) =>
  `${used.toLocaleString()} of ${limit == null ? 'unlimited' : limit.toLocaleString()}`;

export function BillingPage({ orgId }: { orgId: string }) {
  const { params } = useLocation();
  const back = [...params.entries()].map(([k, v]) => RETURNS[`${k}=${v}`]).find(Boolean);
  const billing = useLoad(() => api<Billing>('GET', `/v1/orgs/${orgId}/billing`), [orgId]);
  const go = useSubmit(async (f) => {
    const { url } =
      f.action === 'portal'
        ? await api<{ url: string | null }>('POST', `/v1/orgs/${orgId}/billing/portal`)
        : await api<{ url: string | null }>('POST', `/v1/orgs/${orgId}/billing/checkout`, { plan: f.plan });
    toStripe(url);
  });
  const b = billing.data;
  return (
    <main>
      <Title text="Billing and usage" />
      {back && <Notice kind={back[0]}>{back[1]}</Notice>}
      {billing.error && <Notice kind="error">{billing.error}</Notice>}
      {go.error && <Notice kind="error">{go.error}</Notice>}
      {b && (
        <>
          <dl class="facts">
            <dt>Plan</dt>
            <dd>
              <strong>{b.plan}</strong> ({b.status})
            </dd>
            <dt>Period ends</dt>
            <dd>{when(b.current_period_end)}</dd>
            <dt>Devices</dt>
            <dd>{limitText(b.usage.devices, b.limits.devices)}</dd>
            <dt>Messages today</dt>
            <dd>{limitText(b.usage.messages_today, b.limits.messages_per_day)}</dd>
            <dt>Data points today</dt>
            <dd>{b.usage.data_points_today.toLocaleString()}</dd>
          </dl>
          {b.billing_configured ? (
            <div class="row">
              {['pro', 'enterprise']
                .filter((p) => p !== b.plan)
                .map((plan) => (
                  <form key={plan} onSubmit={go.onSubmit}>
                    <input type="hidden" name="plan" value={plan} />
                    <button type="submit" disabled={go.busy}>
                      Upgrade to {plan}
                    </button>
                  </form>
                ))}
              <form onSubmit={go.onSubmit}>
                <input type="hidden" name="action" value="portal" />
                <button type="submit" disabled={go.busy} class="secondary">
                  Payment methods and invoices
                </button>
              </form>
            </div>
          ) : (
            <Notice>Payments are not set up on this platform: every organization is on the free plan.</Notice>
          )}
          <Wallet orgId={orgId} stripe={b.billing_configured} />
        </>
      )}
    </main>
  );
}
