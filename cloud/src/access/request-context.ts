/** Where a request came from, for sessions, rate limits and the activity and audit logs. */
export interface RequestContext {
  address?: string;
  userAgent?: string;
}
