import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The suites that take a minute or more, slowest first: on a clean clone vitest knows no durations
 * and starts large files first, so one of these could start last and run alone at the end (the
 * suite took 843 s so; the two workers' sum is 1,315 s).
 */
const SLOW_FIRST = [
  'tests/start.test.ts',
  'tests/lifecycle.test.ts',
  'tests/ota-agent.test.ts',
  'tests/ota-api.test.ts',
  'tests/ingest-faults.test.ts',
  'tests/lifecycle-kill.test.ts',
  'tests/tasks.test.ts',
  'tests/cluster-ingest.test.ts',
];

class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = SLOW_FIRST.findIndex((path) => f.moduleId.endsWith(path));
      return i === -1 ? SLOW_FIRST.length : i;
    };
    // Stable: the rest keep vitest's own order (longest or largest first).
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

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
    sequence: { sequencer: SlowFirst },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
