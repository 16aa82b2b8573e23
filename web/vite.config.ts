import { defineConfig } from 'vite';

/**
 * The console's build: hashed files under dist/assets (served immutable), index.html (served
 * no-cache). Nothing inline, so the page runs under `script-src 'self'`.
 */
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // No inline data: URLs: every asset is a file of its own, so the CSP needs no `data:`.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  server: { proxy: { '/v1': 'http://localhost:8080', '/.well-known': 'http://localhost:8080' } },
});
