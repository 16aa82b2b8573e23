export { type App, type AppOptions, createApp, createRouter } from './app.ts';
export * from './http/problem.ts';
export { bucketInterval, bucketSql, LATEST_OF_OWNED, POINTS_OF_OWNED } from './telemetry/telemetry.repository.ts';
