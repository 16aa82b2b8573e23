/** Every permission a role or an API key can hold. Routes name the one they need. */
export const PERMISSIONS = [
  'org:read',
  'org:write',
  'org:delete',
  'members:read',
  'members:manage',
  'roles:manage',
  'api_keys:manage',
  'devices:read',
  'devices:write',
  'telemetry:read',
  'telemetry:subscribe',
  'ota:read',
  'ota:deploy',
  'billing:read',
  'billing:manage',
  'audit:read',
  'events:read',
  'webhooks:read',
  'webhooks:write',
  'rules:read',
  'rules:write',
  'alarms:read',
  'alarms:write',
  'tasks:read',
  'files:read',
  'files:write',
  /** Product analytics: reading an organization's events and metrics. */
  'analytics:read',
  /** Sending product events (`POST /v1/analytics/events`), mostly as an organization API key's scope. */
  'analytics:write',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

const all = [...PERMISSIONS];
const readOnly: Permission[] = [
  'org:read',
  'members:read',
  'devices:read',
  'telemetry:read',
  'telemetry:subscribe',
  'ota:read',
  'events:read',
  'rules:read',
  'alarms:read',
  'tasks:read',
  'files:read',
  'analytics:read',
];

/** The built-in roles. Custom roles are sets of the same permissions, named by the organization. */
export const BUILTIN_ROLES: Record<string, Permission[]> = {
  owner: all,
  admin: all.filter((p) => p !== 'org:delete'),
  operator: [...readOnly, 'devices:write', 'ota:deploy', 'rules:write', 'alarms:write', 'files:write'],
  viewer: readOnly,
  billing: ['org:read', 'billing:read', 'billing:manage', 'analytics:read'],
};

export function isPermission(p: string): p is Permission {
  return (PERMISSIONS as readonly string[]).includes(p);
}
