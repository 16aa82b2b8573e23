/**
 * Writes `.env.example` and the README's table of variables from cloud/src/config.ts.
 * Run as `npm run config:docs` after changing a variable; a test fails while either is stale.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { envExample, withReadmeTable } from '../src/config-docs.ts';

const root = new URL('../../', import.meta.url);
await writeFile(new URL('.env.example', root), envExample());
const readme = new URL('README.md', root);
await writeFile(readme, withReadmeTable(await readFile(readme, 'utf8')));
process.stderr.write('wrote .env.example and the configuration table of README.md\n');
