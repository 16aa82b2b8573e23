import openapiTS, { astToString } from 'openapi-typescript';

const HEADER = `/**
 * Generated from the platform's OpenAPI document (sdk/openapi.json) by openapi-typescript.
 * Do not edit: run \`npm run sdk:generate\`.
 */

`;

/** The committed document's text: the document as the app serves it, indented. */
export function documentText(doc: Record<string, unknown>): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/**
 * The TypeScript types of `doc` (`paths`, `components`, `operations`), as `src/schema.ts` holds them.
 * @example await writeFile('src/schema.ts', await schemaText(doc));
 */
export async function schemaText(doc: Record<string, unknown>): Promise<string> {
  // A copy: openapi-typescript resolves references in place.
  const ast = await openapiTS(structuredClone(doc) as never, { alphabetize: false, exportType: false });
  return HEADER + astToString(ast);
}
