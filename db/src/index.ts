export { type Database, type DatabaseOptions, type Orm, openDatabase, redact, rowsOf } from './connect.ts';
export { withDatabaseLock } from './database-lock.ts';
export { EmbeddedJobs, type EmbeddedJobsOptions } from './embedded-jobs.ts';
export { DatabaseUnavailable } from './errors.ts';
export { migrate } from './migrate.ts';
export type { RolloutPhase } from './schema.ts';
export * as schema from './schema.ts';
export type { SqlClient } from './sql-client.ts';
export { timescaleProblem } from './timescale.ts';
