import { AnalyticsRepository } from '../analytics/analytics.repository.ts';
import { AnalyticsService } from '../analytics/analytics.service.ts';
import { UsageSummary } from '../analytics/usage-summary.ts';
import type { CounterStore } from '../auth/rate-limit.ts';
import type { BillingService } from '../billing/billing.service.ts';
import type { OrgRepository } from '../orgs/org.repository.ts';
import type { Wiring } from './wiring.ts';

/**
 * Product analytics and the usage summary. Retention: on TimescaleDB the hypertable's policy is set
 * to ANALYTICS_RETENTION_DAYS (drops whole chunks); on plain PostgreSQL a job deletes old rows.
 */
export async function wireAnalytics(
  { config, db, scheduler, logger }: Wiring,
  parts: { orgs: OrgRepository; billing: BillingService; limits: CounterStore },
) {
  const repo = new AnalyticsRepository(db.orm);
  const analytics = new AnalyticsService({
    repo,
    orgs: parts.orgs,
    limits: parts.limits,
    retentionDays: config.ANALYTICS_RETENTION_DAYS,
    ratePerMin: config.ANALYTICS_RATE_PER_MIN,
    maxFutureMs: config.TELEMETRY_MAX_FUTURE_MS,
  });
  if (db.timescale) {
    await repo
      .setRetentionPolicy(config.ANALYTICS_RETENTION_DAYS)
      .catch((err) => logger.warn({ err }, 'setting the retention policy of analytics_events failed'));
  } else {
    scheduler.add({ name: 'purge-analytics-events', everyMs: 3600_000, run: () => analytics.purgeExpired() });
  }
  return { analytics, usage: new UsageSummary(repo, parts.billing) };
}
