import type { BillingService } from '../billing/billing.service.ts';
import { Invalid } from '../http/problem.ts';
import type { AnalyticsRepository } from './analytics.repository.ts';

const DAY_MS = 86_400_000;
/** The longest period one summary covers. */
const MAX_DAYS = 366;

interface Totals {
  events: number;
  api_calls: number;
  messages: number;
  data_points: number;
  wallet_spend_credits: number;
}

/**
 * Usage and cost of an organization over a period of UTC days: product events and metered usage
 * per day, user (events and API calls) and device, what it costs (the plan's catalog price, metered overage and other
 * wallet spend, as billing computed and recorded them) and totals against the period before.
 * @example const s = await new UsageSummary(repo, billing).summary(orgId, '2026-11-01', '2026-11-30');
 */
export class UsageSummary {
  constructor(
    private readonly repo: AnalyticsRepository,
    private readonly billing: BillingService,
  ) {}

  async summary(orgId: string, from: string, to: string) {
    const start = Date.parse(`${from}T00:00:00Z`);
    const end = Date.parse(`${to}T00:00:00Z`) + DAY_MS;
    if (!(end > start))
      throw new Invalid('to: must not be before from', {
        errors: [{ path: 'to', message: 'must not be before from' }],
      });
    const days = (end - start) / DAY_MS;
    if (days > MAX_DAYS) throw new Invalid(`A summary covers at most ${MAX_DAYS} days`);
    const previous = { from: day(start - days * DAY_MS), to: day(start - DAY_MS) };
    const [current, before] = await Promise.all([
      this.period(orgId, from, to),
      this.period(orgId, previous.from, previous.to),
    ]);
    const cost = await this.cost(orgId, current.spend);
    return {
      from,
      to,
      days: current.days,
      users: current.users,
      devices: current.devices,
      cost,
      dashboard: { current: current.totals, previous: { ...previous, ...before.totals } },
    };
  }

  private async period(orgId: string, from: string, to: string) {
    const start = new Date(`${from}T00:00:00Z`);
    const end = new Date(Date.parse(`${to}T00:00:00Z`) + DAY_MS);
    const [events, usage, byDevice, byUser, statement] = await Promise.all([
      this.repo.usage(orgId, start, end),
      this.billing.usage(orgId, { from, to, by: 'day' }),
      this.billing.usage(orgId, { from, to, by: 'device' }),
      this.billing.usage(orgId, { from, to, by: 'user' }),
      this.billing.wallet.statement(orgId),
    ]);
    const perDay = new Map<
      string,
      { day: string; events: number; api_calls: number; messages: number; data_points: number }
    >();
    const at = (d: string) => {
      let row = perDay.get(d);
      if (!row) {
        row = { day: d, events: 0, api_calls: 0, messages: 0, data_points: 0 };
        perDay.set(d, row);
      }
      return row;
    };
    for (const e of events.days) at(e.day).events = e.events;
    for (const u of usage)
      Object.assign(at(u.day), { api_calls: u.api_calls, messages: u.messages, data_points: u.data_points });
    const devices = new Map<string, { device_id: string; messages: number; data_points: number; bytes: number }>();
    for (const u of byDevice) {
      if (!('device_id' in u) || !u.device_id) continue;
      const id = String(u.device_id);
      const d = devices.get(id) ?? { device_id: id, messages: 0, data_points: 0, bytes: 0 };
      d.messages += u.messages;
      d.data_points += u.data_points;
      d.bytes += u.bytes;
      devices.set(id, d);
    }
    // Product events and API calls per person; `null` is what no person did (organization keys).
    const users = new Map<string | null, { user_id: string | null; events: number; api_calls: number }>();
    const user = (id: string | null) => {
      let u = users.get(id);
      if (!u) {
        u = { user_id: id, events: 0, api_calls: 0 };
        users.set(id, u);
      }
      return u;
    };
    for (const e of events.users) user(e.user_id).events += e.events;
    for (const u of byUser)
      if ('user_id' in u && u.api_calls > 0) user((u.user_id as string | null) ?? null).api_calls += u.api_calls;
    // Wallet debits in the period, by kind, as the ledger recorded them (overage is the metered part).
    const spend = new Map<string, number>();
    for (const e of statement) {
      if (e.credits >= 0 || e.at < start.toISOString() || e.at >= end.toISOString()) continue;
      spend.set(e.kind, (spend.get(e.kind) ?? 0) - e.credits);
    }
    const rows = [...perDay.values()].sort((a, b) => a.day.localeCompare(b.day));
    const sum = (k: 'events' | 'api_calls' | 'messages' | 'data_points') => rows.reduce((n, r) => n + r[k], 0);
    const totals: Totals = {
      events: sum('events'),
      api_calls: sum('api_calls'),
      messages: sum('messages'),
      data_points: sum('data_points'),
      wallet_spend_credits: [...spend.values()].reduce((n, c) => n + c, 0),
    };
    return { days: rows, users: [...users.values()], devices: [...devices.values()], spend, totals };
  }

  /** The plan's price from the catalog (what Stripe charges), metered overage and other wallet spend. */
  private async cost(orgId: string, spend: Map<string, number>) {
    const plan = await this.billing.plan(orgId);
    const plans = await this.billing.catalog.list({ kind: 'plan', limit: 100 });
    const item = plans.data.find((p) => p.plan === plan.name);
    return {
      plan: { name: plan.name, status: plan.status, price: item?.price ?? 0, currency: item?.currency ?? 'usd' },
      metered_credits: spend.get('overage') ?? 0,
      wallet_spend: [...spend].map(([kind, credits]) => ({ kind, credits })),
    };
  }
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
