#!/usr/bin/env node
// The installed command: the built JavaScript (`npm run build` writes dist/), run with node alone.
await import('../dist/bin.js');
