import { execFileSync } from 'node:child_process';
import { describe, expect, it, vi } from 'vitest';
import { program } from './cli.ts';
import { completionScript } from './completion.ts';

/** What bash offers after `words`, with the script loaded. */
function complete(script: string, ...words: string[]): string[] {
  const line = ['firmware-tools', ...words].map((w) => `'${w}'`).join(' ');
  const out = execFileSync('bash', [
    '-c',
    `${script}\nCOMP_WORDS=(${line}); COMP_CWORD=${words.length}; _firmware_tools_complete; printf '%s\\n' "\${COMPREPLY[@]}"`,
  ]);
  return out.toString().split('\n').filter(Boolean);
}

describe('shell completion', () => {
  it('prints a script naming the subcommands, for bash and zsh', async () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await program().parseAsync(['node', 'firmware-tools', 'completion', 'zsh']);
      const script = write.mock.calls.map((c) => String(c[0])).join('');
      expect(script).toMatch(/bashcompinit/);
      for (const cmd of ['keygen', 'pack', 'sign', 'verify', 'publish', 'rollout', 'rollout create'])
        expect(script).toContain(`"${cmd}"`);
    } finally {
      write.mockRestore();
    }
  });

  it('completes subcommands and their flags in bash', () => {
    const script = completionScript(program(), 'bash');
    expect(complete(script, 'p')).toEqual(['pack', 'publish']);
    expect(complete(script, 'rollout', '')).toEqual([
      'create',
      'status',
      'pause',
      'resume',
      'advance',
      'abort',
      '--help',
    ]);
    expect(complete(script, 'rollout', 'create', '--release', 'abc', '--ph')).toEqual(['--phases']);
    expect(complete(script, '--json', 'sign', '--k')).toEqual(['--key']);
  });
});
