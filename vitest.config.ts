import { defineConfig } from 'vitest/config';

// Our workspaces import each other from their TypeScript sources under this package.json
// `exports` condition (built JavaScript in dist/ otherwise); the rest is Vite's server default.
const conditions = ['@iotp/source', 'module', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['**/src/**/*.test.ts', 'tests/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', 'data/**'],
    // Each embedded database is a WASM PostgreSQL of its own: two at a time suit a 2-core machine.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
