/**
 * Writes sdk/openapi.json from the document the platform serves, and sdk/src/schema.ts from it.
 * Run as `npm run sdk:generate` after changing a route; a test fails while either is stale.
 */
import { writeFile } from 'node:fs/promises';
import { apiDocument } from '@iotp/cloud/api-document';
import { documentText, schemaText } from '../src/generate.ts';

const doc = await apiDocument();
await writeFile(new URL('../openapi.json', import.meta.url), documentText(doc));
await writeFile(new URL('../src/schema.ts', import.meta.url), await schemaText(doc));
process.stderr.write('wrote sdk/openapi.json and sdk/src/schema.ts\n');
