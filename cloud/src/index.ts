export { type App, type AppOptions, createApp, createRouter } from './app.ts';
export * from './http/problem.ts';
export { bucketSql, LATEST_OF_OWNED } from './telemetry/telemetry.repository.ts';
