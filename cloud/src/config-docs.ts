import type { z } from 'zod';
import { platformEnv } from './config.ts';

/** One environment variable as the docs show it: its name, default (as it would be written) and meaning. */
export interface ConfigVariable {
  name: string;
  /** The value taken when unset, as text; undefined when there is none. */
  fallback: string | undefined;
  meaning: string;
}

type Def = { type: string; defaultValue?: unknown; in?: z.ZodType; innerType?: z.ZodType };

/** The default a schema fills in for a missing variable, looking through pipes and optionals. */
function fallbackOf(schema: z.ZodType): unknown {
  const def = (schema as unknown as { _zod: { def: Def } })._zod.def;
  if (def.type === 'default') return def.defaultValue;
  const inner = def.type === 'pipe' ? def.in : def.innerType;
  return inner ? fallbackOf(inner) : undefined;
}

/**
 * Every variable of the platform's configuration, from the one schema `loadConfig` parses with.
 * @example configVariables().find((v) => v.name === 'HTTP_PORT') // { name: 'HTTP_PORT', fallback: '8080', ... }
 */
export function configVariables(): ConfigVariable[] {
  return Object.entries(platformEnv.shape).map(([name, schema]) => {
    const value = fallbackOf(schema as z.ZodType);
    return {
      name,
      fallback: value === undefined ? undefined : String(value),
      meaning: (schema as z.ZodType).description ?? '',
    };
  });
}

const START = '<!-- config:start (generated from cloud/src/config.ts by `npm run config:docs`) -->';
const END = '<!-- config:end -->';

/** The README's table of variables, between its marker comments. */
export function readmeTable(vars = configVariables()): string {
  const shown = (v: ConfigVariable) =>
    v.fallback === undefined ? 'unset' : v.fallback === '' ? 'empty' : `\`${v.fallback}\``;
  const rows = vars.map((v) => `| \`${v.name}\` | ${shown(v)} | ${v.meaning.replaceAll('|', '\\|')} |`);
  return [START, '| variable | default | meaning |', '| --- | --- | --- |', ...rows, END].join('\n');
}

/** `readme` with the text between the markers replaced by `readmeTable()`; throws when the markers are missing. */
export function withReadmeTable(readme: string, vars = configVariables()): string {
  const from = readme.indexOf(START);
  const to = readme.indexOf(END);
  if (from < 0 || to < from) throw new Error(`README.md needs the lines ${START} and ${END}`);
  return readme.slice(0, from) + readmeTable(vars) + readme.slice(to + END.length);
}

/** `.env.example`: every variable, commented out at its default, under its meaning. */
export function envExample(vars = configVariables()): string {
  const quoted = (v: string) => (/[\s#"']/.test(v) ? JSON.stringify(v) : v);
  const blocks = vars.map((v) => `# ${v.meaning}\n# ${v.name}=${v.fallback === undefined ? '' : quoted(v.fallback)}`);
  return [
    "# The platform's configuration: every variable, at its default (an empty value counts as unset).",
    '# Copy to .env and uncomment what you change; the environment wins over the file.',
    '# Generated from cloud/src/config.ts by `npm run config:docs`: edit the descriptions there.',
    '',
    blocks.join('\n\n'),
    '',
  ].join('\n');
}
