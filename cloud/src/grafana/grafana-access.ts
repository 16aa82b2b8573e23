import { randomBytes } from 'node:crypto';
import type { Database } from '@iotp/db';
import { NeedsDatabaseServer } from '../http/problem.ts';

/** Where tenants' Grafana connects: the database server as Grafana reaches it. */
export interface GrafanaEndpoint {
  host: string;
  port: number;
  database: string;
}

/**
 * Database roles for tenants' Grafana: each organization gets a login role that reads only the
 * `grafana` schema's views of its own rows (see migration 0009). Needs a PostgreSQL server: the
 * embedded database has one shared session, so roles there cannot separate tenants.
 */
export class GrafanaAccess {
  constructor(
    private readonly db: Pick<Database, 'sql' | 'kind'>,
    private readonly endpoint: GrafanaEndpoint,
  ) {}

  /** Creates the organization's role, or gives it a new password; the password is shown only here. */
  async grant(orgId: string) {
    this.requireServer();
    const role = roleName(orgId);
    // Identifiers and passwords cannot be bind parameters: both are made here of [a-z0-9_-] only.
    const password = randomBytes(24).toString('base64url');
    await this.db.sql.transaction(async (tx) => {
      const exists = await tx.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
      if (exists.length) await tx.exec(`ALTER ROLE "${role}" WITH LOGIN PASSWORD '${password}'`);
      else {
        await tx.exec(
          `CREATE ROLE "${role}" WITH LOGIN PASSWORD '${password}' NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT`,
        );
        await tx.exec(
          `GRANT USAGE ON SCHEMA grafana TO "${role}"; GRANT SELECT ON ALL TABLES IN SCHEMA grafana TO "${role}"`,
        );
        await tx.exec(`ALTER ROLE "${role}" SET search_path = grafana`);
      }
      await tx.query(
        'INSERT INTO grafana_access (role_name, org_id) VALUES ($1, $2) ON CONFLICT (role_name) DO NOTHING',
        [role, orgId],
      );
    });
    return { ...this.endpoint, user: role, password, sslmode: 'prefer' };
  }

  async revoke(orgId: string): Promise<void> {
    this.requireServer();
    const role = roleName(orgId);
    await this.db.sql.transaction(async (tx) => {
      await tx.query('DELETE FROM grafana_access WHERE role_name = $1', [role]);
      if ((await tx.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])).length) {
        await tx.exec(
          `REVOKE ALL ON ALL TABLES IN SCHEMA grafana FROM "${role}"; REVOKE USAGE ON SCHEMA grafana FROM "${role}"; DROP ROLE "${role}"`,
        );
      }
    });
  }

  private requireServer() {
    if (this.db.kind === 'embedded') {
      throw new NeedsDatabaseServer(
        'Grafana access per organization needs DATABASE_URL: the embedded database has one shared session and cannot keep tenants apart',
      );
    }
  }
}

function roleName(orgId: string): string {
  return `grafana_${orgId.replaceAll('-', '').toLowerCase()}`;
}
