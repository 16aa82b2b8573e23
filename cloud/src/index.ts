export { type App, type AppOptions, createApp, createRouter } from './app.ts';
export * from './http/problem.ts';
